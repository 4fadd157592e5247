// Headless Chromium for the ui page's tests, bench row and screenshots: Debian's binary (or RELAY_CHROMIUM), driven
// by playwright-core, with nothing of the browser's own reaching the network (playwright gives it a fresh temp
// profile). One place for the binary and the flags.
import fs from 'node:fs';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The Chromium binary to use, or null when there is none. */
export function chromiumPath(env = process.env) {
  const candidates = [env.RELAY_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  return candidates.find((file) => file !== undefined && file !== '' && fs.existsSync(file)) ?? null;
}

/** Launches it (throws when there is none); `extraArgs` after the standard flags. */
export async function launchChromium(extraArgs = []) {
  const executablePath = chromiumPath();
  if (executablePath === null) throw new Error('no Chromium (Debian: apt-get install chromium; or set RELAY_CHROMIUM)');
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath, args: [...CHROMIUM_ARGS, ...extraArgs] });
}
