import { join } from 'node:path';
import { createApp } from '../src/app';
import { loadItsmConfig } from '../src/config/load-itsm-config';
import { connectDatabase } from '../src/db/connect';
import { createLogger } from '../src/logger';
import { startHttpServer } from '../src/server/http-server';
import { mountWebConsole } from '../adapters/web/web-console';
import { launchChromium } from '../test/support/web/browser';
import { percentile, rawInsertRate, report } from './measure';

// The browser's globals, for the functions run in the page (not in this process).
declare const document: any, window: any, sessionStorage: any, MutationObserver: any;

const REPORTS = Number(process.env.BENCH_WEB_REPORTS ?? 20);
const CONFIG = join(__dirname, '..', '..', 'opsdesk.example.yml');

/**
 * The console as two people use it, in Debian's chromium: Jamie reports through the command and
 * its form, one report after another; Sam watches the service's channel in a second page. The
 * figure is from Jamie's submit to the card drawn in Sam's page, both read from this machine's clock.
 */
export async function runWebConsoleBench(uri: string): Promise<void> {
  const name = `bench_web_${Date.now()}`;
  const database = await connectDatabase(uri, name);
  const app = await createApp({ database, config: await loadItsmConfig(CONFIG), log: createLogger('silent'), fireTimersOnTime: true });
  let stopConsole = () => {};
  const http = await startHttpServer({
    host: '127.0.0.1',
    port: 0,
    log: createLogger('silent'),
    databaseReady: database.ping,
    mount: (express) => {
      stopConsole = mountWebConsole(app, express, { host: '127.0.0.1' }).stop;
    },
  });
  const browser = await launchChromium();
  try {
    report('web console bench: raw insertOne (same run)', await rawInsertRate(database), 'documents/s');
    const url = `http://127.0.0.1:${http.port}/#${encodeURIComponent('service:email')}`;
    const open = async (email: string) => {
      const page = await (await browser.newContext({ locale: 'en-US' })).newPage();
      await page.addInitScript((who) => sessionStorage.setItem('opsdesk.actAs', who), email);
      await page.goto(url);
      await page.locator('#live[data-state="on"]').waitFor();
      return page;
    };
    const reporter = await open('jamie.song@example.com');
    const watcher = await open('sam.lee@example.com');
    // Sam's page notes when each card first shows.
    await watcher.evaluate(() => {
      const seen: Record<string, number> = {};
      window.seenAt = seen;
      new MutationObserver(() => {
        for (const card of document.querySelectorAll('#stream > article[data-message-id]')) {
          const title = card.querySelector('h3')?.textContent ?? '';
          seen[title] ??= Date.now();
        }
      }).observe(document.getElementById('stream')!, { childList: true, subtree: true });
    });
    const latencies: number[] = [];
    for (let i = 0; i < REPORTS; i++) {
      const summary = `Bench report ${i}: mail bounces`;
      await reporter.fill('#command', `/incident ${summary}`);
      await reporter.press('#command', 'Enter');
      const form = reporter.locator('#form-dialog form[data-submit-id="incident.report"]');
      await form.waitFor();
      await form.locator('#field-service').selectOption('email');
      await form.locator('#field-impact').selectOption('medium');
      await form.locator('#field-urgency').selectOption('medium');
      await reporter.evaluate(() => document.querySelector('#form-dialog form')!.addEventListener('submit', () => (window.submittedAt = Date.now()), { once: true }));
      await form.locator('button[type=submit]').click();
      await watcher.waitForFunction((text) => Object.keys(window.seenAt).some((title) => title.includes(text)), summary, { timeout: 30_000 });
      const submittedAt: number = await reporter.evaluate(() => window.submittedAt);
      const seenAt: number = await watcher.evaluate((text) => Object.entries(window.seenAt as Record<string, number>).find(([title]) => title.includes(text))![1], summary);
      latencies.push(seenAt - submittedAt);
      await form.waitFor({ state: 'hidden' });
    }
    latencies.sort((a, b) => a - b);
    report(`web console: report → card visible in a second page p50 (${REPORTS} reports)`, percentile(latencies, 50), 'ms', 0);
    report('web console: report → card visible in a second page p99', percentile(latencies, 99), 'ms', 0);
  } finally {
    await browser.close();
    stopConsole();
    await http.close(1000);
    await app.jobs.notifier.stop(5_000);
    await database.drop().catch(() => undefined);
    await database.close();
  }
}
