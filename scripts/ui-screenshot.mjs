// Makes docs/ui.png (and docs/ui-phone-dark.png) from the real page: a temp HOME, a Desktop and two Code relays
// (spawned from dist/, talking through the SDK client), a short conversation between them and the person, then
// `mcp-relay ui` opened in headless Chromium (Debian's, through playwright-core). Run after `npm run build`:
//   node scripts/ui-screenshot.mjs [--out DIR]
// It writes only the images and its temp directory (removed at the end).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

import { launchChromium } from './chromium.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'dist', 'cli.js');
const { values } = parseArgs({ options: { out: { type: 'string' } } });
const out = path.resolve(values.out ?? path.join(root, 'docs'));
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'relay-ui-shot-'));
const env = { HOME: home, PATH: process.env.PATH ?? '/usr/bin:/bin', RELAY_DB: path.join(home, '.relay_buffer.db') };
const clients = [];
let ui;
let browser;

async function relay(kind, name, cwd) {
  fs.mkdirSync(cwd, { recursive: true });
  const client = new Client({ name: `shot-${name}`, version: '0' });
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [cli, '--client', kind, '--name', name, '--no-notify'],
      env,
      cwd,
      stderr: 'ignore',
    }),
  );
  clients.push(client);
  const call = async (tool, args = {}) => {
    const result = await client.callTool({ name: tool, arguments: args });
    if (result.isError) throw new Error(`${tool}: ${result.content[0].text}`);
    return result.structuredContent ?? JSON.parse(result.content[0].text);
  };
  return { send: (args) => call('relay_send', args), fetch: (args = {}) => call('relay_fetch', args) };
}

try {
  const desktop = await relay('desktop', 'desktop', path.join(home, 'Documents', 'plans'));
  const api = await relay('code', 'shop-api', path.join(home, 'src', 'shop-api'));
  const web = await relay('code', 'shop-web', path.join(home, 'src', 'shop-web'));

  ui = spawn(process.execPath, [cli, 'ui'], { env, stdio: ['pipe', 'pipe', 'ignore'] });
  const link = await new Promise((resolve, reject) => {
    readline.createInterface({ input: ui.stdout }).once('line', resolve);
    ui.once('exit', (code) => reject(new Error(`mcp-relay ui exited (${code})`)));
  });

  const plan = await desktop.send({
    message:
      '## Plan for the checkout rework\n\n1. **shop-api**: add `POST /orders/{id}/refund` (idempotent, keyed by `Refund-Key`).\n' +
      '2. **shop-web**: a *Refund* button on the order page, behind the `refunds` flag.\n\nReply here when each part is done.',
  });
  await api.fetch();
  await web.fetch();
  const done = await api.send({
    to: 'desktop',
    reply_to: plan.id,
    message: 'Refund endpoint is in, with tests. The schema change is attached; `Refund-Key` is stored for 24 h.',
    attachments: [
      {
        name: 'refunds.sql',
        content: 'ALTER TABLE orders ADD COLUMN refunded_at timestamptz;\n',
        media_type: 'text/plain',
      },
    ],
  });
  await desktop.fetch();
  await desktop.send({
    to: 'shop-web',
    message:
      'The API part is done (#' + done.id + '). Go ahead with the button; the endpoint is `POST /orders/{id}/refund`.',
  });
  await web.send({
    to: 'desktop',
    message: 'Working on it. Question: should a partial refund be possible, or only the whole order?',
  });

  browser = await launchChromium();
  const shoot = async (file, contextOptions, prepare) => {
    const context = await browser.newContext(contextOptions);
    const page = await context.newPage();
    await page.goto(link);
    await page.getByText('should a partial refund').waitFor();
    await prepare?.(page);
    await page.screenshot({ path: path.join(out, file) });
    await context.close();
    // The link works once: the next context needs a new one.
    ui.stdin.write('\n');
  };
  let next = link;
  ui.stdout.on('data', (chunk) => (next = String(chunk).trim().split('\n').pop()));
  await shoot('ui.png', { viewport: { width: 1280, height: 800 }, colorScheme: 'light' }, async (page) => {
    await page
      .locator('article.msg', { hasText: 'partial refund' })
      .getByRole('button', { name: 'Reply', exact: true })
      .click();
    await page.locator('#compose-text').fill('Whole order only for now; partial refunds come later.');
  });
  await new Promise((resolve) => setTimeout(resolve, 200));
  const phoneLink = next;
  const context = await browser.newContext({
    viewport: { width: 390, height: 800 },
    colorScheme: 'dark',
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
  });
  const page = await context.newPage();
  await page.goto(phoneLink);
  await page.getByText('should a partial refund').waitFor();
  await page.screenshot({ path: path.join(out, 'ui-phone-dark.png') });
  await context.close();
  process.stdout.write(`wrote ${path.join(out, 'ui.png')} and ui-phone-dark.png\n`);
} finally {
  await browser?.close();
  ui?.kill('SIGINT');
  await Promise.all(clients.map((c) => c.close().catch(() => {})));
  fs.rmSync(home, { recursive: true, force: true });
}
