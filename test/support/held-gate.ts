import type { BeginGate } from '../../src/db/pool-pressure';

/** A begin gate (as the database pool's) that the test holds back and relieves. */
export class HeldGate implements BeginGate {
  holdBack = false;
  requestsWaiting = false;
  listeners: (() => void)[] = [];
  whenRelieved(listener: () => void): void {
    this.listeners.push(listener);
  }
  relieve(): void {
    this.holdBack = false;
    for (const listener of this.listeners.splice(0)) listener();
  }
}
