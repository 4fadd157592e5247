// `mcp-relay fetch [--for desktop|code] [--name NAME] [--peek] [--limit N] [--json]`: a person reads unread
// messages, oldest first, by the same store and rules as relay_fetch (marks them read), or only looks (--peek).
import { clampLimit, displayKind, LIMITS } from '../store/store.js';
import { UsageError } from './errors.js';
import { formatMessage } from './format.js';
import { type CliIo, println } from './io.js';
import { clientKind, parse, sessionName } from './options.js';
import { dbOption, dbPath, openExisting, openRelayStore, withStore } from './store.js';

export const usage = `Usage: mcp-relay fetch [--for desktop|code] [--name NAME] [--peek] [--limit N] [--db PATH] [--json]

Prints unread messages, oldest first, and marks them read (as relay_fetch does). Without --name it reads the
kind's shared mailbox: messages sent to "code" (or "desktop") while no session of that kind was running.

  --for KIND          whose messages: desktop, code, ... (default: code)
  --name NAME         also the mailbox of this session (see relay_sessions); with --peek to leave it unread
  --peek              only look: mark nothing read
  --limit N           at most N messages, 1-${LIMITS.maxFetchLimit} (default ${LIMITS.defaultFetchLimit}; out of range is clamped)
  --db PATH           the message buffer (default: $RELAY_DB, else ~/.relay_buffer.db)
  --json              print {"ok": true, "messages": [...]} as relay_fetch returns it`;

export const options = {
  for: { type: 'string' },
  name: { type: 'string' },
  peek: { type: 'boolean' },
  limit: { type: 'string' },
  json: { type: 'boolean' },
  ...dbOption,
} as const;

export async function run(args: string[], io: CliIo): Promise<void> {
  const { values } = parse(args, options);
  const reader = {
    kind: clientKind('--for', values.for) ?? 'code',
    name: sessionName('--name', values.name, clientKind('--for', values.for) ?? 'code') ?? null,
  };
  let limit: number | undefined;
  if (values.limit !== undefined) {
    limit = Number(values.limit);
    if (values.limit.trim() === '' || !Number.isFinite(limit))
      throw new UsageError(`--limit must be a number (got '${values.limit}')`);
  }
  const file = dbPath(values.db, io);
  const peek = values.peek === true;
  // Looking never creates the database; reading for real opens it like the server does.
  const store = peek ? await openExisting(file) : await openRelayStore(file);
  const messages =
    store === null
      ? []
      : await withStore(store, async (s) =>
          s.fetch({ reader, limit: clampLimit(limit), unreadOnly: true, mark: !peek }),
        );
  if (values.json === true) {
    println(io.stdout, JSON.stringify({ ok: true, messages }));
    return;
  }
  if (messages.length === 0) {
    println(io.stdout, `No unread messages for ${reader.name ?? displayKind(reader.kind)}.`);
    return;
  }
  println(io.stdout, messages.map((m) => formatMessage(m)).join('\n\n'));
}
