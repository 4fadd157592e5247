// The page's API, as plain functions of the store: the history (filtered, paged), search, and what the person does
// (send as themself, forward, clear, mark their own mail read). Input is validated with zod; expected failures come
// back as UiError with the store's sentence and an HTTP status. No HTTP here beyond those statuses.
import * as z from 'zod';

import { fullWarning } from '../store/cap.js';
import {
  type AttachmentInput,
  clampLimit,
  type HistoryMessage,
  LIMITS,
  RelayError,
  type SearchHit,
  type Store,
} from '../store/store.js';
import { markOwnMailRead } from './inbox.js';

/** The person's own identity on the bus: a session of kind USER_KIND that the page shows as "You". */
export const USER_KIND = 'user';

export const DEFAULT_PAGE = 100;

export class UiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'UiError';
  }
}

const id = z.coerce.number().int().positive();
const address = z.string().min(1).max(64);

const historyQuery = z.object({
  session: z.string().min(1).max(64).optional(),
  kind: z.string().min(1).max(32).optional(),
  thread: id.optional(),
  before: id.optional(),
  limit: z.coerce.number().int().optional(),
});

const sendBody = z.object({
  to: address,
  message: z.string(),
  reply_to: z.number().int().positive().optional(),
  attachments: z
    .array(z.object({ name: z.string().min(1).max(255), media_type: z.string().max(255).optional(), data: z.base64() }))
    .max(LIMITS.maxAttachments)
    .optional(),
});

const forwardBody = z.object({ id: z.number().int().positive(), to: address, note: z.string().optional() });

const readBody = z.object({ up_to: z.number().int().nonnegative() });

function parse<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new UiError(400, `Bad request: ${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}.`);
  }
  return result.data;
}

/** A store failure as the person should see it: busy/unavailable are worth a retry, the rest are the request's. */
export function storeFailure(error: unknown): never {
  if (error instanceof RelayError) {
    const status = error.code === 'busy' || error.code === 'unavailable' ? 503 : error.code === 'full' ? 409 : 400;
    throw new UiError(status, error.message);
  }
  throw error;
}

export interface Api {
  history(query: URLSearchParams): Promise<{ messages: HistoryMessage[]; more: boolean }>;
  search(query: URLSearchParams): Promise<{ hits: SearchHit[] }>;
  send(body: unknown): Promise<Sent>;
  forward(body: unknown): Promise<Sent>;
  clear(): Promise<{ deleted: number }>;
  /** The person's own unread mail up to `up_to`, marked read at their request; nobody else's. */
  markRead(body: unknown): Promise<{ read: number[] }>;
}

/** What a send or forward answers: who it is queued for, and who it left out because their mailbox was full. */
export interface Sent {
  id: number;
  recipients: string[];
  warning?: string;
}

export function createApi(store: Store, you: () => string): Api {
  const message = async (messageId: number): Promise<HistoryMessage> => {
    const [found] = await store.history({ before: messageId + 1, limit: 1 });
    if (found?.id !== messageId)
      throw new UiError(404, `There is no message #${messageId} (it may have been cleared).`);
    return found;
  };
  const send = (input: {
    to: string;
    message: string;
    replyTo?: number | undefined;
    attachments?: AttachmentInput[];
  }) =>
    store.send({ sender: USER_KIND, from: you(), ...input }).then((sent) => {
      const warning = fullWarning(sent.full);
      return { id: sent.message.id, recipients: sent.recipients, ...(warning === undefined ? {} : { warning }) };
    }, storeFailure);

  return {
    async history(params) {
      const q = parse(historyQuery, Object.fromEntries(params));
      const limit = clampLimit(q.limit, LIMITS.maxHistoryLimit, DEFAULT_PAGE);
      // One more than asked tells whether there is an older page.
      const rows = await store
        .history({ session: q.session, kind: q.kind, thread: q.thread, before: q.before, limit: limit + 1 })
        .catch(storeFailure);
      return { messages: rows.slice(-limit), more: rows.length > limit };
    },
    async search(params) {
      const text = params.get('q') ?? '';
      if (text.trim() === '') return { hits: [] };
      const limit = clampLimit(Number(params.get('limit') ?? LIMITS.maxSearchLimit), LIMITS.maxSearchLimit);
      return { hits: await store.search(text, limit).catch(storeFailure) };
    },
    async send(body) {
      const b = parse(sendBody, body);
      const attachments = (b.attachments ?? []).map((a) => ({
        name: a.name,
        mediaType: a.media_type || 'application/octet-stream',
        data: Buffer.from(a.data, 'base64'),
      }));
      return send({ to: b.to, message: b.message, replyTo: b.reply_to, attachments });
    },
    async forward(body) {
      const b = parse(forwardBody, body);
      const original = await message(b.id);
      const attachments: AttachmentInput[] = [];
      for (const file of original.attachments ?? []) {
        const slice = await store.attachment(file.id, 0, file.size).catch(storeFailure);
        if (slice === null)
          throw new UiError(404, `The attachment ${file.name} of #${b.id} is gone; nothing was sent.`);
        attachments.push({ name: file.name, mediaType: file.media_type, data: slice.data });
      }
      const note = b.note?.trim() ? `${b.note.trim()}\n\n` : '';
      const text = `${note}Forwarded from ${original.from} (#${original.id}, ${original.timestamp}):\n\n${original.message}`;
      return send({ to: b.to, message: text, attachments });
    },
    async clear() {
      return { deleted: await store.clear().catch(storeFailure) };
    },
    async markRead(body) {
      const b = parse(readBody, body);
      const reader = { kind: USER_KIND, name: you() };
      return { read: await markOwnMailRead(store, reader, b.up_to).catch(storeFailure) };
    },
  };
}
