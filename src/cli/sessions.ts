// `mcp-relay sessions [--json]`: the live sessions (name, kind, unread, last seen, directory), as relay_sessions lists
// them, for a person at a terminal. Never creates the database. Every field is escaped: another program wrote them.
import { field } from '../lib/text.js';
import { localTime } from '../store/status.js';
import { displayKind, type SessionInfo } from '../store/store.js';
import { type CliIo, println } from './io.js';
import { flagHelp, parse } from './options.js';
import { dbOption, dbPath, openForReading, withStore } from './store.js';

const flags = {
  db: { ...dbOption.db, arg: 'PATH', help: 'the message buffer (default: $RELAY_DB, else ~/.relay_buffer.db)' },
  json: {
    type: 'boolean',
    help: 'print {"ok": true, "sessions": [{"name", "kind", "cwd", "host", "pid", "observer", "started_at", "last_seen", "unread"}]}',
  },
} as const;

export const usage = `Usage: mcp-relay sessions [--db PATH] [--json]

Lists the live sessions: each relay process or HTTP session started with a kind (Claude Desktop, every Claude
Code window, other clients). Send to one by name with \`mcp-relay send --to NAME\`.

${flagHelp(flags)}`;

export const options = flags;

/** `devbox (Code, 2 unread)` for one line of `status`. */
export function sessionSummary(s: SessionInfo): string {
  const notes = [
    field(displayKind(s.kind)),
    ...(s.unread > 0 ? [`${s.unread} unread`] : []),
    ...(s.observer ? ['observing'] : []),
  ];
  return `${field(s.name)} (${notes.join(', ')})`;
}

/** A table: one row a session, columns padded; escaped. */
export function sessionTable(sessions: readonly SessionInfo[]): string {
  const rows = [
    ['NAME', 'KIND', 'UNREAD', 'LAST SEEN', 'DIRECTORY'],
    ...sessions.map((s) => [
      field(s.name),
      field(s.kind) + (s.observer ? ' (observer)' : ''),
      String(s.unread),
      localTime(s.last_seen),
      s.cwd === null ? '(remote)' : field(s.cwd),
    ]),
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => Array.from(r[c]!).length)));
  return rows
    .map((r) =>
      r
        .map((cell, c) => (c === 2 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export async function run(args: string[], io: CliIo): Promise<void> {
  const { values } = parse(args, options);
  const store = await openForReading(dbPath(values.db, io));
  const sessions = store === null ? [] : await withStore(store, (s) => s.sessions());
  if (values.json === true) println(io.stdout, JSON.stringify({ ok: true, sessions }));
  else if (sessions.length === 0) println(io.stdout, 'No live sessions.');
  else println(io.stdout, sessionTable(sessions));
}
