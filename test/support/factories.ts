import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import pino from 'pino';
import type { HandlerResult } from '../../handlers/handler';
import { dispatch } from '../../handlers/dispatch';
import { createApp, type App } from '../../src/app';
import { parseItsmConfig } from '../../src/config/load-itsm-config';
import type { ItsmConfig, ItsmConfigInput } from '../../src/config/itsm-config-schema';
import type { Database } from '../../src/db/connect';
import type { Actor } from '../../src/people/people-directory';
import type { CardView, NoticeView } from '../../src/views/view-model';

export const EXAMPLE_CONFIG_PATH = join(__dirname, '..', '..', 'opsdesk.example.yml');

export function exampleConfigInput(): ItsmConfigInput {
  return parse(readFileSync(EXAMPLE_CONFIG_PATH, 'utf8')) as ItsmConfigInput;
}

export function buildConfig(change: (config: ItsmConfigInput) => void = () => {}): ItsmConfig {
  const input = exampleConfigInput();
  change(input);
  return parseItsmConfig(input);
}

/** A clock the test moves by hand. */
export class TestClock {
  constructor(public current: Date) {}
  now = (): Date => new Date(this.current);
  set(iso: string): void {
    this.current = new Date(iso);
  }
  advanceMinutes(minutes: number): void {
    this.current = new Date(this.current.getTime() + minutes * 60_000);
  }
}

export const silentLogger = () => pino({ level: 'silent' });

/** A logger that keeps what it logs (info and above), for tests that wait on a logged event. */
export function recordingLogger(): { log: pino.Logger; entries: Record<string, unknown>[] } {
  const entries: Record<string, unknown>[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => entries.push(JSON.parse(line) as Record<string, unknown>) });
  return { log, entries };
}

export async function buildApp(database: Database, clock: TestClock, config: ItsmConfig = buildConfig(), log: pino.Logger = silentLogger()): Promise<App> {
  return createApp({ database, config, log, now: clock.now });
}

/** The actor for one of the example configuration's people, as if they came from Slack. */
export function buildActor(app: App, email: string, extra: { locale?: string } = {}): Promise<Actor> {
  return app.ctx.people.actorFor({ platform: 'slack', userId: `T1:${email}`, email, ...extra });
}

/** Runs a handler the way every adapter does (the in-memory adapter of the handler tests). */
export function run(app: App, handlerId: string, actor: Actor, input: unknown): Promise<HandlerResult> {
  return dispatch(app.ctx, app.registry, app.log, { handlerId, actor, input });
}

export function cardOf(result: HandlerResult): CardView {
  const card = result.views.find((v): v is CardView => v.kind === 'card');
  if (!card) throw new Error(`no card in ${JSON.stringify(result.views)}`);
  return card;
}

export function errorOf(result: HandlerResult): NoticeView {
  const error = result.views.find((v): v is NoticeView => v.kind === 'notice' && v.tone === 'error');
  if (!error) throw new Error(`no error notice in ${JSON.stringify(result.views)}`);
  return error;
}

export const field = (card: CardView, label: string) => card.fields.find((f) => f.label === label)?.value;


export const MINJI = 'minji.kim@example.com'; // agent, service-desk, Korean
export const SAM = 'sam.lee@example.com'; // agent, service-desk + messaging
export const ALEX = 'alex.park@example.com'; // agent, messaging
export const JAMIE = 'jamie.song@example.com'; // employee, no roles
export const TAYLOR = 'taylor.yoon@example.com'; // admin, New York

export const reportInput = (overrides: Record<string, unknown> = {}) => ({
  summary: 'VPN drops every few minutes',
  description: 'Since this morning the VPN disconnects about every five minutes.',
  service: 'vpn',
  impact: 'medium',
  urgency: 'medium',
  platform: 'slack',
  ...overrides,
});
