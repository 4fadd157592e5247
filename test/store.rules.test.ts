// The rules every Store backend shares, tested on their own: where a send goes by default, whose mailboxes a reader
// reads, the options' defaults, session rows, and the one listener set both change watchers use. (The contract suite
// holds each backend to them end to end.)
import os from 'node:os';

import { describe, expect, it } from 'vitest';

import { Listeners } from '../src/store/listeners.js';
import { storeSettings } from '../src/store/options.js';
import { readerScope, scopeRows } from '../src/store/routing.js';
import { seedReadColumn, sendAddress, sendPrelude, sessionFromRow } from '../src/store/rows.js';
import { LIMITS, RelayError } from '../src/store/store.js';

describe('where a send goes', () => {
  it('as addressed; else back to whoever sent the original; else the sender kind’s default', () => {
    const original = { from_session: 'api', sender: 'code' };
    expect(sendAddress({ sender: 'desktop', message: 'x', to: 'web', replyTo: 1 }, original)).toBe('web');
    expect(sendAddress({ sender: 'desktop', message: 'x', replyTo: 1 }, original)).toBe('api');
    expect(sendAddress({ sender: 'desktop', message: 'x', replyTo: 1 }, { from_session: null, sender: 'code' })).toBe(
      'code',
    );
    expect(sendAddress({ sender: 'desktop', message: 'x' }, undefined)).toBe('code');
    expect(sendAddress({ sender: 'cursor', message: 'x' }, undefined)).toBe('desktop');
  });

  it('refuses a reply to a message that is not there, saying what to do', () => {
    expect(() => sendAddress({ sender: 'code', message: 'x', replyTo: 9 }, undefined)).toThrow(
      /no message #9 .*send without reply_to/,
    );
  });

  it('checks the text and files first, and fixes the time and the sending session', () => {
    expect(() => sendPrelude({ sender: 'code', message: '  ' }, new Date())).toThrow(RelayError);
    const at = new Date('2026-11-24T21:48:23.123Z');
    expect(sendPrelude({ sender: 'code', message: 'hi', replyTo: 3 }, at)).toEqual({
      timestamp: '2026-11-24T21:48:23.123000+00:00',
      from: null,
      replyTo: 3,
      attachments: [],
    });
  });
});

describe('whose mail a reader reads', () => {
  it('its own mailbox and its kind’s; outside a session only the kind’s', () => {
    expect(readerScope({ kind: 'code', name: 'api' })).toEqual({ own: 'code/api', kind: 'code', name: 'api' });
    expect(readerScope({ kind: 'code', name: null })).toEqual({ own: '', kind: 'code', name: null });
    expect(scopeRows([4], readerScope({ kind: 'code', name: 'api' }))).toEqual([
      { mailbox: 'code/api', message_id: 4 },
      { mailbox: 'code', message_id: 4 },
    ]);
  });

  it('keeps the seed’s read columns for its two kinds only', () => {
    expect([seedReadColumn('desktop'), seedReadColumn('code'), seedReadColumn('cursor')]).toEqual([
      'read_by_desktop_at',
      'read_by_code_at',
      null,
    ]);
  });
});

describe('the options every backend takes', () => {
  it('has one set of defaults, and a backend may bring its own clock', () => {
    const settings = storeSettings({});
    expect(settings).toMatchObject({
      keepRead: LIMITS.keepRead,
      maxUnread: LIMITS.maxUnread,
      host: os.hostname(),
      pollMs: 2_000,
    });
    const fixed = new Date(0);
    expect(storeSettings({}, () => fixed).now()).toBe(fixed);
    expect(
      storeSettings({ now: () => new Date(5) }, () => fixed)
        .now()
        .getTime(),
    ).toBe(5);
  });

  it('reads session rows of either backend the same way', () => {
    const row = { name: 'api', kind: 'code', cwd: null, host: 'h', pid: 1, started_at: 's', last_seen: 'l' };
    expect(sessionFromRow({ ...row, observer: 0, ended: 1 }, 2)).toEqual({
      ...row,
      observer: false,
      ended: true,
      unread: 2,
    });
    expect(sessionFromRow({ ...row, observer: true, ended: false }, 0)).toEqual(
      sessionFromRow({ ...row, observer: 1, ended: 0 }, 0),
    );
  });
});

describe('the listeners of a change watcher', () => {
  function watched() {
    const calls: string[] = [];
    const errors: string[] = [];
    const listeners = new Listeners({
      start: () => calls.push('start'),
      stop: () => calls.push('stop'),
      onError: (e) => errors.push(e.message),
    });
    return { calls, errors, listeners };
  }

  it('starts the watch with the first listener and stops it with the last, once each', () => {
    const { calls, listeners } = watched();
    const a = listeners.add(() => {});
    const b = listeners.add(() => {});
    a();
    a();
    expect(calls).toEqual(['start']);
    b();
    expect(calls).toEqual(['start', 'stop']);
  });

  it('calls every listener even when one throws, and reports what it threw', () => {
    const { errors, listeners } = watched();
    const heard: number[] = [];
    listeners.add(() => heard.push(1));
    listeners.add(() => {
      throw new Error('boom');
    });
    listeners.add(() => heard.push(3));
    listeners.emit();
    expect(heard).toEqual([1, 3]);
    expect(errors).toEqual(['boom']);
  });

  it('folds a burst into one call per listener on the next turn, and nothing after close', async () => {
    const { listeners } = watched();
    let heard = 0;
    listeners.add(() => heard++);
    for (let i = 0; i < 5; i++) listeners.emitSoon();
    expect(heard).toBe(0);
    await new Promise((resolve) => setImmediate(resolve));
    expect(heard).toBe(1);
    listeners.close();
    listeners.add(() => heard++);
    listeners.emit();
    expect(heard).toBe(1);
  });
});
