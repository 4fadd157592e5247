// `mcp-relay clear [--yes]`: deletes every message (as relay_clear does). On a terminal it asks first unless --yes;
// without a terminal it refuses unless --yes, so a script can never clear the relay by accident.
import { createInterface } from 'node:readline';

import { UserError } from './errors.js';
import { type CliIo, println } from './io.js';
import { parse } from './options.js';
import { dbOption, dbPath, openExisting, withStore } from './store.js';

export const usage = `Usage: mcp-relay clear [--yes] [--db PATH] [--json]

Deletes every message in the relay, read or not. Asks first on a terminal; elsewhere --yes is required.

  --yes      do not ask
  --db PATH  the message buffer (default: $RELAY_DB, else ~/.relay_buffer.db)
  --json     print {"ok": true, "deleted": N}`;

export const options = { yes: { type: 'boolean' }, json: { type: 'boolean' }, ...dbOption } as const;

/** One line from the terminal ('' if input ends first). */
function ask(io: CliIo, question: string): Promise<string> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: io.stdin, output: io.stderr, terminal: false });
    io.stderr.write(question);
    let answered = false;
    rl.once('line', (line) => {
      answered = true;
      rl.close();
      resolve(line);
    });
    rl.once('close', () => {
      if (!answered) resolve('');
    });
  });
}

export async function run(args: string[], io: CliIo): Promise<void> {
  const { values } = parse(args, options);
  const file = dbPath(values.db, io);
  const store = await openExisting(file);
  const deleted =
    store === null
      ? 0
      : await withStore(store, async (s) => {
          if (values.yes !== true) {
            if (io.stdin.isTTY !== true) {
              throw new UserError('Refusing to clear without a terminal to ask on: add --yes to delete every message.');
            }
            const { total } = await s.stats();
            if (total === 0) return 0;
            const answer = await ask(
              io,
              `Delete all ${total.toLocaleString('en-US')} messages in ${s.location}? [y/N] `,
            );
            if (!/^y(es)?$/i.test(answer.trim())) throw new UserError('Nothing was deleted.');
          }
          return s.clear();
        });
  if (values.json === true) println(io.stdout, JSON.stringify({ ok: true, deleted }));
  else println(io.stdout, `Deleted ${deleted.toLocaleString('en-US')} message${deleted === 1 ? '' : 's'}.`);
}
