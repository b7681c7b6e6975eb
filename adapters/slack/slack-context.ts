import type { WebClient } from '@slack/web-api';
import type { App as OpsdeskApp } from '../../src/app';
import type { CardLocations } from '../../src/services/card-locations';
import type { HomePublisher } from './home-publisher';

/**
 * What the thread that acknowledged a request tells the work thread of it (Bolt's
 * `context.handedOver` there): the request was answered and, when it changes something, stored in
 * the intake already; only its work is left.
 */
export interface HandedOver {
  receivedAt: number;
  accepted: boolean;
}

/** A request this thread acknowledged, handed to the Slack work thread for the rest. */
export interface HandOff extends HandedOver {
  body: object;
}

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
  /**
   * Where the work after an acknowledgement goes when another thread does it (the Slack work
   * thread); without it, the work runs here. Resolves when that work is done.
   */
  handOff?: ((request: HandOff) => Promise<void>) | undefined;
}
