// Notice leases on PostgreSQL (16.8): the statements' order within one transaction, as store.ts's lease and
// confirm call them. Which candidates to lease is the shared rule (routing.ts planNotices).
import type pg from 'pg';

import { type Liveness, type NoticeCandidate, planNotices } from '../routing.js';
import { isoTimestamp, NOTICE_LEASE_MS, type NoticeLease, type RelayMessage } from '../store.js';
import { SQL } from './queries.js';

/** In a write transaction: settles what everyone read, leases what `owner` may show, loads those messages. */
export async function leaseNotices(
  db: pg.PoolClient,
  owner: string,
  limit: number,
  liveness: Liveness,
  load: (ids: readonly number[]) => Promise<RelayMessage[]>,
): Promise<NoticeLease> {
  const candidates = (await db.query<NoticeCandidate>(SQL.noticeCandidates)).rows;
  const plan = planNotices(candidates, owner, limit, liveness);
  if (plan.silent.length > 0) await db.query(SQL.settleNotices, [isoTimestamp(liveness.now), plan.silent]);
  if (plan.lease.length === 0) return { messages: [], retryAt: plan.retryAt };
  const until = new Date(liveness.now.getTime() + NOTICE_LEASE_MS).toISOString();
  await db.query(SQL.leaseNotices, [owner, until, plan.lease]);
  return { messages: await load(plan.lease), retryAt: plan.retryAt };
}

/** One statement (so concurrent confirms of one row settle it once): the ids of `ids` this owner may show. */
export async function confirmNotices(db: pg.Pool, owner: string, ids: readonly number[], now: Date): Promise<number[]> {
  const { rows } = await db.query<{ id: number }>(SQL.confirmNotices, [
    isoTimestamp(now),
    ids,
    owner,
    now.toISOString(),
  ]);
  const confirmed = new Set(rows.map((r) => r.id));
  return ids.filter((id) => confirmed.has(id));
}
