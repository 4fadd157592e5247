// The `mcp-relay ui` page for the bench: the built CLI's ui command on a temp HOME, opened in headless Chromium
// (Debian's, through playwright-core), and a wait for a message to be visible in it: in the page's DOM, then one
// animation frame (the frame that paints it). Used by the `delivery-ui` figure in bench/run.mjs.
import { spawn } from 'node:child_process';
import readline from 'node:readline';

import { chromiumPath, launchChromium } from '../../scripts/chromium.mjs';

/* global document, MutationObserver, requestAnimationFrame -- in the page */

/** Why the figure cannot be measured here, or null. */
export async function uiUnavailable() {
  if (chromiumPath() === null) return 'no Chromium (Debian: apt-get install chromium; or set RELAY_CHROMIUM)';
  try {
    await import('playwright-core');
    return null;
  } catch {
    return 'playwright-core is not installed (npm install)';
  }
}

/** Starts `mcp-relay ui` on `env`'s buffer and opens its page; `visible(text)` resolves when a message shows. */
export async function openUiPage(cli, env) {
  const ui = spawn(process.execPath, [cli, 'ui'], { env, stdio: ['pipe', 'pipe', 'ignore'] });
  const link = await new Promise((resolve, reject) => {
    readline.createInterface({ input: ui.stdout }).once('line', resolve);
    ui.once('exit', (code) => reject(new Error(`mcp-relay ui exited (${code})`)));
  });
  const browser = await launchChromium();
  const page = await browser.newPage();
  await page.goto(link);
  await page.locator('.live.on').waitFor();
  return {
    /**
     * Arms a watch for a message with exactly this text; the returned promise resolves once it is in the page and
     * a frame has been drawn after it. Arm it before sending.
     */
    async visible(text) {
      const handle = await page.evaluateHandle((wanted) => {
        const list = document.querySelector('.list');
        const has = () => [...list.querySelectorAll('article.msg .body')].some((b) => b.textContent === wanted);
        return {
          done: new Promise((resolve) => {
            const observer = new MutationObserver(() => {
              if (!has()) return;
              observer.disconnect();
              requestAnimationFrame(() => resolve(true));
            });
            observer.observe(list, { childList: true, subtree: true });
          }),
        };
      }, text);
      return () => handle.evaluate((watch) => watch.done);
    },
    async close() {
      await browser.close();
      ui.kill('SIGINT');
    },
  };
}
