// The zod shape of a fetched message, shared by every tool that returns messages, and what a fetch returns of one.
import * as z from 'zod';

import type { RelayMessage } from '../../store/store.js';

export const attachmentInfoSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  media_type: z.string(),
  size: z.number().int(),
});

export const messageSchema = z.object({
  id: z.number().int(),
  sender: z.string(),
  from: z.string(),
  to: z.string().optional().describe('absent when addressed to you by name'),
  timestamp: z.string(),
  reply_to: z.number().int().optional().describe('present when it answers a message'),
  read_by_desktop_at: z.string().nullable().optional().describe('only when peeking'),
  read_by_code_at: z.string().nullable().optional().describe('only when peeking'),
  attachments: z.array(attachmentInfoSchema).optional(),
  message: z.string(),
});

export type FetchedMessage = z.infer<typeof messageSchema>;

/**
 * A message as a fetch hands it to the model, whose context pays for every byte: `to` only when it was not
 * addressed to the reader by name (a kind, '*', another session), the read times only on a peek (a marking fetch
 * has just read it; what is left is the other side's state, which the reader cannot act on), reply_to and
 * attachments only when there are some, and the text last.
 */
export function fetchedMessage(m: RelayMessage, reader: { name: string | null } | null, peek: boolean): FetchedMessage {
  return {
    id: m.id,
    sender: m.sender,
    from: m.from,
    ...(reader !== null && m.to === reader.name ? {} : { to: m.to }),
    timestamp: m.timestamp,
    ...(m.reply_to === null ? {} : { reply_to: m.reply_to }),
    ...(peek ? { read_by_desktop_at: m.read_by_desktop_at, read_by_code_at: m.read_by_code_at } : {}),
    ...(m.attachments === undefined || m.attachments.length === 0 ? {} : { attachments: m.attachments }),
    message: m.message,
  };
}
