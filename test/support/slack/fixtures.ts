import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Real payloads Slack sends (from Slack's docs and SDK tests, ids replaced), kept in the
 * repository with their sources (test/fixtures/SOURCES.md): a clone alone runs the tests. Found
 * from test/support/slack, and from dist/test/support/slack when the bench runs compiled.
 */
export const FIXTURES = [join(__dirname, '..', '..', 'fixtures', 'slack'), join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'slack')].find((dir) =>
  existsSync(join(dir, 'view_submission.json')),
) as string;

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
