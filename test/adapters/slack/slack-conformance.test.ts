import { describeConformance } from '../../support/conformance/conformance-suite';
import { startSlackDriver } from '../../support/slack/slack-driver';

describeConformance('Slack', startSlackDriver);
