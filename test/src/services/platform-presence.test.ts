import type { Database } from '../../../src/db/connect';
import { PlatformPresence } from '../../../src/services/platform-presence';
import { TestClock } from '../../support/factories';
import { dropTestDatabase, openTestDatabase } from '../../support/test-database';

describe('which platforms a live process delivers to (real database)', () => {
  let database: Database;
  beforeEach(async () => {
    database = await openTestDatabase('presence');
  });
  afterEach(() => dropTestDatabase(database));

  it('a platform beaten for within the last 30 s is served; one never beaten, or whose process went quiet, is not', async () => {
    const clock = new TestClock(new Date('2026-11-23T01:00:00Z'));
    const teamsProcess = new PlatformPresence(database.models, clock.now);
    const slackProcess = new PlatformPresence(database.models, clock.now);
    expect(await slackProcess.served('teams')).toBe(false);
    await teamsProcess.beat(['teams', 'web']);
    clock.current = new Date(clock.current.getTime() + 6_000); // past what was kept of the first read
    expect(await slackProcess.served('teams')).toBe(true);
    expect(await slackProcess.served('web')).toBe(true);
    expect(await slackProcess.served('slack')).toBe(false);
    // Two processes beating for one platform at once: both succeed.
    await Promise.all([teamsProcess.beat(['teams']), new PlatformPresence(database.models, clock.now).beat(['teams'])]);
    // The Teams process stops beating: 30 s later nobody delivers there.
    clock.current = new Date(clock.current.getTime() + 31_000);
    expect(await slackProcess.served('teams')).toBe(false);
  });

  it('a platform some process has ever beaten for stays served once, however long ago; one never beaten is asked again after 5 s', async () => {
    const clock = new TestClock(new Date('2026-11-23T01:00:00Z'));
    const slackProcess = new PlatformPresence(database.models, clock.now);
    expect(await slackProcess.everServed('teams')).toBe(false);
    await new PlatformPresence(database.models, clock.now).beat(['teams']);
    // The "no" is kept for 5 s, then read again.
    clock.current = new Date(clock.current.getTime() + 4_000);
    expect(await slackProcess.everServed('teams')).toBe(false);
    clock.current = new Date(clock.current.getTime() + 2_000);
    expect(await slackProcess.everServed('teams')).toBe(true);
    expect(await slackProcess.served('teams')).toBe(true);
    // The Teams process went quiet long ago: nobody delivers there now, but someone once did.
    clock.current = new Date(clock.current.getTime() + 40 * 86_400_000);
    expect(await slackProcess.served('teams')).toBe(false);
    expect(await slackProcess.everServed('teams')).toBe(true);
  });

  it('beats on its own timer until stopped', async () => {
    const presence = new PlatformPresence(database.models, () => new Date());
    await presence.startBeating(() => ['teams'], 100, (error) => {
      throw error;
    });
    const first = (await database.models.ProcessBeat.findById('delivers:teams').lean())!.at.getTime();
    await new Promise((resolve) => setTimeout(resolve, 350));
    presence.stop();
    const later = (await database.models.ProcessBeat.findById('delivers:teams').lean())!.at.getTime();
    expect(later).toBeGreaterThan(first);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect((await database.models.ProcessBeat.findById('delivers:teams').lean())!.at.getTime()).toBe(later);
  });
});
