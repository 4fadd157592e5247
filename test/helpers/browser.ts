// A real browser for the ui tests: Debian's Chromium, driven by playwright-core. Where it is missing the tests skip
// LOUDLY, except in CI (CI or RELAY_BROWSER_REQUIRED set), where they fail. RELAY_CHROMIUM names another binary.
import fs from 'node:fs';

import { type Browser, chromium } from 'playwright-core';
import { describe, it } from 'vitest';

const candidates = [process.env.RELAY_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
export const chromiumPath: string | null =
  candidates.find((file) => file !== undefined && file !== '' && fs.existsSync(file)) ?? null;
export const browserRequired = Boolean(process.env.CI) || process.env.RELAY_BROWSER_REQUIRED === '1';

/** Runs `body` (a suite) when Chromium is here; otherwise says why, loudly, or fails in CI. */
export function describeWithBrowser(name: string, body: () => void): void {
  if (chromiumPath !== null) {
    describe(name, body);
    return;
  }
  const reason = 'Chromium not found (/usr/bin/chromium; set RELAY_CHROMIUM to use another)';
  if (browserRequired) {
    describe(name, () => {
      it('needs a real browser', () => {
        throw new Error(`${reason}; the browser tests are required here (Debian: apt-get install chromium).`);
      });
    });
    return;
  }
  process.stderr.write(
    `\n${'!'.repeat(100)}\n!! SKIPPING ${name}: ${reason}.\n` +
      `!! Install it (Debian: apt-get install chromium) to run them.\n${'!'.repeat(100)}\n\n`,
  );
  describe.skip(name, body);
}

/** Headless Chromium with nothing of its own reaching the network (playwright gives it a fresh temp profile). */
export function launchBrowser(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    ...(chromiumPath === null ? {} : { executablePath: chromiumPath }),
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...extraArgs,
    ],
  });
}
