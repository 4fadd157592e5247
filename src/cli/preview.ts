// `mcp-relay preview --for code`: the SessionStart hook. Prints (stdout, which Claude Code adds to the session) the
// count and previews of the newest 3 unread messages (oldest of them first), at most 400 bytes; nothing when none.
// It runs at every Claude Code start, so it must be quick, must never mark anything read, never create the
// database, and never fail loudly: any problem at run time means no output and exit 0.
import { peekUnread } from '../peek.js';
import { sideName } from '../status.js';
import { otherSide, type ClientKind } from '../store/store.js';
import { oneLine } from './format.js';
import { println, type CliIo } from './io.js';
import { clientKind, parse } from './options.js';
import { dbOption, dbPath, openExisting } from './store.js';

export const usage = `Usage: mcp-relay preview [--for desktop|code] [--db PATH]

Prints a short summary of a side's unread messages (count and the newest ${3}, at most 400 bytes) and marks
nothing read; prints nothing when there are none or the database does not exist. Claude Code runs
\`preview --for code\` as a SessionStart hook (installed by \`mcp-relay setup code\`).

  --for desktop|code  whose unread messages (default: code)
  --db PATH           the message buffer (default: $RELAY_DB, else ~/.relay_buffer.db)`;

export const options = { for: { type: 'string' }, ...dbOption } as const;

export const MAX_PREVIEW_BYTES = 400;
export const MAX_PREVIEWS = 3;

/** The preview text for `count` unread messages and the first few of them; '' when count is 0. */
export function previewText(reader: ClientKind, count: number, texts: readonly string[]): string {
  if (count === 0) return '';
  const from = sideName(otherSide(reader));
  const how = reader === 'code' ? 'run /get to read them' : 'say "get" to read them';
  const latest = count > MAX_PREVIEWS ? `, the latest ${MAX_PREVIEWS}` : '';
  const lines = [`relay: ${count.toLocaleString('en-US')} unread message${count === 1 ? '' : 's'} from ${from} (${how})${latest}:`];
  const shown = texts.slice(0, MAX_PREVIEWS);
  for (const [i, text] of shown.entries()) lines.push(`${i + 1}. ${oneLine(text, 100)}`);
  return fitBytes(lines, MAX_PREVIEW_BYTES);
}

/** Joins lines, dropping and then cutting the last ones so the result (with its final newline) fits in `max` bytes. */
function fitBytes(lines: string[], max: number): string {
  const out: string[] = [];
  let used = 0;
  for (const line of lines) {
    const bytes = Buffer.byteLength(line) + 1;
    if (used + bytes <= max) {
      out.push(line);
      used += bytes;
      continue;
    }
    const room = max - used - 1 - Buffer.byteLength('…');
    if (room > 10) {
      let cut = '';
      for (const ch of line) {
        if (Buffer.byteLength(cut + ch) > room) break;
        cut += ch;
      }
      out.push(`${cut}…`);
    }
    break;
  }
  return out.join('\n');
}

export async function run(args: string[], io: CliIo): Promise<void> {
  const { values } = parse(args, options);
  const reader = clientKind('--for', values.for) ?? 'code';
  let text = '';
  try {
    const store = openExisting(dbPath(values.db, io), { busyTimeoutMs: 1_000 });
    if (store === null) return;
    try {
      const unread = await peekUnread(store, reader, MAX_PREVIEWS, 'newest');
      text = previewText(reader, unread.count, unread.messages.map((m) => m.message));
    } finally {
      await store.close();
    }
  } catch {
    // Never in the way of a starting session: an unreadable or locked database just means no preview.
    return;
  }
  if (text !== '') println(io.stdout, text);
}
