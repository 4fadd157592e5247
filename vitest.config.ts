import fs from 'node:fs';

import { defineConfig } from 'vitest/config';

import { uiAssetDefines } from './scripts/ui-assets.mjs';

const pkg = JSON.parse(fs.readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

export default defineConfig({
  // The build bakes the version in the same way (scripts/build.mjs); tests that import src/ see the same value.
  define: { __RELAY_VERSION__: JSON.stringify(pkg.version), ...uiAssetDefines(import.meta.dirname) },
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    // Two at once even on two cores (vitest's default is one fewer than the cores): most tests wait on the processes
    // they spawn, and one at a time made .ci/run's three passes take 20 minutes. Tests assert behaviour, not timings.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Spawned servers are ended in afterEach hooks; this catches any a crashed worker left behind.
    teardownTimeout: 10_000,
    // One throw-away PostgreSQL cluster for the run (the PostgreSQL store's tests).
    globalSetup: ['test/setup/postgres.ts'],
  },
});
