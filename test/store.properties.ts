// Property-based tests of the Store contract (fast-check): random interleavings of send, fetch, peek and clear,
// through two handles on the same data (two processes), checked against a model of per-reader read state. The
// readers are the two seed kinds' shared mailboxes (no live sessions; sessions have their own contract tests).
// Invariants: each message reaches its reader at most once, unread fetches are oldest first and skip nothing, the
// unread cap refuses rather than evicts, and nothing acknowledged below the cap is lost.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  defaultRecipient,
  type Reader,
  RelayError,
  SEED_KINDS,
  type SeedKind,
  type Store,
} from '../src/store/store.js';
import { isBlank } from '../src/store/validate.js';
import { drain } from './helpers/drain.js';
import type { StoreBackend } from './store.contract.js';

type Op =
  | { type: 'send'; handle: number; sender: SeedKind; text: string }
  | { type: 'fetch'; handle: number; reader: SeedKind; limit: number }
  | { type: 'fetchAny'; handle: number; reader: SeedKind; limit: number }
  | { type: 'peek'; handle: number; limit: number }
  | { type: 'clear'; handle: number };

const kind = fc.constantFrom(...SEED_KINDS);
/** A kind's shared mailbox: how a reader outside any session reads. */
const mailbox = (kind: SeedKind): Reader => ({ kind, name: null });
const handle = fc.integer({ min: 0, max: 1 });
const limit = fc.integer({ min: 1, max: 20 });
const text = fc.string({ minLength: 1, maxLength: 12, unit: 'binary' }).filter((s) => !isBlank(s) && s.isWellFormed());
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ type: fc.constant('send' as const), handle, sender: kind, text }) },
  { weight: 4, arbitrary: fc.record({ type: fc.constant('fetch' as const), handle, reader: kind, limit }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('fetchAny' as const), handle, reader: kind, limit }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('peek' as const), handle, limit }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('clear' as const), handle }) },
);

interface Modelled {
  id: number;
  sender: SeedKind;
  text: string;
  read: boolean; // by its one recipient, the other kind
}

const increasing = (ids: number[]) => ids.every((id, i) => i === 0 || id > ids[i - 1]!);

export function storeProperties(backends: StoreBackend[], runs = 100): void {
  describe.each(backends)('Store properties: $name', (backend) => {
    it('keeps its invariants under random interleavings of send, fetch, peek and clear by two handles', async () => {
      const maxUnread = 4;
      await fc.assert(
        fc.asyncProperty(fc.array(op, { maxLength: 60, size: 'medium' }), async (ops) => {
          const { store, second } = await backend.create({ maxUnread, keepRead: 3 });
          const handles: Store[] = [store, await second()];
          const model: Modelled[] = [];
          const delivered: Record<SeedKind, Set<number>> = { desktop: new Set(), code: new Set() };
          const unreadFor = (reader: SeedKind) => model.filter((m) => m.sender !== reader && !m.read);

          for (const step of ops) {
            const on = handles[step.handle]!;
            switch (step.type) {
              case 'send': {
                const full = unreadFor(defaultRecipient(step.sender) as SeedKind).length >= maxUnread;
                const sent = await on.send({ sender: step.sender, message: step.text }).then(
                  (r) => r.message,
                  (e: unknown) => e,
                );
                if (full) {
                  expect(sent).toBeInstanceOf(RelayError);
                  expect((sent as RelayError).code).toBe('full');
                } else {
                  const message = sent as { id: number; message: string };
                  expect(message.message).toBe(step.text);
                  if (model.length > 0) expect(message.id).toBeGreaterThan(model[model.length - 1]!.id);
                  model.push({ id: message.id, sender: step.sender, text: step.text, read: false });
                }
                break;
              }
              case 'fetch': {
                const got = await on.fetch({ reader: mailbox(step.reader), limit: step.limit, unreadOnly: true });
                const expected = unreadFor(step.reader).slice(0, step.limit);
                // The oldest unread, in order, none skipped, with the text as sent; never one already delivered.
                expect(got.map((m) => [m.id, m.message])).toEqual(expected.map((m) => [m.id, m.text]));
                for (const m of got) {
                  expect(delivered[step.reader].has(m.id)).toBe(false);
                  delivered[step.reader].add(m.id);
                }
                for (const m of expected) m.read = true;
                break;
              }
              case 'fetchAny': {
                // Newest messages not from the reader, read or not; it marks them read, like the seed.
                const got = await on.fetch({ reader: mailbox(step.reader), limit: step.limit, unreadOnly: false });
                expect(got.length).toBeLessThanOrEqual(step.limit);
                expect(increasing(got.map((m) => m.id))).toBe(true);
                for (const m of got) {
                  expect(m.sender).not.toBe(step.reader);
                  const known = model.find((k) => k.id === m.id);
                  expect(known?.text).toBe(m.message);
                  if (known !== undefined && !known.read) {
                    known.read = true;
                    delivered[step.reader].add(m.id);
                  }
                }
                break;
              }
              case 'peek': {
                const got = await on.latest(step.limit);
                expect(increasing(got.map((m) => m.id))).toBe(true);
                // Every unread message is still stored (read ones may have been pruned from history).
                const newest = model.slice(-step.limit);
                const ids = new Set(got.map((m) => m.id));
                for (const m of newest.filter((k) => !k.read)) expect(ids.has(m.id)).toBe(true);
                break;
              }
              case 'clear': {
                const unread = model.filter((m) => !m.read).length;
                expect(await on.clear()).toBeGreaterThanOrEqual(unread);
                model.length = 0;
                break;
              }
            }
          }
          // Nothing acknowledged is lost: draining both readers yields exactly what is still unread, in order.
          for (const reader of SEED_KINDS) {
            const rest = await drain(
              () => handles[0]!.fetch({ reader: mailbox(reader), limit: 20, unreadOnly: true }),
              20,
            );
            expect(rest.map((m) => m.id)).toEqual(unreadFor(reader).map((m) => m.id));
            for (const m of rest) expect(delivered[reader].has(m.id)).toBe(false);
          }
        }),
        { numRuns: runs },
      );
    });
  });
}
