// The ui page against hostile input and hostile neighbours, in a real browser: messages, names and file names built
// to inject markup or script, disguise a file's type, or break the layout render as inert text; a page on another
// port of this machine (same site, other origin) cannot use the person's cookie; a DNS-rebinding name is refused;
// and the page itself reaches nothing but its own server and trips no CSP or Trusted Types check.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it, onTestFinished } from 'vitest';

import { openSqliteStore } from '../src/store/sqlite/store.js';
import type { Store } from '../src/store/store.js';
import { describeWithBrowser, launchBrowser } from './helpers/browser.js';
import { nameAttachmentAsAnotherWriter } from './helpers/drivers.js';
import { tempDir } from './helpers/temp.js';
import { startUiProcess } from './helpers/ui-process.js';

const HOSTILE = [
  '<script>window.__pwned = 1</script>',
  '<img src=x onerror="window.__pwned = 2">',
  '[click me](javascript:window.__pwned=3) and [data](data:text/html,<script>alert(1)</script>)',
  '<a href="javascript:window.__pwned=4">raw link</a> javascript:window.__pwned=5',
  '![tracker](http://tracker.example/pixel.png)',
  '<iframe src="http://evil.example/"></iframe><style>body{display:none}</style>',
  'right-to-left override: \u202egnp.exe and \u2066isolate',
  'W'.repeat(65_000),
  `${'['.repeat(20_000)}] ${'*'.repeat(20_000)} ${'`'.repeat(5_000)}`,
];

/** A page on another port of this machine that tries to use the ui's cookie; it reports what it could do. */
function attackerPage(target: string): string {
  const script = [
    '(async () => {',
    '  const results = {};',
    `  const send = { method: 'POST', mode: 'no-cors', credentials: 'include', headers: { 'Content-Type': 'text/plain' } };`,
    `  try { await fetch('${target}/api/send', { ...send, body: '{"to":"*","message":"csrf"}' }); results.sent = 'answered'; }`,
    `  catch { results.sent = 'refused'; }`,
    `  try { await fetch('${target}/api/read', { ...send, body: '{"up_to":1000000}' }); } catch {}`,
    `  try { results.read = await (await fetch('${target}/api/history', { credentials: 'include' })).text(); }`,
    `  catch { results.read = 'blocked'; }`,
    '  results.image = await new Promise((resolve) => {',
    `    const i = new Image(); i.onload = () => resolve('loaded'); i.onerror = () => resolve('blocked');`,
    `    i.src = '${target}/api/attachments/1';`,
    '  });',
    '  results.events = await new Promise((resolve) => {',
    `    const s = new EventSource('${target}/api/events', { withCredentials: true });`,
    `    s.onmessage = () => resolve('read'); s.onerror = () => { s.close(); resolve('blocked'); };`,
    '  });',
    // A plain form post (no CORS at all) into a hidden frame; done when that frame has loaded the answer.
    `  await new Promise((resolve) => { document.getElementById('sink').onload = resolve; document.getElementById('form').submit(); });`,
    '  window.__results = results;',
    '})();',
  ].join('\n');
  return [
    '<!doctype html><body>',
    '<iframe name="sink" id="sink"></iframe>',
    `<iframe id="frame" src="${target}/"></iframe>`,
    `<form id="form" method="POST" action="${target}/api/clear" target="sink" enctype="text/plain">`,
    `<input name='{"a":"' value='"}'></form>`,
    `<script>${script}</script></body>`,
  ].join('\n');
}

describeWithBrowser(
  'ui against hostile input, in Chromium',
  () => {
    let browser: Browser;
    beforeAll(async () => {
      // rebind.test resolves to this machine, as an attacker's name does after DNS rebinding.
      browser = await launchBrowser(['--host-resolver-rules=MAP rebind.test 127.0.0.1']);
    }, 60_000);
    afterAll(async () => browser?.close());

    const open = async (seed: (store: Store) => Promise<void>) => {
      const home = tempDir();
      const db = path.join(home, '.relay_buffer.db');
      const store = openSqliteStore(db);
      onTestFinished(() => store.close());
      await seed(store);
      const ui = await startUiProcess(home, [], { RELAY_DB: db });
      const context = await browser.newContext({ viewport: { width: 1000, height: 800 } });
      onTestFinished(() => context.close());
      // Every CSP or Trusted Types violation the page trips, recorded before its own script runs.
      await context.addInitScript({
        content: `window.__violations = [];
        addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));`,
      });
      const page: Page = await context.newPage();
      const requests: string[] = [];
      const dialogs: string[] = [];
      page.on('request', (request) => requests.push(request.url()));
      page.on('dialog', (dialog) => {
        dialogs.push(dialog.message());
        void dialog.dismiss();
      });
      await page.goto(ui.link);
      await page.locator('.live.on').waitFor();
      return { store, ui, page, context, requests, dialogs };
    };

    it('shows hostile messages, names and file names as inert text, stored or arriving live', async () => {
      const { store, ui, page, requests, dialogs } = await open(async (store) => {
        await store.registerSession({
          kind: 'cursor',
          name: 'agent',
          cwd: '/tmp/<img src=x onerror="window.__pwned=6">/\u202eevil',
          host: os.hostname(),
          pid: process.pid,
          observer: false,
        });
        for (const message of HOSTILE.slice(0, 5)) await store.send({ sender: 'cursor', from: 'agent', message });
        const sent = await store.send({
          sender: 'cursor',
          from: 'agent',
          message: 'files',
          attachments: [
            { name: 'invoice.pdf', mediaType: 'application/pdf', data: Buffer.from('%PDF') },
            {
              name: '<svg onload=window.__pwned=7>.png',
              mediaType: 'image/png',
              data: Buffer.from('<svg onload=alert(1)>'),
            },
            {
              name: 'logo.svg',
              mediaType: 'image/svg+xml',
              data: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
            },
          ],
        });
        // relay refuses a name with a bidi override on send; another program writing the buffer can still store one.
        nameAttachmentAsAnotherWriter(store.location, sent.message.attachments![0]!.id, 'invoice\u202efdp.exe');
      });
      for (const message of HOSTILE.slice(5)) await store.send({ sender: 'cursor', from: 'agent', message });
      await page.locator('article.msg', { hasText: 'files' }).waitFor();
      await expect.poll(() => page.locator('article.msg').count()).toBe(HOSTILE.length + 1);

      // Each message's text is there, literally.
      const bodies = await page.locator('article.msg .body').allTextContents();
      for (const text of [
        '<script>window.__pwned = 1</script>',
        '<img src=x onerror="window.__pwned = 2">',
        'raw link</a>',
        '<style>',
      ]) {
        expect(
          bodies.some((body) => body.includes(text)),
          text,
        ).toBe(true);
      }
      // Nothing ran, nothing became markup, and every link is http(s) or mail (javascript: and data: stayed text).
      const inspection = (await page.evaluate(`(() => ({
      pwned: window.__pwned,
      scripts: document.scripts.length,
      handlers: [...document.querySelectorAll('*')].flatMap((e) => [...e.attributes].map((a) => a.name))
        .filter((name) => name.startsWith('on')),
      foreign: [...document.querySelectorAll('iframe, style, svg, object, embed')].length,
      hrefs: [...document.querySelectorAll('a[href]')].map((a) => a.href),
      images: [...document.querySelectorAll('img')].map((i) => i.src),
      violations: window.__violations,
      overflow: document.documentElement.scrollWidth - window.innerWidth,
    }))()`)) as {
        pwned: unknown;
        scripts: number;
        handlers: string[];
        foreign: number;
        hrefs: string[];
        images: string[];
        violations: string[];
        overflow: number;
      };
      expect(inspection.pwned).toBeUndefined();
      expect(dialogs).toEqual([]);
      expect(inspection.scripts).toBe(1);
      expect(inspection.handlers).toEqual([]);
      expect(inspection.foreign).toBe(0);
      for (const href of inspection.hrefs) expect(new URL(href).protocol, href).toMatch(/^(https?|mailto):$/);
      expect(inspection.hrefs.some((href) => href.startsWith('http://tracker.example/'))).toBe(true);
      expect(inspection.images.every((src) => src.startsWith(`${ui.origin}/api/attachments/`))).toBe(true);
      expect(inspection.violations).toEqual([]);
      // A 64 KB line wraps inside its message instead of widening the page.
      expect(inspection.overflow).toBeLessThanOrEqual(0);

      // Bidi controls in names show as marks, so "invoice‮fdp.exe" cannot pass for a PDF; the SVG is a download only.
      const files = page.locator('article.msg', { hasText: 'files' });
      await expect(files.locator('.file-name').allTextContents()).resolves.toEqual([
        'invoice⟨U+202E⟩fdp.exe',
        '<svg onload=window.__pwned=7>.png',
        'logo.svg',
      ]);
      await expect(files.locator('li.file', { hasText: 'logo.svg' }).locator('img').count()).resolves.toBe(0);
      await expect(page.locator('.sessions .entry-detail', { hasText: 'onerror' }).textContent()).resolves.toContain(
        '⟨U+202E⟩evil',
      );
      // The page fetched nothing from anywhere else (the Markdown image is a link, never loaded).
      expect(requests.filter((url) => !url.startsWith(`${ui.origin}/`))).toEqual([]);
    });

    it('keeps another site on this machine out, though the browser sends it the cookie (same site, other port)', async () => {
      const { store, ui, context } = await open(async (store) => {
        await store.send({
          sender: 'desktop',
          message: 'private',
          attachments: [{ name: 'a.png', mediaType: 'image/png', data: Buffer.from('png') }],
        });
      });
      await store.send({ sender: 'desktop', to: 'user', message: 'for you' });
      const target = ui.origin;
      const attacker = http.createServer((_req, res) => {
        res.writeHead(200, { 'Content-Type': 'text/html' });
        res.end(attackerPage(ui.origin));
      });
      await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
      onTestFinished(() => new Promise<void>((resolve) => attacker.close(() => resolve())));
      const page = await context.newPage();
      await page.goto(`http://127.0.0.1:${(attacker.address() as AddressInfo).port}/`);
      const results = await page.waitForFunction('window.__results').then((handle) => handle.jsonValue());
      // The send's answer is unreadable either way (opaque, or refused by Cross-Origin-Resource-Policy); what matters is
      // that the store never saw it (below).
      expect(results).toMatchObject({ read: 'blocked', image: 'blocked', events: 'blocked' });
      // The framed page is refused (X-Frame-Options / frame-ancestors), and the store saw neither the send, the
      // mark-read nor the clear.
      const frame = page.frames().find((f) => f.url().startsWith(target));
      expect(
        frame === undefined || (await frame.evaluate('document.body?.innerText ?? ""').catch(() => '')),
      ).not.toContain('relay');
      const history = await store.history({ limit: 10 });
      expect(history.map((m) => m.message)).toEqual(['private', 'for you']);
      // Nor the mark-read: the person's mail is still unread.
      expect(history[1]!.recipients).toEqual([expect.objectContaining({ kind: 'user', read_at: null })]);
    });

    it('refuses a page that reaches it by another name (DNS rebinding), even with the link', async () => {
      const { ui, context } = await open(async () => {});
      const page = await context.newPage();
      const port = new URL(ui.origin).port;
      const response = await page.goto(`http://rebind.test:${port}/?s=anything`);
      expect(response?.status()).toBe(403);
      await expect(page.locator('h1').textContent()).resolves.toBe('Forbidden');
      const api = await page.goto(`http://rebind.test:${port}/api/history`);
      expect(api?.status()).toBe(403);
    });
  },
  { oncePerCiRun: true },
);
