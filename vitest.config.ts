import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Spawned servers are ended in afterEach hooks; this catches any a crashed worker left behind.
    teardownTimeout: 10_000,
    // One throw-away PostgreSQL cluster for the run (the PostgreSQL store's tests).
    globalSetup: ['test/setup/postgres.ts'],
  },
});
