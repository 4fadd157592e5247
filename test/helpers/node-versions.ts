// Other Node versions for tests (start the built CLI, the extension or Claude Code under Node 20, 22 or 24): finds a
// binary of a given major, and when there is none skips LOUDLY, except in CI, where a missing one fails the run.
// Where it looks, in order:
//   1. RELAY_NODE_<MAJOR> (a path to a node binary; a wrong or broken one is an error, never a skip);
//   2. this process, when it is that major;
//   3. the pinned build in .tmp/node/<major>/ (`node scripts/node-versions.mjs` installs Node 22 and 24);
//   4. the first `node` on PATH of that major (so a pass that put Node 22 first on PATH still finds Node 20).
// Each binary's version is asked once per process.
import fs from 'node:fs';
import path from 'node:path';

import { nodeVersionOf, PINNED, pinnedNodePath } from '../../scripts/node-versions.mjs';

export interface NodeBinary {
  path: string;
  /** As `node --version` prints it, without the v: '22.23.5'. */
  version: string;
}

/** True where a missing optional tool must fail the run rather than skip (CI=1, as .ci/run sets). */
export function isCI(): boolean {
  const ci = process.env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}

/** Whether `version` ('22.13.0') is at least `minimum` ('22.13'), comparing numbers. */
export function atLeast(version: string, minimum: string): boolean {
  const have = version.split('.').map(Number);
  const want = minimum.split('.').map(Number);
  for (let i = 0; i < want.length; i++) {
    const a = have[i] ?? 0;
    const b = want[i] ?? 0;
    if (a !== b) return a > b;
  }
  return true;
}

const versions = new Map<string, string | null>();
function versionOf(binary: string): string | null {
  if (!versions.has(binary)) versions.set(binary, nodeVersionOf(binary));
  return versions.get(binary) ?? null;
}

const fits = (version: string | null, major: number, minimum: string | undefined): version is string =>
  version !== null && Number(version.split('.')[0]) === major && (minimum === undefined || atLeast(version, minimum));

/**
 * A Node binary of `major` (at least `minimum`, e.g. '22.13' for node:sqlite without a flag), or null.
 * Throws when RELAY_NODE_<major> names a binary that does not run or is another version: that is a mistake to fix.
 */
export function findNode(major: number, minimum?: string): NodeBinary | null {
  const given = process.env[`RELAY_NODE_${major}`];
  if (given !== undefined && given !== '') {
    const version = versionOf(given);
    if (!fits(version, major, minimum)) {
      throw new Error(
        `RELAY_NODE_${major}=${given} ${version === null ? 'does not run' : `is Node ${version}`}; ` +
          `it must be Node ${minimum ?? major}+ of major ${major}`,
      );
    }
    return { path: given, version };
  }
  if (fits(process.versions.node, major, minimum)) return { path: process.execPath, version: process.versions.node };
  const candidates = [
    ...(PINNED[String(major)] === undefined ? [] : [pinnedNodePath(major)]),
    ...(process.env.PATH ?? '')
      .split(path.delimiter)
      .filter((dir) => dir !== '')
      .map((dir) => path.join(dir, process.platform === 'win32' ? 'node.exe' : 'node')),
  ];
  for (const candidate of candidates) {
    if (!fs.existsSync(candidate)) continue;
    const version = versionOf(candidate);
    if (fits(version, major, minimum)) return { path: candidate, version };
  }
  return null;
}

const warned = new Set<number>();

/**
 * findNode, for a test that needs the binary: null (after a loud banner on stderr) when there is none, so the caller
 * skips; in CI a missing binary throws instead, failing the test file. `purpose` says what is skipped.
 */
export function requireNode(major: number, purpose: string, minimum?: string): NodeBinary | null {
  const found = findNode(major, minimum);
  if (found !== null) return found;
  const want = `Node ${minimum ?? major}${minimum === undefined ? '' : '+'}`;
  const pinned = Object.keys(PINNED).join(' and ');
  const how = `run \`node scripts/node-versions.mjs\` (pinned Node ${pinned} into .tmp/node/), or set RELAY_NODE_${major}`;
  if (isCI()) throw new Error(`${want} is required in CI for ${purpose}, and none was found: ${how}.`);
  if (!warned.has(major)) {
    warned.add(major);
    const bar = '!'.repeat(100);
    process.stderr.write(`\n${bar}\n!! SKIPPING ${purpose}: no ${want} found.\n!! To run it: ${how}.\n${bar}\n\n`);
  }
  return null;
}

const repeated = new Set<string>();

/**
 * True in CI's repeat passes (.ci/run runs the suite on Node 20, then again with Node 22 and 24 first on PATH,
 * setting RELAY_REPEAT_PASS=1): tests that choose their Node binaries themselves (the extension, the tarball, Claude
 * Code) would only repeat the first pass, so they skip there, saying so in one line. Not a skip anywhere else.
 */
export function repeatPass(what: string): boolean {
  if (process.env.RELAY_REPEAT_PASS !== '1') return false;
  if (!repeated.has(what)) {
    repeated.add(what);
    process.stderr.write(
      `-- ${what}: runs once per CI run, in the Node 20 pass (this is a repeat pass on Node ${process.versions.node})\n`,
    );
  }
  return true;
}
