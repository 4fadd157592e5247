// 17.9: a Desktop behind `mcp-relay connect` gets desktop notifications on the person's machine, claimed through its
// HTTP session (relay/notices) and woken by the relay's resources/updated events, never by polling; exactly once in
// total with every other notifying relay and bridge; through the same notifiers as a local `--client desktop`.
// Fake notifiers only: a recording Notifier in process, a fake notify-send for the spawned CLI.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import { type JSONRPCMessage, ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it, onTestFinished } from 'vitest';

import { type Bridge, startBridge } from '../src/http/bridge.js';
import { bridgeNotices } from '../src/http/bridge-notices.js';
import { type Logger, silentLogger } from '../src/lib/log.js';
import { startArrivalNotices, storeNoticeSource } from '../src/notify/arrivals.js';
import type { Notification, Notifier } from '../src/notify/notification.js';
import { CLAIM_METHOD, ClaimResult, CONFIRM_METHOD, ConfirmResult, NOTICE_TEXT_CHARS } from '../src/server/notices.js';
import { fakeBin } from './helpers/fakes.js';
import { httpClient, spawnHttpServe, startRelay } from './helpers/http.js';
import { spawnClient } from './helpers/spawn.js';
import { tempDir } from './helpers/temp.js';

/** A Notifier that records, and resolves waiters when the count of messages it has shown reaches theirs. */
function recordingNotifier() {
  const shown: Notification[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  /** How many messages the notices stand for: one each, or N for a summary "N new messages for …". */
  const messages = () => shown.reduce((n, s) => n + Number(/^(\d+) new messages/.exec(s.title)?.[1] ?? 1), 0);
  const notifier: Notifier = {
    notify: async (notification) => {
      shown.push(notification);
      for (const w of [...waiters]) if (messages() >= w.count) w.resolve();
    },
    describe: () => 'recording',
  };
  const until = (count: number) =>
    messages() >= count ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ count, resolve }));
  return { notifier, shown, messages, until };
}

/** A logger that keeps warnings and counts the bridge's "subscribed" lines (one per session). */
function readyLogger() {
  const warnings: string[] = [];
  let subscribed = 0;
  const waiters: { count: number; resolve: () => void }[] = [];
  const log: Logger = {
    ...silentLogger,
    debug: (text) => {
      if (!text.startsWith('notifications: subscribed')) return;
      subscribed++;
      for (const w of waiters) if (subscribed >= w.count) w.resolve();
    },
    warn: (text) => warnings.push(text),
    error: (text) => warnings.push(text),
  };
  const sessions = (count: number) =>
    subscribed >= count ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ count, resolve }));
  return { log, sessions, warnings };
}

/** JSON-RPC methods of the requests a bridge sent over HTTP, in order. */
function countingFetch() {
  const methods: string[] = [];
  const fetchLike: FetchLike = async (url, init) => {
    if (typeof init?.body === 'string') {
      const parsed = JSON.parse(init.body) as JSONRPCMessage | JSONRPCMessage[];
      for (const m of Array.isArray(parsed) ? parsed : [parsed]) if ('method' in m) methods.push(m.method);
    }
    return fetch(url, init);
  };
  return { fetch: fetchLike, methods };
}

interface BridgedDesktop {
  client: Client;
  bridge: Bridge;
  recorded: ReturnType<typeof recordingNotifier>;
  methods: string[];
  /** Resolves once the bridge is subscribed in the session and its notices run. */
  ready: Promise<void>;
  /** Resolves once the bridge has subscribed in `count` sessions (a replay opens another). */
  sessions: (count: number) => Promise<void>;
  warnings: string[];
  /** resources/updated for messages://latest that reached the bridge from the relay. */
  updates: () => number;
}

/** A Desktop (SDK Client, in memory) behind a bridge with notices on, as `connect --client desktop` runs it. */
async function bridgedDesktop(url: string, name: string, recorded = recordingNotifier()): Promise<BridgedDesktop> {
  const counting = countingFetch();
  const logged = readyLogger();
  const notices = bridgeNotices({ notifier: recorded.notifier, log: logged.log, url: new URL(url) });
  let updates = 0;
  const [local, remoteEnd] = InMemoryTransport.createLinkedPair();
  const bridge = await startBridge({
    url: new URL(url),
    client: 'desktop',
    name,
    local,
    log: silentLogger,
    fetch: counting.fetch,
    ...notices.hooks,
    onRelayMessage: (message) => {
      if ('method' in message && message.method === 'notifications/resources/updated') updates++;
      return notices.hooks.onRelayMessage(message);
    },
  });
  notices.attach(bridge);
  onTestFinished(async () => {
    notices.stop();
    await bridge.close();
  });
  const client = new Client({ name: 'claude-desktop-stand-in', version: '0' });
  await client.connect(remoteEnd);
  return {
    client,
    bridge,
    recorded,
    methods: counting.methods,
    ready: logged.sessions(1),
    sessions: logged.sessions,
    warnings: logged.warnings,
    updates: () => updates,
  };
}

describe('notifications for a Desktop behind `mcp-relay connect`', () => {
  it('shows each message for it on this machine, claimed over the session and woken by resources/updated', async () => {
    const relay = await startRelay();
    const desktop = await bridgedDesktop(relay.url, 'laptop');
    const code = await httpClient(relay.url, { client: 'code', name: 'api' });
    await desktop.ready;
    const ownUpdates: string[] = [];
    desktop.client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
      ownUpdates.push(n.params.uri);
    });

    expect((await code.call('relay_send', { message: 'tests pass', to: 'desktop' })).body).toMatchObject({ ok: true });
    await desktop.recorded.until(1);
    expect(desktop.recorded.shown).toEqual([{ title: 'New message for Desktop from Code (api)', body: 'tests pass' }]);
    const hostile = `-x $(touch /tmp/owned) \u001b]0;evil\u0007 ${'long '.repeat(200)}`;
    expect((await code.call('relay_send', { message: hostile, to: 'desktop' })).body).toMatchObject({ ok: true });
    await desktop.recorded.until(2);
    // Data, bounded as every notifier bounds it: no control characters, the preview cut.
    const second = desktop.recorded.shown[1]!;
    expect(second.body.startsWith('-x $(touch /tmp/owned)')).toBe(true);
    expect(second.body).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
    expect(second.body.length).toBeLessThanOrEqual(200);

    // Woken by events: every claim after the first followed a resources/updated (coalesced, so maybe fewer).
    const claims = desktop.methods.filter((m) => m === CLAIM_METHOD).length;
    expect(desktop.updates()).toBeGreaterThanOrEqual(2);
    expect(claims).toBeGreaterThanOrEqual(2);
    expect(claims).toBeLessThanOrEqual(1 + desktop.updates());
    expect(desktop.methods).toContain('resources/subscribe');
    // The bridge's subscription is its own: Desktop, which subscribed to nothing, was not told of updates.
    expect(ownUpdates).toEqual([]);
    // And the messages are still unread for Desktop: a notice is not a fetch.
    const fetched = await desktop.client.callTool({ name: 'relay_fetch', arguments: {} });
    expect(JSON.stringify(fetched.structuredContent)).toContain('tests pass');
  });

  it("keeps Desktop's own subscription working, and its unsubscribe does not stop the notices", async () => {
    const relay = await startRelay();
    const desktop = await bridgedDesktop(relay.url, 'laptop');
    const code = await httpClient(relay.url, { client: 'code' });
    await desktop.ready;
    let updated!: () => void;
    let ownUpdates = 0;
    desktop.client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
      if (n.params.uri === 'messages://latest') ownUpdates++;
      updated();
    });
    const nextUpdate = () => new Promise<void>((resolve) => (updated = resolve));

    await desktop.client.subscribeResource({ uri: 'messages://latest' });
    let update = nextUpdate();
    await code.call('relay_send', { message: 'one', to: 'desktop' });
    await update;
    await desktop.recorded.until(1);
    expect(ownUpdates).toBe(1);

    // Desktop unsubscribes: answered by the bridge, whose wake stays in the session.
    await desktop.client.unsubscribeResource({ uri: 'messages://latest' });
    await code.call('relay_send', { message: 'two', to: 'desktop' });
    await desktop.recorded.until(2);
    expect(desktop.recorded.shown.map((s) => s.body)).toEqual(['one', 'two']);
    expect(ownUpdates).toBe(1);
    update = nextUpdate();
    await desktop.client.subscribeResource({ uri: 'messages://latest' });
    await code.call('relay_send', { message: 'three', to: 'desktop' });
    await update;
    expect(ownUpdates).toBe(2);
    expect(desktop.warnings).toEqual([]);
  });

  it('notifies each message once in total across two bridges and a local notifying relay on the same store', async () => {
    const relay = await startRelay();
    // One recording notifier behind all three: it counts what the person would see, whoever showed it.
    const seen = recordingNotifier();
    const laptop = await bridgedDesktop(relay.url, 'laptop', seen);
    const tablet = await bridgedDesktop(relay.url, 'tablet', seen);
    const stopLocal = startArrivalNotices({
      source: storeNoticeSource(relay.store),
      notifier: seen.notifier,
      log: silentLogger,
    });
    onTestFinished(stopLocal);
    await Promise.all([laptop.ready, tablet.ready]);
    const code = await httpClient(relay.url, { client: 'code' });
    const sent = 30;
    await Promise.all(
      Array.from({ length: sent }, (_, i) => code.call('relay_send', { message: `m${i + 1}`, to: 'desktop' })),
    );
    await seen.until(sent);
    // One more, after the others were all shown: a notice shown twice would have come before it.
    await code.call('relay_send', { message: 'last', to: 'desktop' });
    await seen.until(sent + 1);
    expect(seen.messages()).toBe(sent + 1);
    const bodies = seen.shown.flatMap((s) => s.body.split('\n'));
    expect(bodies.sort()).toEqual([...Array.from({ length: sent }, (_, i) => `m${i + 1}`), 'last'].sort());
    expect([...laptop.warnings, ...tablet.warnings]).toEqual([]);
  });

  it('subscribes again in the new session when the relay forgot the old one, and notifies what came meanwhile', async () => {
    const relay = await startRelay();
    const desktop = await bridgedDesktop(relay.url, 'laptop');
    await desktop.ready;
    let updated!: () => void;
    desktop.client.setNotificationHandler(ResourceUpdatedNotificationSchema, () => updated());
    await desktop.client.subscribeResource({ uri: 'messages://unread' });
    const code = await httpClient(relay.url, { client: 'code' });
    await code.call('relay_send', { message: 'before', to: 'desktop' });
    await desktop.recorded.until(1);
    // The relay forgets the session (as after a restart): the bridge's GET stream is refused, and it replays.
    await relay
      .sessions()
      .find((s) => s.identity.kind === 'desktop')!
      .server.close();
    await code.call('relay_send', { message: 'meanwhile', to: 'desktop' });
    await desktop.sessions(2);
    await desktop.recorded.until(2);
    const update = new Promise<void>((resolve) => (updated = resolve));
    await code.call('relay_send', { message: 'after', to: 'desktop' });
    await desktop.recorded.until(3);
    expect(desktop.recorded.shown.map((s) => s.body)).toEqual(['before', 'meanwhile', 'after']);
    // Desktop's own subscription was made again in the new session too.
    await update;
    expect(desktop.warnings).toEqual([]);
  });

  it('answers claim and confirm over the session: the text cut to what a preview uses, confirmed ids only once', async () => {
    const relay = await startRelay();
    const code = await httpClient(relay.url, { client: 'code' });
    // 'a' first: the cut falls between the two halves of an emoji.
    const long = `a${'😀'.repeat(NOTICE_TEXT_CHARS)}`;
    await code.call('relay_send', { message: long, to: 'desktop' });
    const desktop = await httpClient(relay.url, { client: 'desktop' });
    expect(desktop.client.getServerCapabilities()?.experimental).toMatchObject({ 'relay/notices': { version: 1 } });
    const claimed = await desktop.client.request({ method: CLAIM_METHOD, params: { limit: 5 } }, ClaimResult);
    expect(claimed.notices).toHaveLength(1);
    const [notice] = claimed.notices;
    expect(notice).toEqual({
      id: expect.any(Number),
      sender: 'code',
      from: 'code',
      to: 'desktop',
      message: expect.any(String),
    });
    // At most NOTICE_TEXT_CHARS UTF-16 units, never half a character: 'a' and 199 whole emoji.
    expect(notice!.message).toBe(`a${'😀'.repeat(NOTICE_TEXT_CHARS / 2 - 1)}`);
    expect(notice!.message.isWellFormed()).toBe(true);
    const confirm = { method: CONFIRM_METHOD, params: { ids: [notice!.id] } };
    expect((await desktop.client.request(confirm, ConfirmResult)).ids).toEqual([notice!.id]);
    // Claimed once: another session's claim finds nothing.
    const other = await httpClient(relay.url, { client: 'desktop', name: 'tablet' });
    const again = await other.client.request({ method: CLAIM_METHOD, params: { limit: 5 } }, ClaimResult);
    expect(again.notices).toEqual([]);
    // Bad arguments are refused as the protocol says (invalid params), not crashes.
    await expect(desktop.client.request({ method: CLAIM_METHOD, params: { limit: 0 } }, ClaimResult)).rejects.toThrow();
  });
});

describe('mcp-relay connect --client desktop', () => {
  it('shows a notice through the platform notifier (a fake notify-send), text as data after --', async () => {
    const home = tempDir();
    const served = await spawnHttpServe([], home);
    const fakes = fakeBin();
    fakes.add('notify-send');
    const path = `${fakes.bin}:${process.env.PATH ?? '/usr/bin:/bin'}`;
    await spawnClient(['connect', served.url, '--client', 'desktop', '--name', 'laptop'], home, { PATH: path });
    const code = await httpClient(served.url, { client: 'code', name: 'api' });
    const text = '--help; rm -rf ~ `id` $HOME';
    expect((await code.call('relay_send', { message: text, to: 'laptop' })).body).toMatchObject({ ok: true });
    const [call] = await fakes.waitFor('notify-send', 1);
    const argv = call!.argv.map(String);
    expect(argv.slice(argv.indexOf('--'))).toEqual(['--', 'New message for laptop from Code (api)', text]);
  });
});
