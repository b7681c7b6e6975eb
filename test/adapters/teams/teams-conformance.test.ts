import { describeConformance } from '../../support/conformance/conformance-suite';
import { startTeamsDriver } from '../../support/teams/teams-driver';

describeConformance('Teams', startTeamsDriver);
