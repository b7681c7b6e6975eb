import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

/** Debian's chromium (installed by .ci/run with apt-get); never a browser downloaded at run time. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Where the browser tests save their screenshots (.ci/run prints it). */
export const SCREENSHOTS_DIR = resolve(process.env.OPSDESK_SCREENSHOTS_DIR ?? 'test-results/screenshots');

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`no chromium at ${CHROMIUM_PATH}: apt-get install chromium (or set CHROMIUM_PATH)`);
  mkdirSync(SCREENSHOTS_DIR, { recursive: true });
  // No sandbox: CI runs as root, where chromium refuses its sandbox.
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}
