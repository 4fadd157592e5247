// Tests that need optional system packages (libnotify, D-Bus): they skip LOUDLY where those are missing, except in
// CI (CI=1, as .ci/run sets), where a missing one fails the run, as the PostgreSQL and Node 22/24 tests do.
import { spawnSync } from 'node:child_process';

import { which } from '../../src/lib/which.js';
import { isCI } from './node-versions.js';

/** Whether `python` imports every one of `modules`. */
export function pythonHas(python: string, modules: readonly string[]): boolean {
  const probe = spawnSync(python, ['-c', `import ${modules.join(', ')}`], { stdio: 'ignore', timeout: 10_000 });
  return probe.status === 0;
}

/** The programs of `programs` (name -> what provides it) that are not on PATH, as "name (package)". */
export function missingPrograms(programs: Record<string, string>): string[] {
  return Object.entries(programs)
    .filter(([program]) => which(program) === null)
    .map(([program, pkg]) => `${program} (${pkg})`);
}

/**
 * True when the test must be skipped: `missing` is not empty, and this is not CI (a loud banner says what is skipped
 * and how to run it). In CI a missing requirement throws, failing the test file.
 */
export function skipWithout(purpose: string, missing: readonly string[], install: string): boolean {
  if (missing.length === 0) return false;
  const what = `${purpose} needs ${missing.join(', ')}`;
  if (isCI()) throw new Error(`${what}, required in CI: ${install}.`);
  const bar = '!'.repeat(100);
  process.stderr.write(`\n${bar}\n!! SKIPPING ${what}.\n!! To run it: ${install}.\n${bar}\n\n`);
  return true;
}
