// The other Node versions tests run under (scripts/node-versions.mjs, test/helpers/node-versions.ts): the pinned
// binaries are the pinned versions and have node:sqlite without a flag; RELAY_NODE_<MAJOR> is honoured, and a wrong
// one is an error rather than a silent skip.
import fs from 'node:fs';
import path from 'node:path';

import { afterEach, describe, expect, it, vi } from 'vitest';

import { PINNED, pinnedNodePath } from '../scripts/node-versions.mjs';
import { atLeast, findNode, isCI, repeatPass, requireNode } from './helpers/node-versions.js';
import { ok, run } from './helpers/run.js';
import { tempDir } from './helpers/temp.js';

afterEach(() => {
  vi.unstubAllEnvs();
});

/** A stand-in "node" that only answers --version, as `version`. */
function fakeNode(version: string): string {
  const file = path.join(tempDir('relay-fake-node-'), 'node');
  fs.writeFileSync(file, `#!/bin/sh\necho v${version}\n`, { mode: 0o755 });
  return file;
}

describe.each([22, 24])('the pinned Node %i', (major) => {
  const node = requireNode(major, `the pinned Node ${major} check`, '22.13');

  it.skipIf(node === null)(
    'is the pinned version (when it is the pinned build) and loads node:sqlite without a flag',
    async () => {
      if (node!.path === pinnedNodePath(major)) expect(node!.version).toBe(PINNED[String(major)]!.version);
      const script =
        "const { DatabaseSync } = require('node:sqlite'); " +
        "console.log(new DatabaseSync(':memory:').prepare('select sqlite_version() v').get().v)";
      const result = ok(
        await run(node!.path, ['-e', script], {
          cwd: process.cwd(),
          env: { PATH: process.env.PATH ?? '' },
          timeoutMs: 20_000,
        }),
        'node -e',
      );
      expect(result.stdout.trim()).toMatch(/^3\.\d+\.\d+$/);
    },
  );
});

describe('finding a Node binary', () => {
  it('takes RELAY_NODE_<major> first, checked against the major and the minimum', () => {
    const good = fakeNode('22.13.0');
    vi.stubEnv('RELAY_NODE_22', good);
    expect(findNode(22, '22.13')).toEqual({ path: good, version: '22.13.0' });
  });

  it('refuses a RELAY_NODE_<major> of another version, or too old, instead of skipping', () => {
    vi.stubEnv('RELAY_NODE_22', fakeNode('18.20.0'));
    expect(() => findNode(22)).toThrow(/is Node 18\.20\.0; it must be Node 22\+ of major 22/);
    vi.stubEnv('RELAY_NODE_22', fakeNode('22.12.0'));
    expect(() => findNode(22, '22.13')).toThrow(/is Node 22\.12\.0; it must be Node 22\.13\+/);
    const missing = path.join(tempDir(), 'nothing-here');
    vi.stubEnv('RELAY_NODE_22', missing);
    expect(() => requireNode(22, 'a test')).toThrow(/does not run/);
  });

  it('finds this process for its own major', () => {
    const major = Number(process.versions.node.split('.')[0]);
    vi.stubEnv(`RELAY_NODE_${major}`, '');
    expect(findNode(major)).toEqual({ path: process.execPath, version: process.versions.node });
  });

  it('finds a node of the wanted major further down PATH', () => {
    const dir = path.dirname(fakeNode('21.7.3'));
    vi.stubEnv('RELAY_NODE_21', '');
    vi.stubEnv('PATH', `${tempDir()}${path.delimiter}${dir}${path.delimiter}${process.env.PATH ?? ''}`);
    expect(findNode(21)).toEqual({ path: path.join(dir, 'node'), version: '21.7.3' });
  });

  it('fails in CI when none is found, and skips (null) elsewhere', () => {
    vi.stubEnv('RELAY_NODE_19', '');
    vi.stubEnv('PATH', tempDir());
    vi.stubEnv('CI', '1');
    expect(() => requireNode(19, 'a Node 19 test')).toThrow(/Node 19 is required in CI for a Node 19 test/);
    vi.stubEnv('CI', '');
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(requireNode(19, 'a Node 19 test')).toBeNull();
      expect(String(stderr.mock.calls[0]?.[0])).toMatch(/SKIPPING a Node 19 test: no Node 19 found/);
    } finally {
      stderr.mockRestore();
    }
  });

  it('reads CI as set unless empty, 0 or false', () => {
    for (const [value, expected] of [
      ['1', true],
      ['true', true],
      ['', false],
      ['0', false],
      ['false', false],
    ] as const) {
      vi.stubEnv('CI', value);
      expect(isCI()).toBe(expected);
    }
  });

  it('marks CI repeat passes only where RELAY_REPEAT_PASS=1', () => {
    vi.stubEnv('RELAY_REPEAT_PASS', '');
    expect(repeatPass('a test')).toBe(false);
    vi.stubEnv('RELAY_REPEAT_PASS', '1');
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(repeatPass('a test')).toBe(true);
      expect(String(stderr.mock.calls[0]?.[0])).toMatch(/a test: runs once per CI run, in the Node 20 pass/);
    } finally {
      stderr.mockRestore();
    }
  });

  it('compares versions by number', () => {
    expect(atLeast('22.13.0', '22.13')).toBe(true);
    expect(atLeast('22.9.0', '22.13')).toBe(false);
    expect(atLeast('24.0.0', '22.13')).toBe(true);
    expect(atLeast('22.12.9', '22.13.0')).toBe(false);
  });
});
