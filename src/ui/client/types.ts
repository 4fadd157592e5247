// The shapes the page receives, as the server sends them (src/store/store.ts and src/ui/feed.ts are the source;
// the page cannot import them, they are Node code).

export interface Delivery {
  mailbox: string;
  kind: string;
  name: string | null;
  delivered_at: string;
  read_at: string | null;
}

export interface Attachment {
  id: number;
  name: string;
  media_type: string;
  size: number;
}

export interface Message {
  id: number;
  sender: string;
  message: string;
  timestamp: string;
  from: string;
  to: string;
  reply_to: number | null;
  attachments?: Attachment[];
  recipients: Delivery[];
}

export interface Session {
  name: string;
  kind: string;
  cwd: string | null;
  host: string;
  observer: boolean;
  started_at: string;
  last_seen: string;
  unread: number;
  live: boolean;
}

export interface Directory {
  sessions: Session[];
  kinds: { kind: string; unread: number }[];
}

export interface SearchHit {
  id: number;
  sender: string;
  from: string;
  to: string;
  timestamp: string;
  snippet: string;
}

export type FeedEvent =
  | { type: 'hello'; you: string; kind: string }
  | { type: 'snapshot'; messages: Message[]; more: boolean; directory: Directory }
  | { type: 'messages'; messages: Message[] }
  | { type: 'reads'; updates: { id: number; recipients: Delivery[] }[] }
  | { type: 'removed'; ids: number[] }
  | { type: 'directory'; directory: Directory };

/** What the conversation shows: everything, one session, one kind, or one thread. */
export type Filter = { session?: string; kind?: string; thread?: number };
