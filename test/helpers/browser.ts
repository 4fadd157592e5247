// A real browser for the ui tests: Debian's Chromium, driven by playwright-core. Where it is missing the tests skip
// LOUDLY, except in CI (CI or RELAY_BROWSER_REQUIRED set), where they fail. RELAY_CHROMIUM names another binary.
import type { Browser } from 'playwright-core';
import { describe, it } from 'vitest';

import { chromiumPath as findChromium, launchChromium } from '../../scripts/chromium.mjs';
import { repeatPass } from './node-versions.js';

export const chromiumPath: string | null = findChromium();
export const browserRequired = Boolean(process.env.CI) || process.env.RELAY_BROWSER_REQUIRED === '1';

/** Runs `body` (a suite) when Chromium is here; otherwise says why, loudly, or fails in CI. */
export function describeWithBrowser(name: string, body: () => void, options: { oncePerCiRun?: boolean } = {}): void {
  if (chromiumPath !== null) {
    // What only the page decides (not the Node running the server) runs once per CI run, in its first pass.
    describe.skipIf(options.oncePerCiRun === true && repeatPass(name))(name, body);
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

/** Headless Chromium with the standard flags (scripts/chromium.mjs) and any extra ones. */
export function launchBrowser(extraArgs: string[] = []): Promise<Browser> {
  return launchChromium(extraArgs);
}
