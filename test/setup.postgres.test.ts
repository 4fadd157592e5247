// The global setup's rule for a machine without PostgreSQL: skip the PostgreSQL tests with a loud reason locally,
// fail the run in CI. (The cluster itself is exercised by every PostgreSQL test.)
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TestProject } from 'vitest/node';

vi.mock('../scripts/pg-cluster.mjs', () => ({
  findPgBin: () => null,
  startCluster: () => Promise.reject(new Error('must not be called without binaries')),
}));

const { default: setup } = await import('./setup/postgres.js');

function fakeProject() {
  const provided: Record<string, unknown> = {};
  return {
    provided,
    project: { provide: (key: string, value: unknown) => (provided[key] = value) } as unknown as TestProject,
  };
}

describe('PostgreSQL global setup without PostgreSQL binaries', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('fails the run in CI', async () => {
    vi.stubEnv('RELAY_TEST_PG_URL', '');
    vi.stubEnv('RELAY_PG_REQUIRED', '1');
    await expect(setup(fakeProject().project)).rejects.toThrow(/not found.*required here/);
  });

  it('skips locally, saying why on stderr', async () => {
    vi.stubEnv('RELAY_TEST_PG_URL', '');
    vi.stubEnv('RELAY_PG_REQUIRED', '');
    vi.stubEnv('CI', '');
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const { provided, project } = fakeProject();
    let written: string;
    try {
      await expect(setup(project)).resolves.toBeUndefined();
      written = stderr.mock.calls.map((call) => String(call[0])).join('');
    } finally {
      stderr.mockRestore();
    }
    expect(provided.postgres).toEqual({ adminUrl: null, reason: expect.stringContaining('not found') });
    expect(written).toContain('SKIPPING the PostgreSQL store tests');
  });
});
