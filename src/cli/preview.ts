// `mcp-relay preview --for code`: the SessionStart hook. Prints (stdout, which Claude Code adds to the session) how
// many messages wait for the session that is starting here and the first 3 of them, at most 400 bytes; nothing
// when there are none. It runs at every Claude Code start, so it must be quick, must never mark anything read,
// never create the database, and never fail loudly: any problem at run time means no output and exit 0.
import { excerpt, quoted } from '../lib/text.js';
import { displayKind, LIMITS, type RelayMessage } from '../store/store.js';
import { senderName } from './format.js';
import { type CliIo, println } from './io.js';
import { parse } from './options.js';
import { sideFlags, sideReader } from './side.js';
import { dbOption, dbPath, openForReading } from './store.js';

export const usage = `Usage: mcp-relay preview [--for KIND] [--name NAME] [--command /NAME] [--db PATH]

Prints a short summary of the messages waiting for a session that starts here (the kind's shared mailbox and the
session name's own, as relay_fetch would return them): how many and the first 3, at most 400 bytes. Marks
nothing read; prints nothing when there are none or the database does not exist. Claude Code runs
\`preview --for code\` as a SessionStart hook (installed by \`mcp-relay setup code\`).

  --for KIND   the starting session's kind (default: code; --as is the same)
  --name NAME  its session name (default: $RELAY_NAME, else as the server picks it: the directory's name for Code)
  --command /NAME  the slash command that reads them, for Code (default: /get; relay's plugin: /relay:get)
  --db PATH    the message buffer (default: $RELAY_DB, else ~/.relay_buffer.db)`;

export const options = {
  ...sideFlags,
  command: { type: 'string' },
  ...dbOption,
} as const;

export const MAX_PREVIEW_BYTES = 400;
export const MAX_PREVIEWS = 3;
/** Characters of each message's text in the preview. */
const MAX_EXCERPT = 80;

/** The preview for the waiting messages (at most LIMITS.maxFetchLimit of them were read); '' when none. */
export function previewText(
  kind: string,
  waiting: readonly Pick<RelayMessage, 'from' | 'sender' | 'message'>[],
  command = '/get',
): string {
  if (waiting.length === 0) return '';
  const count = waiting.length >= LIMITS.maxFetchLimit ? `${LIMITS.maxFetchLimit} or more` : String(waiting.length);
  const how = kind === 'code' ? `run ${command} to read them` : 'say "get" to read them';
  const first = waiting.length > MAX_PREVIEWS ? `, the first ${MAX_PREVIEWS}` : '';
  const lines = [
    `relay: ${count} unread message${waiting.length === 1 ? '' : 's'} for this ${displayKind(kind)} session (${how})${first}:`,
  ];
  // Each text quoted: it cannot end its line's quote, so it cannot pose as another message or as the relay.
  for (const [i, message] of waiting.slice(0, MAX_PREVIEWS).entries()) {
    lines.push(`${i + 1}. from ${senderName(message)}: ${quoted(excerpt(message.message, MAX_EXCERPT), Infinity)}`);
  }
  return fitBytes(lines, MAX_PREVIEW_BYTES);
}

/** --command as given when it is a plain slash command; else (never in the way of a start) the default. */
function slashCommand(value: string | undefined): string | undefined {
  return value !== undefined && /^\/[A-Za-z0-9_.:-]{1,40}$/.test(value) ? value : undefined;
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
  const { kind, name } = sideReader(values, io);
  let text: string;
  try {
    const store = await openForReading(dbPath(values.db, io), { busyTimeoutMs: 1_000 });
    if (store === null) return;
    try {
      const waiting = await store.fetch({
        reader: { kind, name },
        limit: LIMITS.maxFetchLimit,
        unreadOnly: true,
        mark: false,
      });
      text = previewText(kind, waiting, slashCommand(values.command));
    } finally {
      await store.close();
    }
  } catch {
    // Never in the way of a starting session: an unreadable or locked database just means no preview.
    return;
  }
  if (text !== '') println(io.stdout, text);
}
