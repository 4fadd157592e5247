// How the CLI shows messages to a person: one header line and the text, with terminal control characters made
// visible (a message must not be able to move the cursor or retitle the terminal). --json output bypasses this.
import { otherSide, type RelayMessage } from '../store/store.js';
import { localTime, sideName } from '../status.js';

/** Replaces control characters other than newline and tab with a visible \\uXXXX. */
export function visible(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function formatMessage(message: RelayMessage, options: { showRecipient?: boolean } = {}): string {
  const to = options.showRecipient === true ? ` to ${sideName(otherSide(message.sender))}` : '';
  return `#${message.id} from ${sideName(message.sender)}${to}, ${localTime(message.timestamp)}:\n${visible(message.message)}`;
}

/** One line, whitespace runs collapsed, at most `max` characters (with an ellipsis when cut). */
export function oneLine(text: string, max: number): string {
  const flat = visible(text.replace(/\s+/g, ' ').trim());
  const chars = Array.from(flat);
  return chars.length <= max ? flat : `${chars.slice(0, max - 1).join('')}…`;
}
