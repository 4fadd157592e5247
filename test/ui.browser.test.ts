// `mcp-relay ui` in a real browser (headless Chromium): a live conversation between a Desktop and two Code
// sessions, the person replying and composing, search, filters, attachments (preview, download), forward, clear
// behind a confirmation, the keyboard, light and dark, a phone's width, and PostgreSQL as well as SQLite.
import fs from 'node:fs';
import path from 'node:path';

import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';

import { openSqliteStore } from '../src/store/sqlite/store.js';
import type { Store } from '../src/store/store.js';
import { describeWithBrowser, launchBrowser } from './helpers/browser.js';
import { postgres, testDatabase } from './helpers/postgres.js';
import { spawnClient } from './helpers/spawn.js';
import { tempDir } from './helpers/temp.js';
import { liveSession } from './helpers/ui.js';
import { startUiProcess, type UiProcess } from './helpers/ui-process.js';

/** A 1x1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

async function call(client: Client, name: string, args: Record<string, unknown> = {}) {
  const result = await client.callTool({ name, arguments: args });
  const content = result.content as { text: string }[];
  if (result.isError === true) throw new Error(`${name}: ${content[0]?.text}`);
  return (result.structuredContent ?? JSON.parse(content[0]!.text)) as Record<string, unknown>;
}

describeWithBrowser('ui in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => browser?.close());

  /** A temp HOME with its buffer, `mcp-relay ui` on it, and a page signed in through the link. */
  const world = async (
    options: {
      viewport?: { width: number; height: number };
      colorScheme?: 'light' | 'dark';
      db?: string;
      /** Writes to the (SQLite) buffer before the page opens. */
      seed?: (store: Store) => Promise<void>;
    } = {},
  ) => {
    const home = tempDir();
    const db = options.db ?? path.join(home, '.relay_buffer.db');
    if (options.seed !== undefined) {
      const store = openSqliteStore(db);
      await options.seed(store).finally(() => store.close());
    }
    const env = { RELAY_DB: db };
    const ui: UiProcess = await startUiProcess(home, [], env);
    const context = await browser.newContext({
      viewport: options.viewport ?? { width: 1200, height: 800 },
      colorScheme: options.colorScheme ?? 'light',
      acceptDownloads: true,
    });
    const page: Page = await context.newPage();
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
    await page.goto(ui.link);
    await page.locator('.live.on').waitFor();
    const relay = async (kind: string, name: string) => {
      const cwd = path.join(home, 'src', name);
      fs.mkdirSync(cwd, { recursive: true });
      return (await spawnClient(['--client', kind, '--name', name, '--no-notify'], home, env, { cwd })).client;
    };
    return { home, db, ui, context, page, requests, errors, relay };
  };
  const article = (page: Page, text: string) => page.locator('article.msg', { hasText: text });

  it('shows a live conversation between a Desktop and two Code sessions; the person replies and writes to one', async () => {
    const { page, relay, requests, errors, ui, db } = await world();
    const [desktop, api, web] = await Promise.all([
      relay('desktop', 'desktop'),
      relay('code', 'api'),
      relay('code', 'web'),
    ]);
    await page.locator('.sessions .entry', { hasText: 'web' }).waitFor();
    for (const name of ['desktop', 'api', 'web', 'You'])
      await expect(page.locator('.sessions .entry-name', { hasText: name }).count()).resolves.toBeGreaterThan(0);

    const plan = await call(desktop, 'relay_send', { message: 'Plan: **api** adds the endpoint, web the button.' });
    const planned = article(page, 'Plan: api adds');
    await planned.waitFor();
    await expect(planned.locator('strong').textContent()).resolves.toBe('api');
    await expect(planned.locator('.rcpt').allTextContents()).resolves.toEqual([
      expect.stringMatching(/^api delivered/),
      expect.stringMatching(/^web delivered/),
    ]);

    // api reads it: its chip turns read, web's stays delivered.
    await call(api, 'relay_fetch');
    await planned.locator('.rcpt.read', { hasText: 'api' }).waitFor();
    await expect(planned.locator('.rcpt:not(.read)').allTextContents()).resolves.toEqual([
      expect.stringMatching(/^web delivered/),
    ]);

    const done = await call(api, 'relay_send', { message: 'Endpoint done.', reply_to: plan.id });
    const answer = article(page, 'Endpoint done.');
    await answer.waitFor();
    await expect(answer.locator('.reply-ref').textContent()).resolves.toContain(`in reply to #${plan.id}`);

    // The person replies to api's message with the Reply button and Ctrl+Enter.
    await answer.getByRole('button', { name: 'Reply', exact: true }).click();
    await expect(page.locator('#compose-to').inputValue()).resolves.toBe('api');
    await page.locator('#compose-text').fill('Thanks, api. Next: the docs.');
    await page.locator('#compose-text').press('Control+Enter');
    await page.locator('.status', { hasText: 'Sent to api' }).waitFor();
    await article(page, 'Next: the docs.').waitFor();
    const [reply] = (await call(api, 'relay_fetch')).messages as Record<string, unknown>[];
    expect(reply).toMatchObject({
      message: 'Thanks, api. Next: the docs.',
      sender: 'user',
      from: 'user',
      reply_to: done.id,
    });

    // And writes to web, picked in the address list.
    await page.locator('#compose-to').selectOption('web');
    await page.locator('#compose-text').fill('web: can you take the button?');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await page.locator('.status', { hasText: 'Sent to web' }).waitFor();
    const received = (await call(web, 'relay_fetch')).messages as Record<string, unknown>[];
    expect(received.map((m) => m.message)).toEqual([
      'Plan: **api** adds the endpoint, web the button.',
      'web: can you take the button?',
    ]);

    // An agent answers the person by name: it shows as to You, and nothing was marked read by watching.
    await call(web, 'relay_send', { to: 'user', message: 'Yes, on it.' });
    await expect(article(page, 'Yes, on it.').locator('.to').textContent()).resolves.toBe('You');
    expect(((await call(desktop, 'relay_fetch')).messages as unknown[]).length).toBe(1);

    // Showing the person their mail marks none of it read: not as it arrives, not in a fresh page's snapshot.
    await page.reload();
    await page.locator('.live.on').waitFor();
    await call(web, 'relay_send', { to: '*', message: 'Build is green.' });
    const green = article(page, 'Build is green.');
    await green.waitFor();
    const you = (message: string) => article(page, message).locator('.rcpt', { hasText: 'You' });
    await expect(you('Yes, on it.').getAttribute('class')).resolves.toBe('rcpt');
    await expect(you('Build is green.').getAttribute('class')).resolves.toBe('rcpt');
    const unreadForYou = async () => {
      const store = openSqliteStore(db);
      const waiting = await store
        .fetch({ reader: { kind: 'user', name: 'user' }, limit: 20, unreadOnly: true, mark: false })
        .finally(() => store.close());
      return waiting.map((m) => m.message);
    };
    await expect(unreadForYou()).resolves.toEqual(['Yes, on it.', 'Build is green.']);
    // The person says so (m): their own copies turn read; Desktop's copy of the broadcast stays unread.
    await page.getByRole('button', { name: 'Mark your mail read (2)' }).waitFor();
    await page.locator('.view-title').click();
    await page.keyboard.press('m');
    await you('Build is green.').and(page.locator('.read')).waitFor();
    await you('Yes, on it.').and(page.locator('.read')).waitFor();
    await page.locator('.mark-read').waitFor({ state: 'hidden' });
    await expect(green.locator('.rcpt:not(.read) .rcpt-name').allTextContents()).resolves.toEqual(['api', 'desktop']);
    await expect(unreadForYou()).resolves.toEqual([]);
    expect(((await call(desktop, 'relay_fetch')).messages as { message: string }[]).map((m) => m.message)).toEqual([
      'Build is green.',
    ]);

    expect(new URL(page.url()).search).toBe('');
    expect(
      requests.every((url) => url.startsWith(`${ui.origin}/`)),
      requests.join('\n'),
    ).toBe(true);
    expect(errors).toEqual([]);
  });

  it('searches, filters by session and by thread, and pages back', async () => {
    let root = 0;
    const { page, db } = await world({
      // Written before the page opens: it starts from the newest 100, the question is older.
      seed: async (store) => {
        await liveSession(store, 'code', 'api');
        root = (await store.send({ sender: 'code', from: 'api', message: 'Which database for the cache?' })).message.id;
        for (let i = 1; i <= 150; i++) await store.send({ sender: 'cursor', message: `filler ${i}` });
        await store.send({ sender: 'desktop', replyTo: root, message: 'Redis, with a TTL.' });
      },
    });
    const question = page.locator('article.msg .body', { hasText: 'Which database' });
    await article(page, 'Redis, with a TTL.').waitFor();
    await expect(question.count()).resolves.toBe(0);

    await page.keyboard.press('/');
    await page.keyboard.type('database cache');
    await page.keyboard.press('Enter');
    const hit = page.locator('button.hit');
    await hit.first().waitFor();
    await expect(hit.count()).resolves.toBe(1);
    await expect(hit.locator('mark').allTextContents()).resolves.toEqual(['database', 'cache']);
    await hit.click();
    await page.locator('.view-title', { hasText: `Thread of #${root}` }).waitFor();
    await expect
      .poll(() => page.locator('article.msg .body').allTextContents())
      .toEqual(['Which database for the cache?', 'Redis, with a TTL.']);

    // Esc goes back to everything; "Load older" reaches the question.
    await page.locator('body').press('Escape');
    await page.locator('.view-title', { hasText: 'All messages' }).waitFor();
    await article(page, 'filler 150').waitFor();
    await expect(question.count()).resolves.toBe(0);
    await page.getByRole('button', { name: 'Load older messages' }).click();
    await question.waitFor();

    await page.locator('.sessions .entry', { hasText: 'api' }).first().click();
    await page.locator('.view-title', { hasText: 'Session api' }).waitFor();
    await expect
      .poll(() => page.locator('article.msg .body').allTextContents())
      .toEqual(['Which database for the cache?', 'Redis, with a TTL.']);
    // Live messages that belong to the filter join it; others do not.
    const store: Store = openSqliteStore(db);
    try {
      await store.send({ sender: 'desktop', to: 'api', message: 'For api only' });
      await store.send({ sender: 'cursor', message: 'For desktop in general' });
      await article(page, 'For api only').waitFor();
      await expect(article(page, 'For desktop in general').count()).resolves.toBe(0);
      await page.locator('.sessions .entry', { hasText: 'All messages' }).click();
      await article(page, 'For desktop in general').waitFor();
      await expect(article(page, 'For api only').count()).resolves.toBe(1);
    } finally {
      await store.close();
    }
  });

  it('previews images and text, downloads files, forwards, and clears only after a confirmation', async () => {
    const { page, db, relay } = await world();
    const web = await relay('code', 'web');
    const store: Store = openSqliteStore(db);
    try {
      await store.send({
        sender: 'code',
        from: 'web',
        to: 'desktop',
        message: 'Screens and notes',
        attachments: [
          { name: 'shot.png', mediaType: 'image/png', data: PNG },
          { name: 'notes.md', mediaType: 'text/markdown', data: Buffer.from('# Notes\n<b>not bold</b>') },
          { name: 'page.html', mediaType: 'text/html', data: Buffer.from('<script>alert(1)</script>') },
        ],
      });
      const message = article(page, 'Screens and notes');
      await message.waitFor();
      await expect
        .poll(() =>
          page.evaluate(
            "(() => { const i = document.querySelector('img.preview'); return i.complete && i.naturalWidth; })()",
          ),
        )
        .toBe(1);
      await message.locator('li.file', { hasText: 'notes.md' }).getByRole('button', { name: 'Preview' }).click();
      await message.locator('.text-preview', { hasText: '# Notes' }).waitFor();
      await expect(message.locator('.text-preview').textContent()).resolves.toBe('# Notes\n<b>not bold</b>');
      // Desktop reads it meanwhile: the chip turns read, and the open preview stays open.
      await store.fetch({ reader: { kind: 'desktop', name: null }, limit: 5, unreadOnly: true });
      await message.locator('.rcpt.read').waitFor();
      await expect(message.locator('.text-preview').isVisible()).resolves.toBe(true);
      await expect(
        message.locator('li.file', { hasText: 'page.html' }).getByRole('button', { name: 'Preview' }).count(),
      ).resolves.toBe(0);

      const [download] = await Promise.all([
        page.waitForEvent('download'),
        message.locator('li.file', { hasText: 'page.html' }).getByRole('link', { name: 'Download' }).click(),
      ]);
      expect(download.suggestedFilename()).toBe('page.html');
      expect(fs.readFileSync((await download.path())!, 'utf8')).toBe('<script>alert(1)</script>');

      await message.getByRole('button', { name: 'Forward' }).click();
      const dialog = page.locator('dialog[open]');
      await dialog.locator('#forward-to').selectOption('web');
      await dialog.getByRole('button', { name: 'Forward' }).click();
      await page.locator('.status', { hasText: 'Sent to web' }).waitFor();
      const [forwarded] = (await call(web, 'relay_fetch')).messages as {
        message: string;
        attachments: { name: string }[];
      }[];
      expect(forwarded!.message).toMatch(/^Forwarded from web \(#\d+, .*\):\n\nScreens and notes$/);
      expect(forwarded!.attachments.map((a) => a.name)).toEqual(['shot.png', 'notes.md', 'page.html']);

      // Clear: the dialog's default is Cancel; nothing goes until "Delete everything".
      await page.getByRole('button', { name: 'Clear…' }).click();
      await page.keyboard.press('Enter');
      await expect(page.locator('dialog[open]').count()).resolves.toBe(0);
      expect((await store.stats()).total).toBe(2);
      await page.getByRole('button', { name: 'Clear…' }).click();
      await page.locator('dialog[open]').getByRole('button', { name: 'Delete everything' }).click();
      await page.locator('.status', { hasText: 'Deleted 2 messages' }).waitFor();
      await expect.poll(() => page.locator('article.msg').count()).toBe(0);
      expect((await store.stats()).total).toBe(0);
    } finally {
      await store.close();
    }
  });

  it('is keyboard-usable: j/k move between messages, r replies, Esc cancels', async () => {
    const { page, db } = await world();
    const store: Store = openSqliteStore(db);
    try {
      await liveSession(store, 'code', 'api');
      await store.send({ sender: 'code', from: 'api', to: 'desktop', message: 'first' });
      await store.send({ sender: 'code', from: 'api', to: 'desktop', message: 'second' });
      await article(page, 'second').waitFor();
      await page.locator('.view-title').click();
      await page.keyboard.press('j');
      await expect(page.locator(':focus').textContent()).resolves.toContain('first');
      await page.keyboard.press('j');
      await expect(page.locator(':focus').textContent()).resolves.toContain('second');
      await page.keyboard.press('k');
      await page.keyboard.press('r');
      await expect(page.locator('.replying').textContent()).resolves.toContain('Replying to');
      await expect(page.evaluate('document.activeElement.id')).resolves.toBe('compose-text');
      await page.keyboard.type('via keys');
      await page.keyboard.press('Control+Enter');
      await page.locator('.status', { hasText: 'Sent to api' }).waitFor();
      const [sent] = await store.fetch({ reader: { kind: 'code', name: 'api' }, limit: 5, unreadOnly: true });
      expect(sent).toMatchObject({ message: 'via keys', reply_to: (await store.history({ limit: 10 }))[0]!.id });
    } finally {
      await store.close();
    }
  });

  it('follows the system’s dark mode and fits a phone: the sessions sit behind a button', async () => {
    const { page } = await world({ viewport: { width: 390, height: 800 }, colorScheme: 'dark' });
    const background = String(await page.evaluate('getComputedStyle(document.body).backgroundColor'));
    const [r, g, b] = background.match(/\d+/g)!.map(Number);
    expect(r! + g! + b!).toBeLessThan(150);
    await expect(page.locator('.sessions').isVisible()).resolves.toBe(false);
    await page.getByRole('button', { name: 'Sessions' }).click();
    await expect(page.locator('.sessions').isVisible()).resolves.toBe(true);
    await page.locator('.sessions .entry', { hasText: 'All messages' }).click();
    await expect(page.locator('.sessions').isVisible()).resolves.toBe(false);
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
  });

  it.skipIf(postgres.adminUrl === null)('works the same on PostgreSQL: live messages and reads', async () => {
    const database = await testDatabase();
    const { page } = await world({ db: database.url });
    const store = await database.open();
    await store.send({ sender: 'desktop', message: 'over PostgreSQL' });
    const message = article(page, 'over PostgreSQL');
    await message.waitFor();
    await store.fetch({ reader: { kind: 'code', name: null }, limit: 5, unreadOnly: true });
    await message.locator('.rcpt.read').waitFor();
  });
});
