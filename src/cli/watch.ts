// `mcp-relay watch`: prints each message as it is stored, both directions, until Ctrl-C. Marks nothing read.
// followMessages is the one place that knows how new messages are noticed (a short poll for now), so the store's
// change events can replace it without touching the rest.
import type { RelayMessage, Store } from '../store/store.js';
import { formatMessage } from './format.js';
import { println, type CliIo } from './io.js';
import { parse } from './options.js';
import { dbOption, dbPath, openStore, withStore } from './store.js';

export const usage = `Usage: mcp-relay watch [--db PATH] [--json]

Prints every new message as it arrives (either direction) until Ctrl-C. Marks nothing read.

  --db PATH  the message buffer (default: $RELAY_DB, else ~/.relay_buffer.db)
  --json     one JSON object per line, as relay_fetch returns messages`;

export const options = { json: { type: 'boolean' }, ...dbOption } as const;

export const POLL_MS = 500;

/**
 * Calls `onMessage` for every message stored after this resolves, oldest first, until the returned function is
 * called. Poll-based for now (the buffer is small and ids only grow); to be replaced by store.onChange.
 */
export async function followMessages(store: Store, onMessage: (message: RelayMessage) => void, intervalMs = POLL_MS): Promise<() => void> {
  let lastId = (await store.latest(1))[0]?.id ?? 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const poll = async () => {
    // Look back far enough to cover everything since the last poll, however much arrived.
    let batch: RelayMessage[] = [];
    for (let n = 20; ; n *= 4) {
      batch = await store.latest(n);
      if (batch.length < n || batch[0]!.id <= lastId) break;
    }
    for (const message of batch) {
      if (stopped || message.id <= lastId) continue;
      lastId = message.id;
      onMessage(message);
    }
  };
  const loop = () => {
    timer = setTimeout(() => {
      poll()
        .catch(() => {
          // A busy or briefly locked database is retried at the next tick.
        })
        .finally(() => {
          if (!stopped) loop();
        });
    }, intervalMs);
  };
  loop();
  return () => {
    stopped = true;
    clearTimeout(timer);
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
    await withStore(openStore(file), async (store) => {
      const stop = await followMessages(store, (message) => {
        if (values.json === true) println(io.stdout, JSON.stringify(message));
        else println(io.stdout, `${formatMessage(message, { showRecipient: true })}\n`);
      });
      io.stderr.write(`Watching ${file} for new messages (Ctrl-C to stop).\n`);
      await new Promise<void>((resolve) => {
        if (signal.aborted || controller.signal.aborted) return resolve();
        signal.addEventListener('abort', () => resolve(), { once: true });
        controller.signal.addEventListener('abort', () => resolve(), { once: true });
      });
      stop();
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    io.stdout.off('error', onStdoutError);
  }
}
