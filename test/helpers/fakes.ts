// Fake notifier programs on a temp PATH: tiny /bin/sh scripts that record their argv (and the text environment
// variables) as raw NUL-separated bytes, so a test sees exactly what reached the program.
import fs from 'node:fs';
import path from 'node:path';

import type { Logger } from '../../src/lib/log.js';
import { tempDir } from './temp.js';

/** Texts that broke the Python relay's notifiers, or would break a careless one. */
export const NASTY = [
  'He said "hi" and left',
  "it's O'Brien's",
  'back\\slash \\" \\n \\\\',
  '$(touch PWNED)',
  '`touch PWNED` and `id`',
  '"; do shell script "touch PWNED" --',
  '--urgency=critical',
  '-e display dialog "x"',
  "'; touch PWNED; echo '",
  '$env:PATH; Start-Process calc; ${x}',
  '</text></binding></visual></toast><toast>',
  '%s %n %x {0}',
  'emoji 🎉 and a family 👩‍👩‍👧 and a flag 🇫🇷',
  'line one\nline two\n\nline four',
];

export interface Recorded {
  program: string;
  /** Each argument's raw bytes. */
  argv: Buffer[];
  /** RELAY_NOTIFY_TITLE, RELAY_NOTIFY_BODY, RELAY_NOTIFY_SOUND, raw ('' when unset). */
  env: Buffer[];
}

export interface FakeBin {
  /** The directory to put on PATH. */
  bin: string;
  /** Adds a recording fake called `name` (e.g. notify-send, powershell.exe). */
  add(name: string): void;
  /** Adds a program with this shell body instead. */
  addScript(name: string, body: string): void;
  /** Records not returned before, oldest pid first (tests notify one at a time, so there is at most one per program). */
  take(): Recorded[];
  /**
   * Resolves with the next `count` records of `program` (and takes them), woken by the record folder's change
   * events; rejects after `timeoutMs` saying what did arrive. Other programs' records are kept for take().
   */
  waitFor(program: string, count: number, timeoutMs?: number): Promise<Recorded[]>;
}

export function fakeBin(): FakeBin {
  const bin = tempDir('relay-bin-');
  const records = tempDir('relay-rec-');
  const seen = new Set<string>();
  const addScript = (name: string, body: string) => {
    fs.writeFileSync(path.join(bin, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  };
  const pending: Recorded[] = [];
  const take = (): Recorded[] => {
    const fresh = fs.readdirSync(records).filter((f) => f.endsWith('.argv') && !seen.has(f));
    for (const f of fresh) seen.add(f);
    return fresh.map((f) => {
      const stem = f.slice(0, -'.argv'.length);
      return {
        program: stem.slice(0, stem.lastIndexOf('.')),
        argv: splitNul(fs.readFileSync(path.join(records, f))),
        env: splitNul(fs.readFileSync(path.join(records, `${stem}.env`))),
      };
    });
  };
  return {
    bin,
    addScript,
    add(name) {
      // The record directory is a mkdtemp path (letters, digits, '/', '-'): safe inside single quotes.
      addScript(
        name,
        [
          `f='${records}/${name}'.$$`,
          `printf '%s\\0' "$@" > "$f.argv.tmp"`,
          `printf '%s\\0' "$RELAY_NOTIFY_TITLE" "$RELAY_NOTIFY_BODY" "$RELAY_NOTIFY_SOUND" > "$f.env"`,
          `/bin/mv "$f.argv.tmp" "$f.argv"`,
        ].join('\n'),
      );
    },
    take() {
      return [...pending.splice(0), ...take()];
    },
    waitFor(program, count, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const got: Recorded[] = [];
        let done = false;
        const check = () => {
          if (done) return;
          for (const record of [...pending.splice(0), ...take()]) {
            if (record.program === program && got.length < count) got.push(record);
            else pending.push(record);
          }
          if (got.length < count) return;
          finish();
          resolve(got);
        };
        const watcher = fs.watch(records, check);
        const timer = setTimeout(() => {
          finish();
          reject(new Error(`${count} ${program} call(s) expected, ${got.length} came in ${timeoutMs} ms`));
        }, timeoutMs);
        const finish = () => {
          done = true;
          watcher.close();
          clearTimeout(timer);
        };
        check();
      });
    },
  };
}

function splitNul(data: Buffer): Buffer[] {
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < data.length; i += 1) {
    if (data[i] === 0) {
      parts.push(data.subarray(start, i));
      start = i + 1;
    }
  }
  return parts;
}

/** A logger that keeps its lines, for asserting what was reported and how often. */
export function recordingLogger(): Logger & { lines: { level: string; text: string }[] } {
  const lines: { level: string; text: string }[] = [];
  const at = (level: string) => (text: string) => {
    lines.push({ level, text });
  };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), close: () => {} };
}
