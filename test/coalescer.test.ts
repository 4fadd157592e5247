// The one coalescer: runs never overlap, calls during a run become exactly one follow-up, stop waits for the run.
import { describe, expect, it } from 'vitest';

import { coalescer } from '../src/lib/coalescer.js';

/** A task whose runs each wait for the test to let them finish. */
function gatedTask() {
  const gates: (() => void)[] = [];
  let active = 0;
  let overlapped = false;
  let runs = 0;
  const task = () =>
    new Promise<void>((resolve) => {
      runs++;
      active++;
      if (active > 1) overlapped = true;
      gates.push(() => {
        active--;
        resolve();
      });
    });
  return {
    task,
    get runs() {
      return runs;
    },
    get overlapped() {
      return overlapped;
    },
    /** Lets the oldest waiting run finish, then lets the coalescer react. */
    async finish() {
      gates.shift()?.();
      await new Promise((r) => setImmediate(r));
    },
  };
}

describe('coalescer', () => {
  it('runs at once when idle, and once more (only once) for any number of calls during a run', async () => {
    const t = gatedTask();
    const c = coalescer(t.task, () => {});
    c.run();
    expect(t.runs).toBe(1);
    c.run();
    c.run();
    c.run();
    expect(t.runs).toBe(1);
    await t.finish();
    expect(t.runs).toBe(2);
    await t.finish();
    expect(t.runs).toBe(2);
    await c.idle();
    expect(t.overlapped).toBe(false);
  });

  it('treats a run() from inside the task as a follow-up, never a second concurrent run', async () => {
    let runs = 0;
    let active = 0;
    let overlapped = false;
    const c = coalescer(
      async () => {
        runs++;
        active++;
        if (active > 1) overlapped = true;
        if (runs === 1) c.run();
        await Promise.resolve();
        active--;
      },
      () => {},
    );
    c.run();
    await c.idle();
    expect(runs).toBe(2);
    expect(overlapped).toBe(false);
  });

  it('reports a failing run and still runs the follow-up', async () => {
    const errors: unknown[] = [];
    let runs = 0;
    const c = coalescer(
      async () => {
        runs++;
        if (runs === 1) {
          c.run();
          throw new Error('boom');
        }
      },
      (error) => errors.push(error),
    );
    c.run();
    await c.idle();
    expect(runs).toBe(2);
    expect(errors).toEqual([new Error('boom')]);
  });

  it('stop() drops a due follow-up, refuses new runs, and resolves only when the current run has ended', async () => {
    const t = gatedTask();
    const c = coalescer(t.task, () => {});
    c.run();
    c.run();
    let stopped = false;
    const stopping = c.stop().then(() => (stopped = true));
    await new Promise((r) => setImmediate(r));
    expect(stopped).toBe(false);
    await t.finish();
    await stopping;
    expect(t.runs).toBe(1);
    c.run();
    expect(t.runs).toBe(1);
    expect(c.stopped).toBe(true);
  });

  it('idle() waits through follow-ups', async () => {
    const t = gatedTask();
    const c = coalescer(t.task, () => {});
    c.run();
    c.run();
    let idle = false;
    const waiting = c.idle().then(() => (idle = true));
    await t.finish();
    expect(idle).toBe(false);
    await t.finish();
    await waiting;
    expect(t.runs).toBe(2);
  });
});
