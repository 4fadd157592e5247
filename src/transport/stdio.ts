// A stdio server transport that survives bad input. The SDK's StdioServerTransport closes itself (and so stops
// serving the session) when one line exceeds its buffer, and drops unparsable lines without an answer. This one
// frames newline-delimited JSON the same way and validates with the SDK's own JSONRPCMessageSchema, but:
//  - a line over `maxLineBytes` is skipped as it streams in (never buffered whole) and, when its request id can be
//    seen at either end of the line, answered with a JSON-RPC error that says the size and the limit;
//  - an unparsable line gets a -32700 parse error, valid JSON that is not a JSON-RPC message (a batch, an object
//    id, a wrong version) a -32600 error, with a null id where none can be read (JSON-RPC 2.0);
//  - chunks are joined once per line, not once per chunk.
// It must never write anything but JSON-RPC messages to stdout.
import type { Readable, Writable } from 'node:stream';

import { serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  ErrorCode,
  type JSONRPCMessage,
  JSONRPCMessageSchema,
  type RequestId,
} from '@modelcontextprotocol/sdk/types.js';

/** Room for a 64 KB message many times over, and for inline attachments, while bounding memory. */
export const DEFAULT_MAX_LINE_BYTES = 64 * 1024 * 1024;
const EDGE_BYTES = 256;

export interface RelayStdioTransportOptions {
  maxLineBytes?: number;
  /** Called for input the transport answered with an error itself (for the log). */
  onrejected?: (reason: string) => void;
}

export class RelayStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  private readonly maxLineBytes: number;
  private readonly onrejected: (reason: string) => void;
  private chunks: Buffer[] = [];
  private size = 0;
  /** While skipping an oversized line: its first and (rolling) last bytes, to find the request id. */
  private oversized: { head: Buffer; tail: Buffer; bytes: number } | undefined;
  private started = false;
  private closed = false;

  constructor(
    private readonly stdin: Readable = process.stdin,
    private readonly stdout: Writable = process.stdout,
    options: RelayStdioTransportOptions = {},
  ) {
    this.maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    this.onrejected = options.onrejected ?? (() => {});
  }

  async start(): Promise<void> {
    if (this.started) throw new Error('RelayStdioTransport already started');
    this.started = true;
    this.stdin.on('data', this.ondata);
    this.stdin.on('error', this.onstreamerror);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stdin.off('data', this.ondata);
    this.stdin.off('error', this.onstreamerror);
    if (this.stdin.listenerCount('data') === 0) this.stdin.pause();
    this.chunks = [];
    this.size = 0;
    this.oversized = undefined;
    this.onclose?.();
  }

  send(message: JSONRPCMessage): Promise<void> {
    return new Promise((resolve) => {
      if (this.stdout.write(serializeMessage(message))) resolve();
      else this.stdout.once('drain', resolve);
    });
  }

  private readonly onstreamerror = (error: Error) => {
    this.onerror?.(error);
  };

  private readonly ondata = (chunk: Buffer | string) => {
    const data = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    let start = 0;
    while (start <= data.length) {
      const newline = data.indexOf(0x0a, start);
      const end = newline === -1 ? data.length : newline;
      if (end > start) this.take(data.subarray(start, end));
      if (newline === -1) break;
      this.endOfLine();
      start = newline + 1;
    }
  };

  private take(part: Buffer): void {
    if (this.oversized !== undefined) {
      this.oversized.bytes += part.length;
      this.oversized.tail = lastBytes(Buffer.concat([this.oversized.tail, lastBytes(part, EDGE_BYTES)]), EDGE_BYTES);
      return;
    }
    if (this.size + part.length > this.maxLineBytes) {
      const sofar = Buffer.concat([...this.chunks, part]);
      this.oversized = {
        head: sofar.subarray(0, EDGE_BYTES),
        tail: Buffer.from(lastBytes(sofar, EDGE_BYTES)),
        bytes: sofar.length,
      };
      this.chunks = [];
      this.size = 0;
      return;
    }
    // Copy: the stream may reuse its chunk buffers.
    this.chunks.push(Buffer.from(part));
    this.size += part.length;
  }

  private endOfLine(): void {
    if (this.oversized !== undefined) {
      const { head, tail, bytes } = this.oversized;
      this.oversized = undefined;
      const id = findRequestId(head.toString('utf8')) ?? findRequestId(tail.toString('utf8'));
      const reason =
        `Request too large: ${bytes.toLocaleString('en-US')} bytes exceeds the relay's limit of ` +
        `${this.maxLineBytes.toLocaleString('en-US')} bytes per message; send less data in one call.`;
      this.onrejected(reason);
      if (id !== undefined) void this.reply(id, ErrorCode.InvalidRequest, reason);
      return;
    }
    const line = Buffer.concat(this.chunks, this.size).toString('utf8').replace(/\r$/, '');
    this.chunks = [];
    this.size = 0;
    if (line.trim() === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      this.onrejected(`unparsable input line (${line.length} chars)`);
      void this.reply(null, ErrorCode.ParseError, 'Parse error: the line is not valid JSON.');
      return;
    }
    const result = JSONRPCMessageSchema.safeParse(parsed);
    if (!result.success) {
      this.rejectInvalid(parsed);
      return;
    }
    try {
      this.onmessage?.(result.data);
    } catch (error) {
      this.onerror?.(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /**
   * Valid JSON that is not a JSON-RPC 2.0 message. JSON-RPC answers an invalid request with -32600, and with a null
   * id when the id cannot be read (an object id, a batch). Batches were removed from MCP in 2025-06-18, so a batch
   * gets one error. Something shaped like a response is never answered: the peer may have a request with that id.
   */
  private rejectInvalid(parsed: unknown): void {
    if (Array.isArray(parsed)) {
      this.onrejected('a JSON-RPC batch (not supported by MCP)');
      void this.reply(
        null,
        ErrorCode.InvalidRequest,
        'Invalid request: JSON-RPC batches are not supported; send one message per line.',
      );
      return;
    }
    const message = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
    this.onrejected('input that is not a JSON-RPC 2.0 message');
    if (!('method' in message) && ('result' in message || 'error' in message)) return;
    const id = message.id;
    const usable = typeof id === 'string' || (typeof id === 'number' && Number.isSafeInteger(id));
    void this.reply(usable ? id : null, ErrorCode.InvalidRequest, 'Invalid request: not a JSON-RPC 2.0 message.');
  }

  private reply(id: RequestId | null, code: number, message: string): Promise<void> {
    // JSON-RPC allows a null id only for errors where the id could not be read; the SDK's type does not say so.
    return this.send({ jsonrpc: '2.0', id, error: { code, message } } as unknown as JSONRPCMessage);
  }
}

function lastBytes(buffer: Buffer, count: number): Buffer {
  return buffer.length <= count ? buffer : buffer.subarray(buffer.length - count);
}

/** Finds `"id": 7` or `"id":"abc"` at the top level of a JSON-RPC line's first or last bytes. */
function findRequestId(text: string): RequestId | undefined {
  const atEnd = /"id"\s*:\s*(-?\d+|"(?:[^"\\]|\\.)*")\s*}\s*$/.exec(text);
  const atStart = /^\s*\{\s*(?:"jsonrpc"\s*:\s*"2\.0"\s*,\s*)?"id"\s*:\s*(-?\d+|"(?:[^"\\]|\\.)*")/.exec(text);
  const raw = (atEnd ?? atStart)?.[1];
  if (raw === undefined) return undefined;
  return raw.startsWith('"') ? (JSON.parse(raw) as string) : Number(raw);
}
