import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** `shared/fixtures/slack` in the nearest folder above the checkout that has it (CI puts shared/ beside the clone). */
function findFixtures(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    const candidate = join(dir, 'shared', 'fixtures', 'slack');
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`shared/fixtures/slack (the Slack payload fixtures) was not found in any folder above ${__dirname}`);
}

/** The shared fixtures: real payloads Slack sends (from Slack's docs and SDK tests, ids replaced). */
export const FIXTURES = findFixtures();

export const slackFixture = <T = Record<string, any>>(name: string): T => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as T;
export const slackFixtureText = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8');

/** The slash command fixture with our command and text (its other fields as Slack sent them). */
export function slashCommandBody(command: string, text: string, overrides: Record<string, string> = {}): string {
  // Callers that read the reply pass `response_url` pointing at the recording Web API.
  const form = new URLSearchParams(slackFixtureText('slash_command.form.txt').trim());
  form.set('command', command);
  form.set('text', text);
  // Slack gives every invocation its own trigger id (the fixture's is one captured value).
  form.set('trigger_id', `${form.get('trigger_id')}.${Math.random().toString(36).slice(2)}`);
  for (const [key, value] of Object.entries(overrides)) form.set(key, value);
  return form.toString();
}
