// relay_attachment: read an attachment's bytes, in slices (text as text, anything else as base64). Read-only.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import * as z from 'zod';

import { asText } from '../server/attachments.js';
import type { RelayDeps } from '../server/deps.js';
import { fail, failureShape, guard, ok } from './result.js';

export const name = 'relay_attachment';
export const DEFAULT_SLICE = 256 * 1024;
/**
 * Base64 and the result's two copies (text and structuredContent) make a 2 MiB slice about 5.6 MB on the wire:
 * under the 10 MiB per-message limit of the SDK's stdio client, which real clients share.
 */
export const MAX_SLICE = 2 * 1024 * 1024;

export const inputSchema = {
  id: z.number().int().positive().describe('From a fetched message'),
  offset: z.number().int().min(0).optional().describe('Byte offset'),
  length: z.number().int().positive().optional().describe('Bytes (default 256 KB, max 2 MB)'),
};

export const outputSchema = {
  ...failureShape,
  id: z.number().int().optional(),
  name: z.string().optional(),
  media_type: z.string().optional(),
  size: z.number().int().optional().describe('whole size in bytes'),
  offset: z.number().int().optional(),
  length: z.number().int().optional().describe('bytes in this slice'),
  encoding: z.enum(['utf8', 'base64']).optional(),
  data: z.string().optional(),
  next_offset: z.number().int().nullable().optional().describe('null at the end'),
};

export function register(server: McpServer, deps: RelayDeps): void {
  server.registerTool(
    name,
    {
      title: 'Read an attachment',
      description: "Read a relay message's attached file in slices (text, or base64).",
      inputSchema,
      outputSchema,
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    (args) =>
      guard(deps.log, name, async () => {
        const offset = args.offset ?? 0;
        const length = Math.min(args.length ?? DEFAULT_SLICE, MAX_SLICE);
        const slice = await deps.store.attachment(args.id, offset, length);
        if (slice === null)
          return fail(
            `There is no attachment #${args.id} (its message may have been cleared); fetch the message again for its attachment ids.`,
          );
        let data = slice.data;
        // Keep text slices whole characters: cut back to the last complete UTF-8 sequence.
        const end = offset + data.length;
        if (end < slice.size) data = data.subarray(0, utf8Boundary(data));
        const text = asText(data, slice.media_type);
        const nextOffset = offset + data.length < slice.size ? offset + data.length : null;
        return ok({
          id: slice.id,
          name: slice.name,
          media_type: slice.media_type,
          size: slice.size,
          offset,
          length: data.length,
          encoding: text === null ? 'base64' : 'utf8',
          data: text ?? data.toString('base64'),
          next_offset: nextOffset,
        });
      }),
  );
}

/** The length of the longest prefix of `data` that does not end inside a UTF-8 sequence. */
export function utf8Boundary(data: Buffer): number {
  for (let back = 1; back <= Math.min(4, data.length); back++) {
    const byte = data[data.length - back] as number;
    if ((byte & 0xc0) === 0x80) continue; // a continuation byte: keep looking for the lead
    const need = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return need > back ? data.length - back : data.length;
  }
  return data.length;
}
