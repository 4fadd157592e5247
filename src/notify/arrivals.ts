// Arrival notices: on every "store changed" event, and once at start for mail that came while no relay ran, claim
// the messages nobody has notified yet (atomically across every relay process, so each is notified once in
// total) and show them, one notification each. A backlog found at start of more than a few becomes one summary
// per recipient rather than a flood.
import { coalescer } from '../lib/coalescer.js';
import type { Logger } from '../lib/log.js';
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

export interface ArrivalOptions {
  store: Store;
  notifier: Notifier;
  log: Logger;
}

/** Starts notifying; returns the stop function. */
export function startArrivalNotices({ store, notifier, log }: ArrivalOptions): () => void {
  let backlog = true;
  const drain = coalescer(
    async () => {
      for (;;) {
        const claimed = await store.claimNotifications(CLAIM_BATCH);
        // Not awaited one by one: the notifier queues them itself and never rejects.
        for (const notice of noticesFor(claimed, backlog)) void notifier.notify(notice);
        if (claimed.length < CLAIM_BATCH) break;
      }
      backlog = false;
    },
    (error) => log.warn(`notifications: ${String(error)}`),
  );
  const unsubscribe = store.onChange(() => drain.run());
  drain.run();
  return () => {
    unsubscribe();
    void drain.stop();
  };
}

/** Who a message is for, as a notification shows it: a seed kind, everyone, or a name as addressed. */
export function recipientOf(message: RelayMessage): Party {
  if (message.to === EVERYONE) return { kind: null, name: 'everyone' };
  if (message.to === 'desktop' || message.to === 'code') return { kind: message.to };
  return { kind: null, name: message.to };
}

export function senderOf(message: RelayMessage): Party {
  return { kind: message.sender, name: message.from };
}

/** One notice per message; with `summarize`, one summary per recipient when there are more than SHOW_EACH_UP_TO. */
export function noticesFor(messages: readonly RelayMessage[], summarize = false): Notification[] {
  const each = (m: RelayMessage) => formatNotification({ from: senderOf(m), to: recipientOf(m), text: m.message });
  if (!summarize || messages.length <= SHOW_EACH_UP_TO) return messages.map(each);
  const byRecipient = new Map<string, RelayMessage[]>();
  for (const m of messages) {
    const label = displayName(recipientOf(m)) ?? 'you';
    byRecipient.set(label, [...(byRecipient.get(label) ?? []), m]);
  }
  return [...byRecipient].map(([label, group]) => {
    if (group.length === 1) return each(group[0] as RelayMessage);
    const senders = [...new Set(group.map((m) => displayName(senderOf(m))))].join(', ');
    return boundNotification({
      title: `${group.length} new messages for ${label} from ${senders}`,
      body: group.map((m) => m.message.split('\n', 1)[0]).join('\n'),
    });
  });
}
