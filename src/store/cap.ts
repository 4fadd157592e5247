// The unread cap on a send: which of its mailboxes have room, the refusal when none has, and the warning that names
// who was left out. Shared by every backend (each counts unread its own way) and by whoever reports a send.
import type { Route } from './routing.js';
import { mailboxLabel } from './rows.js';
import { formatCount, RelayError } from './store.js';

/** The refusal of a send to a mailbox at its unread cap: nothing dropped, and what to do. */
export function mailboxFull(mailbox: string, unread: number): RelayError {
  const who = mailboxLabel(mailbox);
  return new RelayError(
    'full',
    `${who} already has ${formatCount(unread)} unread messages (the limit); nothing was dropped. ` +
      `Ask ${who} to fetch them, or clear the buffer, then send again.`,
  );
}

/** `a, b, c and 4 more`: at most `shown` names, so a refusal naming hundreds of mailboxes stays one line. */
export function someNames(names: readonly string[], shown = 5): string {
  if (names.length <= shown) return names.join(', ');
  return `${names.slice(0, shown).join(', ')} and ${formatCount(names.length - shown)} more`;
}

/** A send's route with the mailboxes at their unread cap taken out; `full` names who was left out. */
export interface RoomyRoute extends Route {
  full: string[];
}

/**
 * Keeps the mailboxes of a route that have room under the unread cap (route.mailboxes and route.recipients are
 * parallel). One full mailbox does not block the others: a broadcast or a kind's sessions get the message where
 * there is room and the sender is told who was left out. Only when no mailbox has room is the send refused, naming
 * every full one.
 */
export function mailboxesWithRoom(route: Route, unread: (mailbox: string) => number, cap: number): RoomyRoute {
  const counts = route.mailboxes.map(unread);
  const has = (n: number) => (counts[n] ?? 0) < cap;
  const room = route.mailboxes.filter((_, n) => has(n));
  if (room.length === 0) {
    if (route.mailboxes.length === 1) throw mailboxFull(route.mailboxes[0]!, counts[0] ?? cap);
    const names = someNames(route.mailboxes.map(mailboxLabel));
    throw new RelayError(
      'full',
      `${names} each already have the limit of ${formatCount(cap)} unread messages; nothing was dropped. ` +
        `Ask them to fetch, or clear the buffer, then send again.`,
    );
  }
  return {
    mailboxes: room,
    recipients: route.recipients.filter((_, n) => has(n)),
    full: route.recipients.filter((_, n) => !has(n)),
  };
}

/** What a sender is told about the recipients a send left out because their mailboxes were full, or undefined. */
export function fullWarning(full: readonly string[]): string | undefined {
  if (full.length === 0) return undefined;
  const one = full.length === 1;
  return (
    `Not queued for ${someNames(full)}: ${one ? 'its mailbox is' : 'their mailboxes are'} full (the unread limit). ` +
    `Ask ${one ? 'it' : 'them'} to fetch, then send to ${one ? 'it' : 'them'} again.`
  );
}
