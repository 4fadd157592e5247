// How the CLI shows messages to a person: one header line and the text, with terminal control characters made
// visible (a message must not be able to move the cursor or retitle the terminal). --json output bypasses this.
import { localTime } from '../lib/status.js';
import { displayKind, EVERYONE, type RelayMessage } from '../store/store.js';

/** Replaces control characters other than newline and tab (and bidi overrides) with a visible \\uXXXX. */
export function visible(text: string): string {
  return text.replace(
    /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** "Desktop", or "myproject (Code)" for a named session. */
export function senderName(message: RelayMessage): string {
  return message.from === message.sender
    ? displayKind(message.sender)
    : `${message.from} (${displayKind(message.sender)})`;
}

function recipientName(to: string): string {
  if (to === EVERYONE) return 'everyone';
  return to === 'desktop' || to === 'code' ? displayKind(to) : to;
}

export function formatMessage(message: RelayMessage, options: { showRecipient?: boolean } = {}): string {
  const to = options.showRecipient === true ? ` to ${recipientName(message.to)}` : '';
  const files = message.attachments?.length ? ` [${message.attachments.map((a) => visible(a.name)).join(', ')}]` : '';
  return `#${message.id} from ${visible(senderName(message))}${to}, ${localTime(message.timestamp)}${files}:\n${visible(message.message)}`;
}

/** One line, whitespace runs collapsed, at most `max` characters (with an ellipsis when cut). */
export function oneLine(text: string, max: number): string {
  const flat = visible(text.replace(/\s+/g, ' ').trim());
  const chars = Array.from(flat);
  return chars.length <= max ? flat : `${chars.slice(0, max - 1).join('')}…`;
}
