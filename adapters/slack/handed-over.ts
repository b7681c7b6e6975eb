import type { App } from '@slack/bolt';
import type { HandedOver, HandOff } from './slack-context';

/**
 * Does the work of a request another thread acknowledged (and stored in the intake), through the
 * same listeners: Bolt's `processEvent`, with nothing left to acknowledge and the hand-over in
 * `context.handedOver`. Resolves when the listeners are done.
 */
export function doHandedOver(bolt: App, request: HandOff): Promise<void> {
  const handedOver: HandedOver = { receivedAt: request.receivedAt, accepted: request.accepted };
  return bolt.processEvent({ body: request.body as Record<string, unknown>, ack: () => Promise.resolve(), customProperties: { handedOver } });
}
