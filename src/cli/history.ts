// `mcp-relay history [--for/--as KIND] [--name NAME] [--thread ID] [--limit N] [--json]`: the recent history from a
// terminal, oldest first, each message with who it went to and whether each of them has read it. Over the store's
// history(), as the ui page shows it; marks nothing read and never creates the database. Every field is escaped and
// every text indented under its header (src/lib/text.ts), as fetch prints them.
import { field } from '../lib/text.js';
import { localTime } from '../store/status.js';
import { clampLimit, type Delivery, displayKind, type HistoryMessage, LIMITS } from '../store/store.js';
import { UsageError } from './errors.js';
import { formatMessage } from './format.js';
import { type CliIo, println } from './io.js';
import { clientKind, flagHelp, parse, sessionName } from './options.js';
import { dbOption, dbPath, openForReading, withStore } from './store.js';

const DEFAULT_LIMIT = 20;

const flags = {
  as: {
    type: 'string',
    arg: 'KIND',
    help: 'only messages sent by or to this kind (desktop, code, ...); --for is the same',
  },
  for: { type: 'string', arg: 'KIND', help: 'the same as --as' },
  name: { type: 'string', arg: 'NAME', help: 'only messages sent by or to this session' },
  thread: { type: 'string', arg: 'ID', help: 'only the thread message ID belongs to (its reply_to chain)' },
  limit: {
    type: 'string',
    arg: 'N',
    help: `the newest N messages, 1-${LIMITS.maxHistoryLimit} (default ${DEFAULT_LIMIT}; out of range is clamped)`,
  },
  db: { ...dbOption.db, arg: 'PATH', help: 'the message buffer (default: $RELAY_DB, else ~/.relay_buffer.db)' },
  json: {
    type: 'boolean',
    help: 'print {"ok": true, "messages": [...]}, each with "recipients": [{"mailbox", "kind", "name", "delivered_at", "read_at"}]',
  },
} as const;

export const usage = `Usage: mcp-relay history [--as KIND] [--name NAME] [--thread ID] [--limit N] [--db PATH] [--json]

Prints the newest messages the relay holds (read or not), oldest first, each with its recipients and whether each
has read it. Marks nothing read.

${flagHelp(flags)}`;

export const options = flags;

function number(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new UsageError(`${flag} must be a number (got '${value}')`);
  return n;
}

/** "api", or "Code (shared)" for a kind's shared mailbox (the next session of the kind to fetch reads it); escaped. */
function recipientLabel(d: Delivery): string {
  return d.name === null ? `${field(displayKind(d.kind))} (shared)` : field(d.name);
}

/** `read by api 2026-12-01 09:31:02; unread: web, Desktop (shared)` (or `no recipients`). */
export function readState(recipients: readonly Delivery[]): string {
  const read = recipients.filter((d) => d.read_at !== null);
  const unread = recipients.filter((d) => d.read_at === null);
  const parts = [
    ...read.map((d) => `read by ${recipientLabel(d)} ${localTime(d.read_at!)}`),
    unread.length === 0 ? '' : `unread: ${unread.map(recipientLabel).join(', ')}`,
  ].filter(Boolean);
  return parts.length === 0 ? 'no recipients' : parts.join('; ');
}

/** A message as fetch prints it (header, text indented), then its read state on a line of the relay's own. */
export function formatHistoryMessage(message: HistoryMessage): string {
  const reply = message.reply_to === null ? '' : ` (in reply to #${message.reply_to})`;
  const printed = formatMessage(message, { showRecipient: true }).replace(/:\n/, `${reply}:\n`);
  return `${printed}\n${readState(message.recipients)}`;
}

export async function run(args: string[], io: CliIo): Promise<void> {
  const { values } = parse(args, options);
  const as = clientKind('--as', values.as);
  const forKind = clientKind('--for', values.for);
  if (as !== null && forKind !== null && as !== forKind)
    throw new UsageError(`--as and --for name the same side; give one of them (got ${as} and ${forKind})`);
  const kind = as ?? forKind ?? undefined;
  const session = sessionName('--name', values.name, kind ?? null);
  const thread = number('--thread', values.thread);
  if (thread !== undefined && (!Number.isInteger(thread) || thread < 1))
    throw new UsageError(`--thread must be a message id (got '${values.thread}')`);
  const limit = clampLimit(number('--limit', values.limit), LIMITS.maxHistoryLimit, DEFAULT_LIMIT);
  const store = await openForReading(dbPath(values.db, io));
  const messages =
    store === null
      ? []
      : await withStore(store, (s) =>
          s.history({ session, kind: session === undefined ? kind : undefined, thread, limit }),
        );
  if (values.json === true) println(io.stdout, JSON.stringify({ ok: true, messages }));
  else if (messages.length === 0) println(io.stdout, 'No messages.');
  else println(io.stdout, messages.map(formatHistoryMessage).join('\n\n'));
}
