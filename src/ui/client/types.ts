// The shapes the page receives: the server's own types (type-only imports, erased from the bundle), so the page
// follows any change to them at compile time.
import type { AttachmentInfo, HistoryMessage, HistoryQuery } from '../../store/store.js';
import type { FeedEvent as ServerFeedEvent } from '../feed.js';

export type { Delivery, Directory, SearchHit } from '../../store/store.js';
export type Message = HistoryMessage;
export type Attachment = AttachmentInfo;

/** The feed's events, and the greeting the server sends first on each stream. */
export type FeedEvent = ServerFeedEvent | { type: 'hello'; you: string; kind: string };

/** What the conversation shows: everything, one session, one kind, or one thread. */
export type Filter = Pick<HistoryQuery, 'session' | 'kind' | 'thread'>;
