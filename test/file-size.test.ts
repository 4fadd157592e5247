// The house rule "no source file over about 350 lines" checked by machine. A file over the bar is listed below with
// the most lines it may have, so it cannot grow; lower or remove its entry when it shrinks.
import fs from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { root } from './helpers/spawn.js';

const BAR = 350;

/** Files allowed over the bar, each with the most lines it may have: none today; a split is the answer (docs/structure.md). */
const OVER: Record<string, number> = {};

function sourceFiles(): string[] {
  const src = path.join(root, 'src');
  return (fs.readdirSync(src, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.ts'))
    .map((f) => path.posix.join('src', f.split(path.sep).join('/')));
}

describe('source file size', () => {
  it(`keeps every file in src/ at most ${BAR} lines, and the listed ones from growing`, () => {
    const sizes = new Map(
      sourceFiles().map((f) => [f, fs.readFileSync(path.join(root, f), 'utf8').trimEnd().split('\n').length]),
    );
    const over = [...sizes].filter(([file, lines]) => lines > (OVER[file] ?? BAR));
    expect(over, 'files over the bar (split them by job)').toEqual([]);
  });
});
