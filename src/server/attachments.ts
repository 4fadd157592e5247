// Turning relay_send's `attachments` argument into bytes: a file by path (read by this relay within the confines of
// attach-path.ts) or inline content (refused when it would not arrive as sent). Media types come from the name.
import path from 'node:path';

import { quoted } from '../lib/text.js';
import { type AttachmentInput, formatCount, LIMITS, RelayError } from '../store/store.js';
import { MAX_ATTACHMENT_NAME_BYTES } from '../store/validate.js';
import { type FileAccess, readConfinedFile } from './attach-path.js';

export interface AttachmentArg {
  path?: string | undefined;
  name?: string | undefined;
  content?: string | undefined;
  encoding?: 'utf8' | 'base64' | undefined;
  media_type?: string | undefined;
}

const TYPES: Record<string, string> = {
  '.txt': 'text/plain',
  '.md': 'text/markdown',
  '.csv': 'text/csv',
  '.log': 'text/plain',
  '.html': 'text/html',
  '.css': 'text/css',
  '.xml': 'application/xml',
  '.json': 'application/json',
  '.yaml': 'application/yaml',
  '.yml': 'application/yaml',
  '.toml': 'application/toml',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.ts': 'text/x-typescript',
  '.py': 'text/x-python',
  '.sh': 'text/x-shellscript',
  '.diff': 'text/x-diff',
  '.patch': 'text/x-diff',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.pdf': 'application/pdf',
  '.zip': 'application/zip',
  '.gz': 'application/gzip',
  '.tar': 'application/x-tar',
  '.wav': 'audio/wav',
  '.mp3': 'audio/mpeg',
};

export function mediaTypeOf(name: string): string {
  return TYPES[path.extname(name).toLowerCase()] ?? 'application/octet-stream';
}

/** Text we hand back as text rather than base64. */
export function isTextual(mediaType: string): boolean {
  return (
    /^text\//.test(mediaType) || /^application\/(json|xml|yaml|toml)$/.test(mediaType) || mediaType === 'image/svg+xml'
  );
}

/** `bufferLocation`: the store's location, so that its file is never attached. */
export async function resolveAttachments(
  args: readonly AttachmentArg[],
  files: FileAccess | null,
  bufferLocation: string,
): Promise<AttachmentInput[]> {
  const resolved: AttachmentInput[] = [];
  let total = 0;
  for (const arg of args) {
    const one = await resolveOne(arg, files, bufferLocation);
    total += one.data.length;
    if (total > LIMITS.maxAttachmentBytes) {
      throw new RelayError(
        'too_large',
        `The attachments are over ${formatCount(LIMITS.maxAttachmentBytes)} bytes in all; send fewer or smaller files.`,
      );
    }
    resolved.push(one);
  }
  return resolved;
}

async function resolveOne(
  arg: AttachmentArg,
  files: FileAccess | null,
  bufferLocation: string,
): Promise<AttachmentInput> {
  if (arg.path !== undefined && arg.content !== undefined) {
    throw new RelayError('bad_request', 'An attachment has both `path` and `content`; give one of them.');
  }
  if (arg.path !== undefined) {
    if (files === null) {
      throw new RelayError(
        'bad_request',
        'This relay runs on another machine and cannot read your files: attach them as `content` (base64 for binary).',
      );
    }
    const data = await readConfinedFile(arg.path, files, bufferLocation);
    const name = arg.name ?? plainFileName(path.basename(path.resolve(files.cwd, arg.path)));
    return { name, mediaType: arg.media_type ?? mediaTypeOf(name), data };
  }
  if (arg.content === undefined || arg.name === undefined) {
    throw new RelayError('bad_request', 'An attachment needs either `path`, or `name` and `content`.');
  }
  const data = decodeContent(arg.content, arg.encoding ?? 'utf8', arg.name);
  return { name: arg.name, mediaType: arg.media_type ?? mediaTypeOf(arg.name), data };
}

/** Standard or URL-safe alphabet, padded or not; line breaks are dropped first (`base64` wraps its output). */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$/;
const BASE64URL = /^(?:[A-Za-z0-9_-]{4})*(?:[A-Za-z0-9_-]{2}(?:==)?|[A-Za-z0-9_-]{3}=?)?$/;

/**
 * Inline content as bytes, refusing what would not arrive as sent: Node decodes any string as base64 by skipping
 * what it does not know, and encodes a lone surrogate as U+FFFD.
 */
export function decodeContent(content: string, encoding: 'utf8' | 'base64', name: string): Buffer {
  if (encoding === 'utf8') {
    if (!content.isWellFormed()) {
      throw new RelayError(
        'invalid_text',
        `The content of ${quoted(name)} contains invalid Unicode (a lone surrogate); send valid text, or the bytes as base64.`,
      );
    }
    return Buffer.from(content, 'utf8');
  }
  const compact = content.replace(/\r?\n/g, '');
  if (!BASE64.test(compact) && !BASE64URL.test(compact)) {
    throw new RelayError(
      'bad_request',
      `The content of ${quoted(name)} is not valid base64; encode the file's bytes as base64, or send text with encoding "utf8".`,
    );
  }
  return Buffer.from(compact, 'base64');
}

/**
 * A file's own name made plain enough to show (the store refuses odd names given explicitly): control and format
 * characters become '_', and a name over the limit is cut before its extension.
 */
export function plainFileName(name: string): string {
  const clean = name.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, '_').toWellFormed();
  if (Buffer.byteLength(clean, 'utf8') <= MAX_ATTACHMENT_NAME_BYTES) return clean;
  const ext = path.extname(clean).slice(0, 16);
  let stem = '';
  let room = MAX_ATTACHMENT_NAME_BYTES - Buffer.byteLength(ext, 'utf8');
  for (const char of clean.slice(0, clean.length - ext.length)) {
    room -= Buffer.byteLength(char, 'utf8');
    if (room < 0) break;
    stem += char;
  }
  return stem + ext;
}

/** Bytes as text when they are whole, valid UTF-8 of a textual type; else null (send base64). */
export function asText(data: Buffer, mediaType: string): string | null {
  if (!isTextual(mediaType)) return null;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    return null;
  }
}
