// The zod shape of a fetched message, shared by every tool that returns messages.
import { z } from 'zod';
import { CLIENT_KINDS } from '../store/store.js';

export const messageSchema = z.object({
  id: z.number().int(),
  sender: z.enum(CLIENT_KINDS),
  message: z.string(),
  timestamp: z.string(),
  read_by_desktop_at: z.string().nullable(),
  read_by_code_at: z.string().nullable(),
});
