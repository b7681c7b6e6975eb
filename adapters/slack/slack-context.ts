import type { WebClient } from '@slack/web-api';
import type { App as OpsdeskApp } from '../../src/app';
import type { CardLocations } from '../../src/services/card-locations';

/** What every Slack listener needs besides Bolt's own arguments. */
export interface SlackDeps {
  opsdesk: OpsdeskApp;
  cards: CardLocations;
  /**
   * A client for posting after the acknowledgement: it waits out Retry-After and retries.
   * (Bolt's per-request client fails fast instead, so that nothing before `ack` can stall.)
   */
  deliveryClient(token: string | undefined): WebClient;
}
