// `mcp-relay send [TEXT] [--as KIND] [--to WHO] [--file PATH]`: a person sends a message, by the same store, routing
// and limits as relay_send (from outside any session, unless --name says which session it is from). Without TEXT or
// --file it reads stdin (`make 2>&1 | mcp-relay send`).
import fs from 'node:fs';

import { field } from '../lib/text.js';
import { fullWarning } from '../store/cap.js';
import { displayKind, LIMITS } from '../store/store.js';
import { validateMessageText } from '../store/validate.js';
import { UsageError, UserError } from './errors.js';
import { type CliIo, println } from './io.js';
import { flagHelp, parse, sessionName } from './options.js';
import { sideFlags, sideKind } from './side.js';
import { dbOption, dbPath, openRelayStore, userError, withStore } from './store.js';

const flags = {
  ...sideFlags,
  name: {
    type: 'string',
    arg: 'NAME',
    help: 'send as this session (replies come back to its mailbox); default: from no session',
  },
  to: {
    type: 'string',
    arg: 'WHO',
    help: 'a session name, desktop, code, or * for everyone (default: the other side)',
  },
  file: {
    type: 'string',
    arg: 'PATH',
    help: `send this file's text (UTF-8, at most ${LIMITS.maxMessageBytes.toLocaleString('en-US')} bytes)`,
  },
  db: { ...dbOption.db, arg: 'PATH', help: 'the message buffer (default: $RELAY_DB, else ~/.relay_buffer.db)' },
  json: {
    type: 'boolean',
    help: 'print {"ok": true, "id": N, "recipients": [...], "full"?: [...], "warning"?} as relay_send does',
  },
} as const;

export const usage = `Usage: mcp-relay send [TEXT...] [--as KIND] [--to WHO] [--file PATH] [--db PATH] [--json]

Sends a message. The text is TEXT (several words are joined with spaces), the contents of --file, or else
standard input:   make 2>&1 | mcp-relay send --as code

${flagHelp(flags)}`;

export const options = flags;

export async function run(args: string[], io: CliIo): Promise<void> {
  const { values, positionals } = parse(args, options, true);
  const sender = sideKind(values);
  const from = sessionName('--name', values.name, sender) ?? null;
  if (positionals.length > 0 && values.file !== undefined) throw new UsageError('give the text or --file, not both');
  const text =
    positionals.length > 0
      ? positionals.join(' ')
      : values.file !== undefined
        ? readFileText(values.file)
        : await readStdin(io);
  try {
    validateMessageText(text);
  } catch (error) {
    throw userError(error);
  }
  const { message, recipients, full } = await withStore(await openRelayStore(dbPath(values.db, io)), (store) =>
    store.send({ sender, from, to: values.to, message: text }),
  );
  const warning = fullWarning(full);
  if (values.json === true) {
    println(
      io.stdout,
      JSON.stringify({ ok: true, id: message.id, recipients, ...(warning === undefined ? {} : { full, warning }) }),
    );
  } else {
    const bytes = Buffer.byteLength(text).toLocaleString('en-US');
    println(io.stdout, `Sent #${message.id} (${bytes} bytes) to ${recipients.map(recipientWords).join(', ')}.`);
    if (warning !== undefined) println(io.stderr, field(warning));
  }
}

/** `code (next to fetch)`, as relay_send reports a kind's shared mailbox, in a person's words. */
function recipientWords(recipient: string): string {
  const shared = /^(\S+) \(next to fetch\)$/.exec(recipient);
  if (shared === null) return field(recipient);
  const kind = field(displayKind(shared[1]!));
  return `${kind}'s shared mailbox (the next ${kind} session to fetch gets it)`;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

function decode(bytes: Uint8Array, what: string): string {
  try {
    return decoder.decode(bytes);
  } catch {
    throw new UserError(`${what} is not UTF-8 text; relay carries text only (attach binary files in Claude directly).`);
  }
}

function tooLarge(what: string, bytes: number, hint: string): UserError {
  return new UserError(
    `${what} is ${bytes.toLocaleString('en-US')} bytes; the limit is ${LIMITS.maxMessageBytes.toLocaleString('en-US')}. ${hint}`,
  );
}

function readFileText(file: string): string {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (error) {
    throw new UserError(
      `Cannot read ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}.`,
    );
  }
  if (!stat.isFile()) throw new UserError(`${file} is not a regular file.`);
  // Checked before reading, so a huge file is refused without loading it.
  if (stat.size > LIMITS.maxMessageBytes)
    throw tooLarge(file, stat.size, 'Send a part of it, e.g. with `tail -c 60000`.');
  return decode(fs.readFileSync(file), file);
}

/** All of stdin, keeping at most limit + 1 bytes (the rest is counted, so the error can say how much there was). */
async function readStdin(io: CliIo): Promise<string> {
  if (io.stdin.isTTY === true) io.stderr.write('Type the message, then press Ctrl-D on a new line.\n');
  const kept: Buffer[] = [];
  let keptBytes = 0;
  let total = 0;
  for await (const chunk of io.stdin) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    total += buffer.length;
    if (keptBytes <= LIMITS.maxMessageBytes) {
      kept.push(buffer);
      keptBytes += buffer.length;
    }
  }
  if (total > LIMITS.maxMessageBytes)
    throw tooLarge('The input', total, 'Pipe it through `tail -c 60000` to send the end of it.');
  if (total === 0)
    throw new UserError(
      'Nothing to send: standard input was empty. Give the text as an argument, with --file, or on stdin.',
    );
  return decode(Buffer.concat(kept), 'The input');
}
