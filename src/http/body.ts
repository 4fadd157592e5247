// Reads an HTTP request body up to a byte limit, without ever buffering more than the limit. No parsing, no replies.
import type { IncomingMessage } from 'node:http';

import { DEFAULT_MAX_LINE_BYTES } from '../transport/stdio.js';

/**
 * The stdio transport's per-message limit, so what works over stdio works over HTTP: room for 25 MB of attachments
 * sent inline as base64 (~34 MB of JSON). A larger body is answered 413 before it is read. Bodies are read only
 * after the Host, Origin and token checks, so only an accepted client can make the relay buffer this much.
 */
export const DEFAULT_MAX_BODY_BYTES = DEFAULT_MAX_LINE_BYTES;

export type BodyResult = { tooLarge: true } | { tooLarge: false; text: string };

/**
 * A declared Content-Length over the limit is refused before reading; otherwise reading stops as soon as the
 * limit is passed. Either way the rest of the body is left unread: the caller answers 413 and closes the connection.
 */
export function readBody(req: IncomingMessage, maxBytes = DEFAULT_MAX_BODY_BYTES): Promise<BodyResult> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.resolve({ tooLarge: true });
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off('data', ondata);
      req.off('end', onend);
      req.off('error', onerror);
      req.off('close', onclose);
    };
    const ondata = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        cleanup();
        req.pause();
        resolve({ tooLarge: true });
        return;
      }
      chunks.push(chunk);
    };
    const onend = () => {
      cleanup();
      resolve({ tooLarge: false, text: Buffer.concat(chunks, size).toString('utf8') });
    };
    const onerror = (error: Error) => {
      cleanup();
      reject(error);
    };
    const onclose = () => {
      cleanup();
      reject(new Error('the client closed the connection before sending the whole body'));
    };
    req.on('data', ondata);
    req.on('end', onend);
    req.on('error', onerror);
    req.on('close', onclose);
  });
}
