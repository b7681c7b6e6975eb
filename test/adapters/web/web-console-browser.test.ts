import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { Database } from '../../../src/db/connect';
import { JAMIE, SAM, TestClock } from '../../support/factories';
import { dropTestDatabase, openTestDatabase } from '../../support/test-database';
import { launchChromium, SCREENSHOTS_DIR } from '../../support/web/browser';
import { startWebHarness, type WebHarness } from '../../support/web/web-harness';

// The browser's globals, for the functions run in the page (not in this process).
declare const document: any, localStorage: any;

jest.setTimeout(120_000);

let database: Database;
let web: WebHarness;
let browser: Browser;

beforeAll(async () => {
  database = await openTestDatabase('web-console-browser');
  web = await startWebHarness(database, new TestClock(new Date()));
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await web?.close();
  await dropTestDatabase(database);
});

/** A person's own browser (their own storage), on the console, acting as them, in English. */
async function pageOf(email: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'en-US' });
  const page = await context.newPage();
  await page.goto(web.url);
  await page.evaluate(() => localStorage.setItem('opsdesk.locale', 'en'));
  await page.locator(`button.person[data-email="${email}"]`).click();
  await page.locator('#conversations [data-conversation^="person:"]').waitFor();
  return page;
}

const openChannel = (page: Page, service: string) => page.locator(`#conversations [data-conversation="service:${service}"]`).click();
const cardOn = (page: Page, recordId: string) => page.locator(`#stream > article[data-message-id][data-record-id="${recordId}"]`);
const stateOf = (page: Page, recordId: string) => cardOn(page, recordId).locator('dt:text-is("State") + dd');

async function reportThroughTheForm(page: Page, summary: string): Promise<void> {
  await page.fill('#command', `/incident ${summary}`);
  await page.press('#command', 'Enter');
  const form = page.locator('#form-dialog form[data-submit-id="incident.report"]');
  await form.waitFor();
  await form.locator('#field-service').selectOption('email');
  await form.locator('#field-impact').selectOption('high');
  await form.locator('#field-urgency').selectOption('high');
  await form.locator('button[type=submit]').click();
}

describe('the web console in a browser', () => {
  it('shows who one may act as, with their roles, and what to try first', async () => {
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await context.newPage();
    await page.goto(web.url);
    await expect(page.locator('button.person[data-email="sam.lee@example.com"] .roles').textContent()).resolves.toBe('agent');
    await expect(page.locator('.tries').textContent()).resolves.toContain('/incident mail is down');
    await page.screenshot({ path: join(SCREENSHOTS_DIR, 'console-welcome.png'), fullPage: true });
    await context.close();
  });

  it('a report made through the form changes on the reporter\'s page as an agent acknowledges and resolves it in another', async () => {
    const reporter = await pageOf(JAMIE);
    await openChannel(reporter, 'email');
    await reportThroughTheForm(reporter, 'Mail is down for the whole floor');
    const card = reporter.locator('#stream > article[data-message-id^="service:email|"]').filter({ hasText: 'Mail is down for the whole floor' });
    await card.waitFor();
    const recordId = (await card.getAttribute('data-record-id'))!;
    expect(recordId).toMatch(/^INC\d+$/);
    await expect(stateOf(reporter, recordId).textContent()).resolves.toBe('New');

    const agent = await pageOf(SAM);
    await openChannel(agent, 'email');
    await cardOn(agent, recordId).locator('button[data-action-id="incident.ack"]').click();
    // The reporter's page, not reloaded, shows the change.
    await reporter.waitForFunction((id) => document.querySelector(`#stream > article[data-message-id][data-record-id="${id}"] dl`)?.textContent?.includes('In progress'), recordId, { timeout: 15_000 });

    await cardOn(agent, recordId).locator('button[data-action-id="incident.resolve.form"]').click();
    const resolveForm = agent.locator('#form-dialog form[data-submit-id="incident.resolve"]');
    await resolveForm.waitFor();
    await resolveForm.locator('#field-code').selectOption('solved_workaround');
    await resolveForm.locator('#field-notes').fill('Restarted the mail gateway.');
    await resolveForm.locator('button[type=submit]').click();
    await reporter.waitForFunction((id) => document.querySelector(`#stream > article[data-message-id][data-record-id="${id}"] dl`)?.textContent?.includes('Resolved'), recordId, { timeout: 15_000 });
    await expect(cardOn(reporter, recordId).locator('.thread li').count()).resolves.toBeGreaterThanOrEqual(2);
    await reporter.screenshot({ path: join(SCREENSHOTS_DIR, 'console-reporter.png'), fullPage: true });
    await agent.screenshot({ path: join(SCREENSHOTS_DIR, 'console-agent.png'), fullPage: true });
    await reporter.context().close();
    await agent.context().close();
  });

  it('shows a form\'s error beside its field and keeps the form open', async () => {
    const page = await pageOf(JAMIE);
    await page.fill('#command', '/incident');
    await page.press('#command', 'Enter');
    const form = page.locator('#form-dialog form[data-submit-id="incident.report"]');
    await form.waitFor();
    await form.locator('#field-service').selectOption('email');
    await form.locator('button[type=submit]').click();
    // The answer comes back from opsdesk: waited for, then read.
    await page.waitForFunction(() => (document.querySelector('[data-error-for="summary"]')?.textContent ?? '') !== '', undefined, { timeout: 10_000 });
    expect(await form.locator('[data-error-for="summary"]').textContent()).toMatch(/\S/);
    expect(await form.isVisible()).toBe(true);
    await expect(form.locator('.field[data-field-id="summary"]').getAttribute('class')).resolves.toContain('invalid');
    await page.screenshot({ path: join(SCREENSHOTS_DIR, 'console-form-error.png') });
    await page.context().close();
  });

  it('draws the dashboard\'s charts with their data points', async () => {
    const page = await pageOf(SAM);
    await page.locator('#conversations [data-conversation="dashboard"]').click();
    for (const chart of ['opened-resolved', 'sla-compliance', 'mtta', 'mttr']) {
      await page.locator(`[data-chart="${chart}"] svg`).waitFor({ timeout: 20_000 });
    }
    // Thirty days of opened and resolved: a symbol per day and series.
    const points = await page.locator('[data-chart="opened-resolved"] svg .mark-symbol path').count();
    expect(points).toBeGreaterThanOrEqual(30);
    await page.screenshot({ path: join(SCREENSHOTS_DIR, 'dashboard.png'), fullPage: true });
    await page.context().close();
  });
});
