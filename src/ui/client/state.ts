// What the page knows, apart from the DOM: the person's name, the filter, every message it has been told of, and
// the rules for merging what arrives (a read never goes back to unread, whatever order the news comes in) and for
// which messages a filter shows.
import type { Delivery, Directory, Filter, Message } from './types.js';

export interface Model {
  you: string;
  raw: boolean;
  filter: Filter;
  /** Every message the page has been told of (for reply excerpts and filters). */
  seen: Map<number, Message>;
  /** With a thread filter: the ids in the thread so far (a live reply to any of them joins). */
  thread: Set<number>;
  directory: Directory;
}

export function createModel(raw: boolean): Model {
  return { you: 'user', raw, filter: {}, seen: new Map(), thread: new Set(), directory: { sessions: [], kinds: [] } };
}

/** Reads only move forward: a delivery read stays read. */
export function merge(known: Delivery[], fresh: Delivery[]): Delivery[] {
  const before = new Map(known.map((d) => [d.mailbox, d]));
  return fresh.map((d) => ({ ...d, read_at: d.read_at ?? before.get(d.mailbox)?.read_at ?? null }));
}

/** Records a message (merged with what was known of it) and returns what the page should show. */
export function remember(model: Model, message: Message): Message {
  const known = model.seen.get(message.id);
  const merged =
    known === undefined ? message : { ...message, recipients: merge(known.recipients, message.recipients) };
  model.seen.set(message.id, merged);
  return merged;
}

export function isFiltered(filter: Filter): boolean {
  return filter.session !== undefined || filter.kind !== undefined || filter.thread !== undefined;
}

/** Whether the current filter shows a message that just arrived (a reply to the thread joins the thread). */
export function matches(model: Model, message: Message): boolean {
  const { filter } = model;
  if (filter.thread !== undefined) {
    if (!model.thread.has(message.id) && !(message.reply_to !== null && model.thread.has(message.reply_to)))
      return false;
    model.thread.add(message.id);
  }
  const { session, kind } = filter;
  if (session !== undefined && message.from !== session && !message.recipients.some((r) => r.name === session))
    return false;
  if (kind !== undefined && message.sender !== kind && !message.recipients.some((r) => r.kind === kind)) return false;
  return true;
}

export function describeFilter(filter: Filter, you: string): string {
  if (filter.thread !== undefined) return `Thread of #${filter.thread}`;
  if (filter.session !== undefined)
    return filter.session === you ? 'Messages to and from You' : `Session ${filter.session}`;
  if (filter.kind !== undefined) return `Kind ${filter.kind}`;
  return 'All messages';
}
