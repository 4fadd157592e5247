// relay_attachment: read an attachment's bytes, in slices (text as text, anything else as base64). Read-only.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import * as z from 'zod';

import { asText, isTextual } from '../attachments.js';
import type { RelayDeps } from '../deps.js';
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
        // A few bytes more than asked: a text slice shorter than one character is completed to a whole one.
        const slice = await deps.store.attachment(args.id, offset, length + 3);
        if (slice === null)
          return fail(
            `There is no attachment #${args.id} (its message may have been cleared); fetch the message again for its attachment ids.`,
          );
        const data = sliceEnd(slice.data, length, isTextual(slice.media_type));
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

/**
 * The bytes of a slice asked for with `length`, from `data` (which may hold up to 3 more): binary is cut by bytes;
 * text at a whole character, never inside one, and at least one character (or byte), so paging always advances.
 */
export function sliceEnd(data: Buffer, length: number, textual: boolean): Buffer {
  if (data.length <= length) return data;
  if (!textual) return data.subarray(0, length);
  const whole = utf8Boundary(data.subarray(0, length));
  if (whole > 0) return data.subarray(0, whole);
  // Shorter than the first character: take that character whole.
  return data.subarray(0, Math.min(data.length, sequenceLength(data[0] as number)));
}

/** The length of the longest prefix of `data` that does not end inside a UTF-8 sequence. */
export function utf8Boundary(data: Buffer): number {
  for (let back = 1; back <= Math.min(4, data.length); back++) {
    const byte = data[data.length - back] as number;
    if ((byte & 0xc0) === 0x80) continue; // a continuation byte: keep looking for the lead
    return sequenceLength(byte) > back ? data.length - back : data.length;
  }
  return data.length;
}

/** How many bytes the UTF-8 sequence led by `byte` takes; 1 for a byte that cannot lead one. */
function sequenceLength(byte: number): number {
  if (byte >= 0xc2 && byte <= 0xdf) return 2;
  if (byte >= 0xe0 && byte <= 0xef) return 3;
  if (byte >= 0xf0 && byte <= 0xf4) return 4;
  return 1;
}
