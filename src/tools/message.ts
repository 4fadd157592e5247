// The zod shape of a fetched message, shared by every tool that returns messages.
import * as z from 'zod';

export const attachmentInfoSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  media_type: z.string(),
  size: z.number().int(),
});

export const messageSchema = z.object({
  id: z.number().int(),
  sender: z.string(),
  message: z.string(),
  timestamp: z.string(),
  read_by_desktop_at: z.string().nullable(),
  read_by_code_at: z.string().nullable(),
  from: z.string(),
  to: z.string(),
  reply_to: z.number().int().nullable(),
  attachments: z.array(attachmentInfoSchema).optional(),
});
