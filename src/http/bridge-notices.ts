// Desktop notifications for a client behind `mcp-relay connect`: the bridge runs on the person's machine, the
// store on the relay's, so the bridge claims notices through its HTTP session (relay/notices, src/server/notices.ts)
// and shows them here with the same arrivals runner and notifiers as a local `--client desktop` relay. Exactly once
// in total: every claim and confirm is the store's, whoever asks.
// Woken, never polling: the bridge subscribes to messages://latest in the session itself (a request of its own,
// answered to the bridge) and wakes on its `notifications/resources/updated`; those reach the client only when the
// client subscribed to that resource too. The client's unsubscribe from it is answered here (the session's
// subscription is the bridge's as well); after a replay (the relay restarted) every subscription is made again.
import type { JSONRPCMessage, ServerCapabilities } from '@modelcontextprotocol/sdk/types.js';

import type { Logger } from '../lib/log.js';
import { type NoticeSource, startArrivalNotices } from '../notify/arrivals.js';
import type { Notifier } from '../notify/notification.js';
import {
  CLAIM_METHOD,
  ClaimResult,
  CONFIRM_METHOD,
  ConfirmResult,
  NOTICES_CAPABILITY,
  NOTICES_VERSION,
} from '../server/notices.js';
import { uri as latestUri } from '../server/resources/latest.js';
import type { Bridge, BridgeOptions } from './bridge.js';

export interface BridgeNotices {
  /** The taps to give startBridge. */
  readonly hooks: Required<Pick<BridgeOptions, 'onRelayMessage' | 'onClientMessage' | 'onSession'>>;
  /** Hands over the started bridge (its requests carry the claims); sessions seen before are served then. */
  attach(bridge: Bridge): void;
  stop(): void;
}

export function bridgeNotices(options: { notifier: Notifier; log: Logger; url: URL }): BridgeNotices {
  const { notifier, log, url } = options;
  let bridge: Bridge | undefined;
  /** Capabilities of a session that began before attach(). */
  let pending: ServerCapabilities | undefined;
  /** Whether the current session offers notices (and is subscribed for the wake). */
  let ready = false;
  let sessions = 0;
  let warned = false;
  let stopRunner: (() => void) | undefined;
  let stopped = false;
  /** Resources the client itself subscribed to, made again on a new session. */
  const clientSubscribed = new Set<string>();
  const wakes = new Set<() => void>();
  const wake = () => {
    for (const w of wakes) w();
  };

  const answer = async (method: string, params: Record<string, unknown>): Promise<unknown> => {
    if (bridge === undefined) throw new Error('the bridge is not started');
    const response = await bridge.request(method, params);
    if ('error' in response) throw new Error(`the relay refused ${method}: ${response.error.message}`);
    if (!('result' in response)) throw new Error(`the relay answered ${method} with no result`);
    return response.result;
  };

  const source: NoticeSource = {
    lease: async (limit) => {
      if (!ready) return { messages: [], retryAt: null };
      const parsed = ClaimResult.safeParse(await answer(CLAIM_METHOD, { limit }));
      if (!parsed.success) throw new Error(`the relay's answer to ${CLAIM_METHOD} is malformed`);
      return { messages: parsed.data.notices, retryAt: parsed.data.retryAt };
    },
    confirm: async (ids) => {
      if (!ready || ids.length === 0) return [];
      const parsed = ConfirmResult.safeParse(await answer(CONFIRM_METHOD, { ids: [...ids] }));
      if (!parsed.success) throw new Error(`the relay's answer to ${CONFIRM_METHOD} is malformed`);
      // Only what was asked for: a relay cannot make the bridge show a message it did not lease.
      const asked = new Set(ids);
      return parsed.data.ids.filter((id) => asked.has(id));
    },
    onChange: (w) => {
      wakes.add(w);
      return () => wakes.delete(w);
    },
  };

  const begin = async (capabilities: ServerCapabilities): Promise<void> => {
    sessions += 1;
    const first = sessions === 1;
    const offered = capabilities.experimental?.[NOTICES_CAPABILITY] as { version?: unknown } | undefined;
    ready = false;
    // After a replay the new session has none of the old one's subscriptions: the client's are made again too.
    const uris = new Set(first ? [] : clientSubscribed);
    const notices = offered?.version === NOTICES_VERSION && capabilities.resources?.subscribe === true;
    if (notices) uris.add(latestUri);
    else if (!warned) {
      warned = true;
      log.warn(
        `notifications: the relay at ${url.href} offers no ${NOTICES_CAPABILITY} (an older relay?), so this bridge ` +
          'shows none; upgrade mcp-relay there',
      );
    }
    for (const uri of uris) await answer('resources/subscribe', { uri });
    if (!notices || stopped) return;
    ready = true;
    log.debug(`notifications: subscribed to ${latestUri} in session ${sessions}; notices from ${url.host} shown here`);
    if (stopRunner === undefined) stopRunner = startArrivalNotices({ source, notifier, log });
    // What arrived while no session was subscribed (the start-up backlog is the runner's own first run).
    else wake();
  };

  const session = (capabilities: ServerCapabilities) => {
    if (bridge === undefined) {
      pending = capabilities;
      return;
    }
    begin(capabilities).catch((error: unknown) => log.warn(`notifications: ${String(error)}`));
  };

  const isLatest = (message: JSONRPCMessage, method: string): boolean =>
    'method' in message &&
    message.method === method &&
    (message.params as { uri?: unknown } | undefined)?.uri === latestUri;

  return {
    hooks: {
      onSession: session,
      onRelayMessage: (message) => {
        if (!isLatest(message, 'notifications/resources/updated')) return false;
        wake();
        return !clientSubscribed.has(latestUri);
      },
      onClientMessage: (message) => {
        if (!('method' in message) || !('id' in message)) return undefined;
        const uri = (message.params as { uri?: unknown } | undefined)?.uri;
        if (typeof uri !== 'string') return undefined;
        if (message.method === 'resources/subscribe') clientSubscribed.add(uri);
        if (message.method !== 'resources/unsubscribe') return undefined;
        clientSubscribed.delete(uri);
        // The session's subscription to messages://latest is the bridge's wake: it stays, the client is answered.
        if (uri === latestUri && ready) return { jsonrpc: '2.0', id: message.id, result: {} };
        return undefined;
      },
    },
    attach: (started) => {
      bridge = started;
      if (pending !== undefined) session(pending);
      pending = undefined;
    },
    stop: () => {
      stopped = true;
      ready = false;
      stopRunner?.();
      wakes.clear();
    },
  };
}
