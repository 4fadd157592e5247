// vitest global setup: one throw-away PostgreSQL cluster for the whole run (scripts/pg-cluster.mjs), shared by the
// PostgreSQL test files through inject('postgres'). RELAY_TEST_PG_URL uses an existing server instead (its user must
// be allowed to CREATE DATABASE). Without PostgreSQL binaries the PostgreSQL tests are skipped with a loud reason,
// except in CI (CI or RELAY_PG_REQUIRED set), where that fails the run. Any other failure to start fails the run.
import type { TestProject } from 'vitest/node';

import { findPgBin, startCluster } from '../../scripts/pg-cluster.mjs';

export interface PostgresContext {
  /** A URL of the maintenance database on a server where tests may create databases, or null. */
  adminUrl: string | null;
  /** Why adminUrl is null. */
  reason: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    postgres: PostgresContext;
  }
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const given = process.env.RELAY_TEST_PG_URL;
  if (given !== undefined && given !== '') {
    project.provide('postgres', { adminUrl: given, reason: '' });
    return undefined;
  }
  const bin = findPgBin();
  if (bin === null) {
    const reason = 'PostgreSQL server binaries (initdb, pg_ctl) not found on PATH or in /usr/lib/postgresql/*/bin';
    if (process.env.CI || process.env.RELAY_PG_REQUIRED === '1') {
      throw new Error(`${reason}; the PostgreSQL store tests are required here (install Debian's postgresql package).`);
    }
    process.stderr.write(
      `\n${'!'.repeat(100)}\n!! SKIPPING the PostgreSQL store tests: ${reason}.\n!! Install PostgreSQL (Debian: apt-get install ` +
        `postgresql) or set RELAY_TEST_PG_URL to run them.\n${'!'.repeat(100)}\n\n`,
    );
    project.provide('postgres', { adminUrl: null, reason });
    return undefined;
  }
  const cluster = await startCluster({ bin, log: (line) => process.stderr.write(`${line}\n`) });
  project.provide('postgres', { adminUrl: cluster.adminUrl, reason: '' });
  return () => cluster.stop();
}
