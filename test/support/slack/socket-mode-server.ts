import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/**
 * Slack's Socket Mode end on 127.0.0.1: greets a connecting app with `hello`, sends it envelopes
 * as Slack does, and resolves each with the app's acknowledgement (`{envelope_id, payload?}`).
 */
export class SocketModeServer {
  private server: WebSocketServer | undefined;
  private socket: WebSocket | undefined;
  private readonly waiting = new Map<string, (ack: Record<string, unknown>) => void>();
  private connected: (() => void) | undefined;
  private closed: (() => void) | undefined;
  readonly connection = new Promise<void>((resolve) => (this.connected = resolve));
  /** Resolves when the app has closed its connection (the close handshake is over). */
  readonly disconnection = new Promise<void>((resolve) => (this.closed = resolve));

  get url(): string {
    return `ws://127.0.0.1:${(this.server?.address() as AddressInfo).port}/link/?ticket=test`;
  }

  async start(): Promise<void> {
    this.server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => this.server?.once('listening', resolve));
    this.server.on('connection', (socket) => {
      this.socket = socket;
      socket.on('close', () => this.closed?.());
      socket.on('message', (data) => {
        const ack = JSON.parse(String(data)) as Record<string, unknown>;
        const resolve = this.waiting.get(String(ack.envelope_id));
        this.waiting.delete(String(ack.envelope_id));
        resolve?.(ack);
      });
      socket.send(JSON.stringify({ type: 'hello', num_connections: 1, debug_info: { host: 'applink-test' }, connection_info: { app_id: 'A00FAKEAPP1' } }));
      this.connected?.();
    });
  }

  /** Sends one envelope and waits for the app to acknowledge it. */
  send(envelope: { envelope_id: string; type: string; payload: unknown; accepts_response_payload?: boolean; retry_attempt?: number }): Promise<Record<string, unknown>> {
    return new Promise((resolve) => {
      this.waiting.set(envelope.envelope_id, resolve);
      this.socket?.send(JSON.stringify(envelope));
    });
  }

  async stop(): Promise<void> {
    for (const client of this.server?.clients ?? []) client.terminate();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
