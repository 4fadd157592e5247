// How the CLI shows messages to a person: one header line, then the text indented under it, every field escaped
// (src/lib/text.ts): a message must not move the cursor, retitle the terminal, or look like a second message or
// a header of its own. --json output bypasses this.
import { field, indented } from '../lib/text.js';
import { localTime } from '../store/status.js';
import { displayKind, EVERYONE, type RelayMessage } from '../store/store.js';

/** The indent of a message's text under its header. */
export const BODY_INDENT = '  ';

/** "Desktop", or "myproject (Code)" for a named session; escaped. */
export function senderName(message: Pick<RelayMessage, 'from' | 'sender'>): string {
  const kind = field(displayKind(message.sender));
  return message.from === message.sender ? kind : `${field(message.from)} (${kind})`;
}

/** "everyone", "Desktop", or a session name; escaped. */
export function recipientName(to: string): string {
  if (to === EVERYONE) return 'everyone';
  return field(to === 'desktop' || to === 'code' ? displayKind(to) : to);
}

/** `#12 from api (Code) to Desktop, 2026-11-25 09:30:00 [notes.md]:` and the text indented below it. */
export function formatMessage(message: RelayMessage, options: { showRecipient?: boolean } = {}): string {
  const to = options.showRecipient === true ? ` to ${recipientName(message.to)}` : '';
  const files = message.attachments?.length ? ` [${message.attachments.map((a) => field(a.name)).join(', ')}]` : '';
  const header = `#${message.id} from ${senderName(message)}${to}, ${localTime(message.timestamp)}${files}:`;
  return `${header}\n${indented(message.message, BODY_INDENT)}`;
}
