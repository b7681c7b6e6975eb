import { describeConformance } from '../../support/conformance/conformance-suite';
import { startWebDriver } from '../../support/web/web-driver';

describeConformance('Web', startWebDriver);
