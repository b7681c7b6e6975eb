import type { WebClient } from '@slack/web-api';
import type { App as OpsdeskApp } from '../../src/app';
import type { CardLocations } from '../../src/services/card-locations';
import type { HomePublisher } from './home-publisher';

/** What every Slack listener needs besides Bolt's own arguments. */
export interface SlackDeps {
  opsdesk: OpsdeskApp;
  cards: CardLocations;
  /** App Home views, published within views.publish's limit, the latest per person. */
  homes: HomePublisher;
  /**
   * A workspace's client outside Bolt's request (a failure told after the acknowledgement, a replay
   * from the intake). It fails fast like Bolt's: what must be posted whatever happens goes through
   * the outbox, which retries on its own schedule.
   */
  deliveryClient(token: string | undefined): WebClient;
}
