// The real Claude Code CLI for tests, in two versions (devDependencies): the latest, a native binary from
// @anthropic-ai/claude-code's platform package, and the oldest relay supports, 2.1.112 (the npm alias
// claude-code-oldest), a cli.js that runs on the Node running the tests. Each runs in a temp HOME with only itself
// and node on PATH and Claude Code kept offline; sessions go to a scripted Messages API (messages-api.ts).
// A missing CLI skips its tests loudly, except in CI (CI or RELAY_CLAUDE_REQUIRED set), where it fails them;
// a repeat CI pass (RELAY_REPEAT_PASS=1, on Node 22 and 24) skips them on purpose.
import fs from 'node:fs';
import path from 'node:path';

import { isCI, repeatPass } from './node-versions.js';
import { run, type RunResult } from './run.js';
import { quietNotifiers, root } from './spawn.js';
import { tempDir } from './temp.js';

export interface ClaudeCode {
  version: string;
  /** The program and the arguments before claude's own. */
  command: string;
  prefix: string[];
}

export type Found = { claude: ClaudeCode; missing?: undefined } | { claude?: undefined; missing: string };

const required = isCI() || process.env.RELAY_CLAUDE_REQUIRED === '1';

function versionOf(dir: string): string | null {
  try {
    return (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return null;
  }
}

/** The latest Claude Code: the native binary of this platform's package (postinstall need not have run). */
function latest(): Found {
  const wrapper = path.join(root, 'node_modules', '@anthropic-ai', 'claude-code');
  const version = versionOf(wrapper);
  if (version === null) return { missing: '@anthropic-ai/claude-code is not installed (npm install)' };
  const platform = `${process.platform}-${process.arch}`;
  const binary = path.join(
    root,
    'node_modules',
    '@anthropic-ai',
    `claude-code-${platform}`,
    process.platform === 'win32' ? 'claude.exe' : 'claude',
  );
  if (!fs.existsSync(binary)) return { missing: `Claude Code ${version} has no native binary for ${platform} here` };
  return { claude: { version, command: binary, prefix: [] } };
}

function oldest(): Found {
  const dir = path.join(root, 'node_modules', 'claude-code-oldest');
  const version = versionOf(dir);
  if (version === null)
    return { missing: 'claude-code-oldest (@anthropic-ai/claude-code@2.1.112) is not installed (npm install)' };
  return { claude: { version, command: process.execPath, prefix: [path.join(dir, 'cli.js')] } };
}

const warned = new Set<string>();

export function findClaude(which: 'latest' | 'oldest'): Found {
  // CI runs the suite under three Nodes; the real-CLI tests run in the first pass only (repeatPass says so).
  const off = repeatPass('the real Claude Code tests');
  const found: Found = off
    ? { missing: 'a repeat CI pass (they run in the Node 20 pass)' }
    : which === 'latest'
      ? latest()
      : oldest();
  if (found.missing !== undefined && required && !off)
    throw new Error(`Claude Code (${which}) is required here: ${found.missing}`);
  if (found.missing !== undefined && !off && !warned.has(which)) {
    warned.add(which);
    process.stderr.write(`\n!! SKIPPING the real Claude Code tests (${which} CLI): ${found.missing}\n\n`);
  }
  return found;
}

/** A describe title that says loudly when, and why, its tests are skipped. */
export function titled(title: string, found: Found): string {
  return found.missing === undefined
    ? `${title} (Claude Code ${found.claude.version})`
    : `${title} (SKIPPED: ${found.missing})`;
}

export interface ClaudeHome {
  home: string;
  env: Record<string, string>;
}

/**
 * A HOME with `claude` on PATH and the node that runs relay (`node`: this one unless given), Claude Code offline.
 * `api`: the scripted Messages API's URL, for sessions.
 */
export function claudeHome(claude: ClaudeCode, options: { node?: string; api?: string } = {}): ClaudeHome {
  const home = tempDir();
  const bin = path.join(home, 'bin');
  fs.mkdirSync(bin);
  const launcher = path.join(bin, 'claude');
  fs.writeFileSync(
    launcher,
    `#!/bin/sh\nexec ${[claude.command, ...claude.prefix].map((w) => `'${w}'`).join(' ')} "$@"\n`,
    { mode: 0o755 },
  );
  const node = options.node ?? process.execPath;
  const env: Record<string, string> = {
    HOME: home,
    PATH: [bin, path.dirname(node), quietNotifiers, '/usr/bin', '/bin'].join(':'),
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_AUTOUPDATER: '1',
    DISABLE_TELEMETRY: '1',
    // Never the real API: a session goes to the scripted one (or to a closed port, when none is given).
    ANTHROPIC_BASE_URL: options.api ?? 'http://127.0.0.1:9',
    ANTHROPIC_API_KEY: 'sk-ant-test-offline',
  };
  return { home, env };
}

/** `claude args...` in `cwd` (default: HOME) with the home's environment; its whole process group killed if the test ends first. */
export function claude(
  where: ClaudeHome,
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<RunResult> {
  return run('claude', args, {
    cwd: options.cwd ?? where.home,
    env: { ...where.env, ...options.env },
    timeoutMs: options.timeoutMs ?? 60_000,
  });
}
