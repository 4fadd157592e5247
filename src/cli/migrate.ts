// `mcp-relay migrate --from FILE --to postgres://…`: copies a local relay buffer into a PostgreSQL relay store
// without loss (src/store/copy.ts does the copying) and prints what it copied. Loads SQLite and pg only when run.
import { isPostgresUrl } from '../store/open.js';
import { formatCount, RelayError } from '../store/store.js';
import { UsageError, UserError } from './errors.js';
import { type CliIo, println } from './io.js';
import { parse } from './options.js';
import { dbPath } from './store.js';

export const usage = `Usage: mcp-relay migrate [--from FILE] --to URL [--force]

Copies a relay buffer (SQLite) into a PostgreSQL relay store: every message with its id, text, timestamps, read
state, recipients, sender session and reply_to; every delivery; attachments; sessions. One transaction: on any
error nothing is copied. The file is upgraded in place first, as a relay would, and otherwise only read.

  --from FILE   the SQLite buffer (default: $RELAY_DB if it is a file, else ~/.relay_buffer.db)
  --to URL      postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE (relay's tables go in its "relay" schema)
  --force       replace what the PostgreSQL store already holds (default: refuse one that is not empty)
  -h, --help    show this help`;

export const options = {
  from: { type: 'string' },
  to: { type: 'string' },
  force: { type: 'boolean' },
} as const;

export async function run(args: string[], io: CliIo): Promise<void> {
  const { values } = parse(args, options);
  if (values.to === undefined) throw new UsageError('--to is required: the postgres:// URL of the store to copy into');
  if (!isPostgresUrl(values.to)) throw new UsageError('--to must be a postgres:// or postgresql:// URL');
  const from = dbPath(values.from, io);
  if (isPostgresUrl(from)) {
    throw new UsageError(
      values.from === undefined
        ? '--from is needed: RELAY_DB is a PostgreSQL URL, not a buffer file'
        : '--from must be an SQLite file, not a URL',
    );
  }
  const { copySqliteToPostgres } = await import('../store/copy.js');
  let report;
  try {
    report = await copySqliteToPostgres(from, values.to, { force: values.force === true });
  } catch (error) {
    if (error instanceof RelayError) throw new UserError(error.message);
    throw error;
  }
  const lines = [
    `Copied ${report.from} to ${report.to}:`,
    `  ${formatCount(report.messages)} messages (${formatCount(report.unread)} unread), ${formatCount(report.deliveries)} deliveries`,
    `  ${formatCount(report.attachments)} attachments (${formatCount(report.attachmentBytes)} bytes)`,
    `  ${formatCount(report.sessions)} sessions`,
  ];
  if (report.converted.length > 0) {
    const named = report.converted.slice(0, 10).map((r) => `#${r.id} (${r.what.join(', ')})`);
    const more = report.converted.length > 10 ? `, and ${formatCount(report.converted.length - 10)} more` : '';
    lines.push(`Converted rows another program stored oddly, copied as text: ${named.join(', ')}${more}.`);
  }
  if (report.replaced !== null) {
    lines.push(
      `Replaced the ${formatCount(report.replaced.messages)} messages and ${formatCount(report.replaced.sessions)} sessions it held ` +
        `before (--force).`,
    );
  }
  println(io.stdout, lines.join('\n'));
}
