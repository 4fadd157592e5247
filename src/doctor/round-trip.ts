// doctor's round trip through the buffer: a throw-away session mailbox, one message sent to it and fetched back,
// then the message and the session removed, so the buffer holds what it held before. The only write doctor makes,
// and it makes it only to a buffer that already exists.
import crypto from 'node:crypto';
import os from 'node:os';

import { openStore } from '../store/open.js';
import type { SessionKey, Store } from '../store/store.js';
import { type Check, fail, ok } from './check.js';

export const ROUND_TRIP = 'round trip';
/** The kind doctor's throw-away session registers as (kinds are open-ended; nothing else uses this one). */
export const DOCTOR_KIND = 'doctor';

/** The round trip through the buffer at `location`, opened for writing for it alone. */
export async function roundTripAt(location: string, fix: string): Promise<Check> {
  let store: Store;
  try {
    store = await openStore(location, { busyTimeoutMs: 2_000 });
  } catch (error) {
    return fail(ROUND_TRIP, `the buffer does not open for writing: ${(error as Error).message}`, fix);
  }
  try {
    return await roundTripCheck(store, fix);
  } finally {
    await store.close();
  }
}

export async function roundTripCheck(store: Store, fix: string): Promise<Check> {
  const wanted = `doctor-${crypto.randomBytes(4).toString('hex')}`;
  const text = `relay doctor: round-trip check through ${wanted}, removed at once`;
  let key: SessionKey | undefined;
  let id: number | undefined;
  let failure: string | undefined;
  try {
    const session = await store.registerSession({
      kind: DOCTOR_KIND,
      name: wanted,
      cwd: null,
      host: os.hostname(),
      pid: process.pid,
      observer: false,
    });
    key = { name: session.name, host: session.host, pid: session.pid };
    const sent = await store.send({ sender: DOCTOR_KIND, to: session.name, message: text });
    id = sent.message.id;
    const got = await store.fetch({ reader: { kind: DOCTOR_KIND, name: session.name }, limit: 1, unreadOnly: true });
    if (!got.some((m) => m.id === id && m.message === text))
      failure = `a message sent to ${session.name} did not come back from its mailbox`;
  } catch (error) {
    failure = `sending and fetching failed: ${error instanceof Error ? error.message : String(error)}`;
  }
  const left = await cleanUp(store, id, key);
  if (failure !== undefined) return fail(ROUND_TRIP, `${failure}${left}`, fix);
  if (left !== '') return fail(ROUND_TRIP, `the message came back, but${left.replace(/^;/, '')}`, fix);
  return ok(ROUND_TRIP, 'a message to a throw-away mailbox came back, and both were removed');
}

/** Removes what the round trip made; says what could not be removed ('' when all went). */
async function cleanUp(store: Store, id: number | undefined, key: SessionKey | undefined): Promise<string> {
  const left: string[] = [];
  try {
    if (id !== undefined) await store.deleteMessages([id]);
  } catch (error) {
    left.push(`its message #${id} is still there (${(error as Error).message})`);
  }
  if (key !== undefined) {
    try {
      await store.endSession(key);
      if (!(await store.forgetSession(key))) left.push(`its session ${key.name} is still remembered`);
    } catch (error) {
      left.push(`its session ${key.name} is still there (${(error as Error).message})`);
    }
  }
  return left.length === 0 ? '' : `; ${left.join('; ')}`;
}
