// `mcp-relay watch`: prints each message as it is stored, every direction, until Ctrl-C. Marks nothing read.
// followMessages is the one place that knows how new messages are noticed: the store's change events.
import { coalescer } from '../lib/coalescer.js';
import type { RelayMessage, Store } from '../store/store.js';
import { formatMessage } from './format.js';
import { type CliIo, println } from './io.js';
import { parse } from './options.js';
import { dbOption, dbPath, openRelayStore, withStore } from './store.js';

export const usage = `Usage: mcp-relay watch [--db PATH] [--json]

Prints every new message as it arrives (any sender, any recipient) until Ctrl-C. Marks nothing read.

  --db PATH  the message buffer (default: $RELAY_DB, else ~/.relay_buffer.db)
  --json     one JSON object per line, as relay_fetch returns messages`;

export const options = { json: { type: 'boolean' }, ...dbOption } as const;

/**
 * Calls `onMessage` for every message stored after this resolves, oldest first, until the returned function is
 * called. On each store change it reads back from the newest message to the last one seen (ids only grow).
 */
export async function followMessages(store: Store, onMessage: (message: RelayMessage) => void): Promise<() => void> {
  let lastId = 0;
  let ready: Promise<void> = Promise.resolve();
  // One catch-up at a time; a change during one schedules exactly one more. A briefly locked database is read at the
  // next change (or the store's safety poll).
  const catchUp = coalescer(
    async () => {
      await ready;
      let batch: RelayMessage[];
      for (let n = 20; ; n *= 4) {
        batch = await store.latest(n);
        if (batch.length < n || batch[0]!.id <= lastId) break;
      }
      for (const message of batch) {
        if (catchUp.stopped || message.id <= lastId) continue;
        lastId = message.id;
        onMessage(message);
      }
    },
    () => {},
  );
  // Listen first, then note the newest id: a message stored in between is caught up, not missed.
  const unsubscribe = store.onChange(() => catchUp.run());
  ready = store.latest(1).then((newest) => {
    lastId = newest[0]?.id ?? 0;
  });
  await ready;
  return () => {
    void catchUp.stop();
    unsubscribe();
  };
}

export interface WatchDeps {
  /** Ends the watch (the CLI wires SIGINT/SIGTERM to it). */
  signal?: AbortSignal;
}

export async function run(args: string[], io: CliIo, deps: WatchDeps = {}): Promise<void> {
  const { values } = parse(args, options);
  const file = dbPath(values.db, io);
  const controller = new AbortController();
  const signal = deps.signal ?? controller.signal;
  const onSignal = () => controller.abort();
  if (deps.signal === undefined) {
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }
  // A reader that went away (`watch | head -1`) ends the watch quietly.
  const onStdoutError = () => controller.abort();
  io.stdout.on('error', onStdoutError);
  try {
    await withStore(await openRelayStore(file), async (store) => {
      const stop = await followMessages(store, (message) => {
        if (values.json === true) println(io.stdout, JSON.stringify(message));
        else println(io.stdout, `${formatMessage(message, { showRecipient: true })}\n`);
      });
      io.stderr.write(`Watching ${file} for new messages (Ctrl-C to stop).\n`);
      // The store's watch timers are unref'd (a server must not be kept alive by them); this command lives until
      // it is stopped, so it holds the process open itself.
      const keepAlive = setInterval(() => {}, 1 << 30);
      await new Promise<void>((resolve) => {
        if (signal.aborted || controller.signal.aborted) return resolve();
        signal.addEventListener('abort', () => resolve(), { once: true });
        controller.signal.addEventListener('abort', () => resolve(), { once: true });
      });
      clearInterval(keepAlive);
      stop();
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    io.stdout.off('error', onStdoutError);
  }
}
