// Arrival notices: on every change, and once at start for mail that came while no relay ran, lease the messages
// nobody has notified yet, confirm each notice just before showing it (confirmed once in total across every relay
// process and bridge), and show it. A backlog found at start of more than a few becomes one summary per recipient.
import os from 'node:os';

import { coalescer } from '../lib/coalescer.js';
import type { Logger } from '../lib/log.js';
import { noticeOwner } from '../store/routing.js';
import { EVERYONE, type RelayMessage, type Store } from '../store/store.js';
import {
  boundNotification,
  displayName,
  formatNotification,
  type Notification,
  type Notifier,
  type Party,
} from './notification.js';

/** A start-up backlog of up to this many is shown one by one; more become a summary. */
export const SHOW_EACH_UP_TO = 3;
const CLAIM_BATCH = 50;

/** What a notice shows of a message (a bridge gets only these, over HTTP). */
export type NoticeMessage = Pick<RelayMessage, 'id' | 'sender' | 'from' | 'to' | 'message'>;

/**
 * Where notices come from: a local Store (storeNoticeSource), or a relay over HTTP (the `connect` bridge). A notice
 * is shown only for the ids `confirm` returns, and each id is confirmed once in total, whoever asks: so however
 * many relays notify, each message is shown at most once, and what one relay leased but did not confirm (it died)
 * is leased by another.
 */
export interface NoticeSource {
  /** Up to `limit` messages to notify; `retryAt` (ISO time): when leases held by others expire, or null. */
  lease(limit: number): Promise<{ messages: NoticeMessage[]; retryAt: string | null }>;
  /** The ids of `ids` this source may show now; the rest were taken by another or read meanwhile. */
  confirm(ids: readonly number[]): Promise<number[]>;
  /** Calls `wake` whenever there may be something new to notify; returns the unsubscribe function. */
  onChange(wake: () => void): () => void;
}

/** The notices of a local Store, leased for `owner` (default: one new owner for this process's loop). */
export function storeNoticeSource(store: Store, owner = noticeOwner(os.hostname(), process.pid)): NoticeSource {
  return {
    lease: (limit) => store.leaseNotifications(owner, limit),
    confirm: (ids) => store.confirmNotifications(owner, ids),
    onChange: (wake) => store.onChange(wake),
  };
}

export interface ArrivalOptions {
  source: NoticeSource;
  notifier: Notifier;
  log: Logger;
}

/** Starts notifying; returns the stop function. */
export function startArrivalNotices({ source, notifier, log }: ArrivalOptions): () => void {
  let backlog = true;
  let retry: NodeJS.Timeout | undefined;
  const drain = coalescer(
    async () => {
      for (;;) {
        const { messages, retryAt } = await source.lease(CLAIM_BATCH);
        retryWhen(retryAt);
        for (const group of noticeGroups(messages, backlog)) {
          // Confirmed right before it is shown, and shown before the next is confirmed: a relay that dies holds
          // at most the one notice in hand; the rest of its lease goes to another relay.
          const confirmed = new Set(await source.confirm(group.map((m) => m.id)));
          const shown = group.filter((m) => confirmed.has(m.id));
          if (shown.length > 0) await notifier.notify(noticeOf(shown));
        }
        if (messages.length < CLAIM_BATCH) break;
      }
      backlog = false;
    },
    (error) => log.warn(`notifications: ${String(error)}`),
  );
  /** An expiring lease changes nothing in the store, so no change event would come: one timer for it. */
  const retryWhen = (at: string | null) => {
    clearTimeout(retry);
    retry = undefined;
    if (at === null || drain.stopped) return;
    retry = setTimeout(() => drain.run(), Math.max(0, Date.parse(at) - Date.now()));
    retry.unref();
  };
  const unsubscribe = source.onChange(() => drain.run());
  drain.run();
  return () => {
    unsubscribe();
    clearTimeout(retry);
    void drain.stop();
  };
}

/** Who a message is for, as a notification shows it: a seed kind, everyone, or a name as addressed. */
export function recipientOf(message: NoticeMessage): Party {
  if (message.to === EVERYONE) return { kind: null, name: 'everyone' };
  if (message.to === 'desktop' || message.to === 'code') return { kind: message.to };
  return { kind: null, name: message.to };
}

export function senderOf(message: NoticeMessage): Party {
  return { kind: message.sender, name: message.from };
}

/** One notice per message; with `summarize`, one summary per recipient when there are more than SHOW_EACH_UP_TO. */
export function noticesFor(messages: readonly NoticeMessage[], summarize = false): Notification[] {
  return noticeGroups(messages, summarize).map(noticeOf);
}

/** The messages each notice is about: one each, or (a summarized backlog) all of one recipient's. */
function noticeGroups(messages: readonly NoticeMessage[], summarize: boolean): NoticeMessage[][] {
  if (!summarize || messages.length <= SHOW_EACH_UP_TO) return messages.map((m) => [m]);
  const byRecipient = new Map<string, NoticeMessage[]>();
  for (const m of messages) {
    const label = recipientLabel(m);
    byRecipient.set(label, [...(byRecipient.get(label) ?? []), m]);
  }
  return [...byRecipient.values()];
}

/** The notice for one message, or the summary of several for one recipient. */
function noticeOf(group: readonly NoticeMessage[]): Notification {
  const [first] = group;
  if (first === undefined) throw new Error('a notice needs a message');
  if (group.length === 1)
    return formatNotification({ from: senderOf(first), to: recipientOf(first), text: first.message });
  const senders = [...new Set(group.map((m) => displayName(senderOf(m))))].join(', ');
  return boundNotification({
    title: `${group.length} new messages for ${recipientLabel(first)} from ${senders}`,
    body: group.map((m) => m.message.split('\n', 1)[0]).join('\n'),
  });
}

function recipientLabel(message: NoticeMessage): string {
  return displayName(recipientOf(message)) ?? 'you';
}
