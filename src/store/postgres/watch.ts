// "The store changed" for PostgreSQL: LISTEN on one dedicated connection, held only while someone listens. Every
// committed change fires NOTIFY (a trigger does it, see the migrations), so relays on other machines hear about it
// within a round trip. If the connection drops it is re-established with a bounded backoff; meanwhile, and only
// then, a slow poll of a cheap fingerprint stands in. Listeners are also called once after every (re)connect,
// since changes may have gone unheard while nobody was listening. No SQL about the model here but `fingerprint`.
import type pg from 'pg';

import { Listeners } from '../listeners.js';

export const CHANGE_CHANNEL = 'relay_changed';

export interface PgWatchOptions {
  /** A new, unconnected client for LISTEN (not from the pool: it is held for as long as someone listens). */
  client: () => pg.Client;
  /** A cheap summary of the store's state, compared by the fallback poll. */
  fingerprint: () => Promise<string>;
  /** The fallback poll while LISTEN is down (default 2 s). */
  pollMs?: number;
  /** Reconnect delays grow from `backoffMinMs` to at most `backoffMaxMs` (defaults 100 ms, 5 s). */
  backoffMinMs?: number;
  backoffMaxMs?: number;
  /** How often the LISTEN connection is checked with a trivial query, to notice a silently dead link (30 s). */
  pingMs?: number;
  onError?: (error: Error) => void;
}

export class PgChangeWatcher {
  private readonly listeners: Listeners;
  private client: pg.Client | undefined;
  /** Bumped on every start/stop, so a late callback of an old connection does nothing. */
  private generation = 0;
  private backoff: number;
  private reconnect: NodeJS.Timeout | undefined;
  private poll: NodeJS.Timeout | undefined;
  private ping: NodeJS.Timeout | undefined;
  private lastPrint: string | undefined;
  /** Clients already given up on: their late 'error' and 'end' events are ignored. */
  private readonly retired = new WeakSet<pg.Client>();
  private closed = false;

  constructor(private readonly options: PgWatchOptions) {
    this.backoff = options.backoffMinMs ?? 100;
    this.listeners = new Listeners({
      start: () => this.start(),
      // stop() never rejects (it catches client.end()).
      stop: () => void this.stop(),
      onError: options.onError,
    });
  }

  subscribe(listener: () => void): () => void {
    return this.listeners.add(listener);
  }

  /** True while the LISTEN connection is up (for tests and diagnostics). */
  get listening(): boolean {
    return this.client !== undefined && this.reconnect === undefined;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listeners.close();
    await this.stop();
  }

  private start(): void {
    this.generation += 1;
    this.backoff = this.options.backoffMinMs ?? 100;
    void this.connect(this.generation);
  }

  private async stop(): Promise<void> {
    this.generation += 1;
    this.clearTimers();
    const client = this.client;
    this.client = undefined;
    if (client !== undefined) {
      this.retired.add(client);
      await client.end().catch(() => {});
    }
  }

  private clearTimers(): void {
    for (const timer of [this.reconnect, this.poll, this.ping]) if (timer !== undefined) clearTimeout(timer);
    this.reconnect = undefined;
    this.poll = undefined;
    this.ping = undefined;
  }

  private async connect(generation: number): Promise<void> {
    const client = this.options.client();
    // An idle client reports a lost connection as an 'error' event: unhandled, it would end the process.
    client.on('error', (error) => this.lost(generation, client, error));
    client.on('end', () => this.lost(generation, client, new Error('the LISTEN connection closed')));
    client.on('notification', (message) => {
      if (generation === this.generation && message.channel === CHANGE_CHANNEL) this.queueEmit();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGE_CHANNEL}`);
    } catch (error) {
      this.lost(generation, client, error as Error);
      return;
    }
    if (generation !== this.generation) {
      this.retired.add(client);
      await client.end().catch(() => {});
      return;
    }
    this.client = client;
    this.backoff = this.options.backoffMinMs ?? 100;
    if (this.poll !== undefined) clearInterval(this.poll);
    this.poll = undefined;
    this.lastPrint = undefined;
    this.schedulePing(generation, client);
    // Whatever happened before LISTEN took effect (or while it was down) went unheard.
    this.queueEmit();
  }

  /** The connection failed or broke: report it, poll meanwhile, and try again after the backoff. */
  private lost(generation: number, client: pg.Client, error: Error): void {
    if (this.retired.has(client)) return;
    this.retired.add(client);
    void client.end().catch(() => {});
    if (this.client === client) this.client = undefined;
    if (generation !== this.generation || this.closed || this.listeners.size === 0) return;
    if (this.ping !== undefined) clearTimeout(this.ping);
    this.ping = undefined;
    this.options.onError?.(new Error(`change events (LISTEN): ${error.message}; retrying in ${this.backoff} ms`));
    this.startPoll(generation);
    const delay = this.backoff;
    this.backoff = Math.min(this.backoff * 2, this.options.backoffMaxMs ?? 5_000);
    this.reconnect = setTimeout(() => {
      this.reconnect = undefined;
      if (generation === this.generation) void this.connect(generation);
    }, delay);
    this.reconnect.unref();
  }

  private schedulePing(generation: number, client: pg.Client): void {
    const every = this.options.pingMs ?? 30_000;
    this.ping = setTimeout(() => {
      let answered = false;
      const deadline = setTimeout(() => {
        if (!answered) this.lost(generation, client, new Error(`no answer to a ping within ${every} ms`));
      }, every);
      deadline.unref();
      client
        .query('SELECT 1')
        .then(() => {
          answered = true;
          clearTimeout(deadline);
          if (generation === this.generation && this.client === client) this.schedulePing(generation, client);
        })
        .catch((error: unknown) => {
          answered = true;
          clearTimeout(deadline);
          this.lost(generation, client, error as Error);
        });
    }, every);
    this.ping.unref();
  }

  private startPoll(generation: number): void {
    if (this.poll !== undefined) return;
    this.poll = setInterval(() => {
      if (generation !== this.generation) return;
      this.options
        .fingerprint()
        .then((print) => {
          if (this.lastPrint !== undefined && print !== this.lastPrint) this.queueEmit();
          this.lastPrint = print;
        })
        .catch(() => {
          // The database itself is unreachable: the reconnect loop reports that.
        });
    }, this.options.pollMs ?? 2_000);
    this.poll.unref();
  }

  /** One call per burst: notifications arriving together become one call to each listener. */
  private queueEmit(): void {
    this.listeners.emitSoon();
  }
}
