// The checks every backend makes on what is sent, before it touches storage: the text and the attachments against
// the shared limits, each refusal a RelayError with a sentence that says what to do.
import { type AttachmentInput, formatCount, LIMITS, RelayError } from './store.js';

/** Checks a message body against the limits every backend shares; throws RelayError. */
export function validateMessageText(message: string, maxBytes: number = LIMITS.maxMessageBytes): void {
  if (message.trim().length === 0) {
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
    if (a.name.trim() === '' || /[\\/\0]/.test(a.name)) {
      throw new RelayError(
        'bad_request',
        `The attachment name "${a.name}" is not a plain file name; give a name without slashes.`,
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
