// The checks every backend makes on what is sent, before it touches storage: the text (not empty, not too large,
// valid Unicode), the attachments (plain names, proper media types, the limits), each refusal a RelayError with a
// sentence that says what to do. Pure: no I/O.
import { quoted } from '../lib/text.js';
import { type AttachmentInput, formatCount, LIMITS, RelayError } from './store.js';

/** Checks a message body against the limits every backend shares; throws RelayError. */
export function validateMessageText(message: string, maxBytes: number = LIMITS.maxMessageBytes): void {
  if (isBlank(message)) {
    throw new RelayError('empty', 'The message is empty: pass the text to relay in `message`.');
  }
  if (!message.isWellFormed()) {
    throw new RelayError(
      'invalid_text',
      'The message contains invalid Unicode (a lone surrogate); send it as valid UTF-8 text.',
    );
  }
  const bytes = Buffer.byteLength(message, 'utf8');
  if (bytes > maxBytes) {
    throw new RelayError(
      'too_large',
      `The message is ${formatCount(bytes)} bytes of UTF-8; the limit is ${formatCount(maxBytes)}. ` +
        'Send a shorter message, split it into parts, or attach the text as a file.',
    );
  }
}

/** Checks attachments against the shared limits; throws RelayError. */
export function validateAttachments(attachments: readonly AttachmentInput[]): void {
  if (attachments.length > LIMITS.maxAttachments) {
    throw new RelayError(
      'too_large',
      `A message may carry at most ${LIMITS.maxAttachments} attachments; send the rest in another message.`,
    );
  }
  let total = 0;
  for (const a of attachments) {
    const problem = attachmentNameProblem(a.name);
    if (problem !== undefined) {
      throw new RelayError('bad_request', `The attachment name ${quoted(a.name)} ${problem}; give a plain file name.`);
    }
    if (!MEDIA_TYPE.test(a.mediaType)) {
      throw new RelayError(
        'bad_request',
        `The media type ${quoted(a.mediaType)} of ${quoted(a.name)} is not a media type such as text/plain; ` +
          'leave media_type out to have it guessed from the name.',
      );
    }
    total += a.data.length;
  }
  if (total > LIMITS.maxAttachmentBytes) {
    throw new RelayError(
      'too_large',
      `The attachments are ${formatCount(total)} bytes; the limit is ${formatCount(LIMITS.maxAttachmentBytes)} per message. ` +
        'Send fewer or smaller files.',
    );
  }
}

/** Longest attachment name, in bytes of UTF-8 (what file systems allow). */
export const MAX_ATTACHMENT_NAME_BYTES = 255;

/**
 * Text that shows nothing: white space, control and format characters (U+200B, U+FEFF, bidi marks) and the
 * blank fillers (Hangul, Braille) people and models paste as "empty".
 */
export function isBlank(text: string): boolean {
  return /^[\s\p{Cc}\p{Cf}\p{Z}\u115F\u1160\u2800\u3164\uFFA0]*$/u.test(text);
}

/** What is wrong with an attachment's name (after "The attachment name X"), or undefined when it is a plain one. */
export function attachmentNameProblem(name: string): string | undefined {
  if (isBlank(name)) return 'is empty';
  if (/[\\/]/.test(name) || name === '.' || name === '..') return 'is a path, not a file name';
  // Newlines, ESC, NUL, bidi overrides: a name is shown to people and models, and must look like what it is.
  if (/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(name)) return 'contains control characters';
  if (!name.isWellFormed()) return 'contains invalid Unicode';
  if (Buffer.byteLength(name, 'utf8') > MAX_ATTACHMENT_NAME_BYTES) {
    return `is longer than ${MAX_ATTACHMENT_NAME_BYTES} bytes`;
  }
  return undefined;
}

/** A media type as RFC 6838 writes it (type/subtype, then `; name=value` parameters), on one line. */
const TOKEN = '[A-Za-z0-9!#$&^_.+-]';
const MEDIA_TYPE = new RegExp(
  `^(?=[^]{1,255}$)${TOKEN}+/${TOKEN}+(?: *; *${TOKEN}+=(?:${TOKEN}+|"[ !#-\\[\\]-~]*"))*$`,
);
