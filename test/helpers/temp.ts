// A temp directory per test, removed afterwards: nothing a test does touches the real home directory. And whatever
// a test opened (a store), closed when it ends, passed or failed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { onTestFinished } from 'vitest';

export function tempDir(prefix = 'relay-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Closes `opened` when the current test ends; returns it. */
export function closedAfterTest<T extends { close(): Promise<void> }>(opened: T): T {
  onTestFinished(() => opened.close());
  return opened;
}
