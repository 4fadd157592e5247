// setup and files it must not damage: config values of the wrong shape and duplicate keys are refused before
// anything is written (16.12); a target that cannot be written stops the run before any other is (16.18); and a
// program setup runs (`claude mcp add`) that rewrites files under it never costs the person's original (12.5).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { describe, expect, it, onTestFinished } from 'vitest';

import { run } from '../src/cli/setup.js';
import { applyPlan } from '../src/setup/apply.js';
import { planCode } from '../src/setup/claude-code.js';
import type { Launcher } from '../src/setup/launcher.js';
import type { Runner, SetupContext } from '../src/setup/steps.js';
import { read, snapshot, write } from './helpers/files.js';
import { fakeIo } from './helpers/io.js';
import { runCli } from './helpers/spawn.js';
import { tempDir } from './helpers/temp.js';

const launcher: Launcher = { command: '/usr/bin/node', args: ['/opt/relay/dist/cli.js'], via: 'node' };

async function setup(home: string, args: string[], extra: { runner?: Runner; env?: Record<string, string> } = {}) {
  const io = fakeIo({ home, ...(extra.env ? { env: extra.env } : {}) });
  let error: Error | undefined;
  try {
    await run(args, io, { launcher, ...(extra.runner ? { runner: extra.runner } : {}) });
  } catch (e) {
    error = e as Error;
  }
  return { out: io.out(), error };
}

const backups = (dir: string) =>
  Object.keys(snapshot(dir))
    .filter((f) => f.includes('.bak-'))
    .sort();

describe('config values setup cannot merge into', () => {
  const claudeJson = (servers: string) => `{\n  "numStartups": 3,\n  "mcpServers": ${servers}\n}\n`;

  for (const [name, value] of [
    ['a list', '[]'],
    ['a string', '"relay"'],
    ['null', 'null'],
    ['a number', '7'],
  ] as const) {
    it(`refuses mcpServers that is ${name}, naming the file, and writes nothing`, async () => {
      const home = tempDir();
      write(path.join(home, '.claude.json'), claudeJson(value));
      write(path.join(home, '.config', 'Claude', 'claude_desktop_config.json'), `{ "mcpServers": ${value} }\n`);
      const before = snapshot(home);
      const code = await setup(home, ['code']);
      expect(code.error?.name).toBe('UserError');
      expect(code.error?.message).toBe(
        `Cannot change ${path.join(home, '.claude.json')}: "mcpServers" is ${name}, not an object. Nothing was written: ` +
          'fix the file (or move it away), then run setup again.',
      );
      const desktop = await setup(home, ['desktop']);
      expect(desktop.error?.message).toContain(path.join(home, '.config', 'Claude', 'claude_desktop_config.json'));
      expect(snapshot(home)).toEqual(before);
    });
  }

  it('refuses duplicate "mcpServers" keys (JSON.parse would drop the first) and writes nothing', async () => {
    const home = tempDir();
    const file = path.join(home, '.claude.json');
    write(file, '{\n  "mcpServers": { "github": { "command": "gh-mcp" } },\n  "mcpServers": {}\n}\n');
    const before = snapshot(home);
    const { error } = await setup(home, ['code']);
    expect(error?.message).toBe(
      `${file} is not valid JSON (the key "mcpServers" appears more than once); it was left untouched: fix it or move it away, ` +
        'then run setup again.',
    );
    expect(snapshot(home)).toEqual(before);
  });

  it('refuses a duplicate key deeper in, and a hooks value that is not an object', async () => {
    const home = tempDir();
    write(path.join(home, '.claude', 'settings.json'), '{ "hooks": { "SessionStart": [], "SessionStart": [] } }');
    expect((await setup(home, ['code'])).error?.message).toContain(
      'the key "hooks.SessionStart" appears more than once',
    );
    write(path.join(home, '.claude', 'settings.json'), '{ "hooks": [] }');
    const before = snapshot(home);
    expect((await setup(home, ['code'])).error?.message).toContain('"hooks" is a list, not an object');
    expect(snapshot(home)).toEqual(before);
  });
});

/** Sets or clears the immutable flag; false when this file system or user cannot (the test then says so). */
function immutable(file: string, on: boolean): boolean {
  return spawnSync('chattr', [on ? '+i' : '-i', file]).status === 0;
}

const canChattr = (() => {
  const dir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'relay-chattr-'));
  const ok = immutable(dir, true) && immutable(dir, false);
  fs.rmSync(dir, { recursive: true, force: true });
  return ok;
})();
if (!canChattr && process.env.CI) throw new Error('chattr +i must work in CI (ext4 and root): the 16.18 tests need it');
const chattrTitle = canChattr
  ? 'targets that cannot be written'
  : 'targets that cannot be written (SKIPPED: chattr +i does not work here)';

describe.skipIf(!canChattr)(chattrTitle, () => {
  function locked(file: string): void {
    expect(immutable(file, true)).toBe(true);
    onTestFinished(() => void immutable(file, false));
  }

  it('an immutable settings.json stops setup code before .claude.json or get.md is written', async () => {
    const home = tempDir();
    write(path.join(home, '.claude.json'), '{ "numStartups": 1 }\n');
    const settings = path.join(home, '.claude', 'settings.json');
    write(settings, '{ "model": "opus" }\n');
    locked(settings);
    const before = snapshot(home);
    const { error } = await setup(home, ['code']);
    expect(error?.name).toBe('UserError');
    expect(error?.message).toMatch(
      new RegExp(`^${settings.replace(/[.]/g, '\\.')} cannot be changed \\(operation not permitted \\(EPERM\\)\\)`),
    );
    expect(error?.message).toContain('Nothing was written.');
    expect(snapshot(home)).toEqual(before);
  });

  it('an unwritable config folder is a sentence on stderr, not a stack, and exit 1', async () => {
    const home = tempDir();
    const dir = path.join(home, '.config', 'Claude');
    write(path.join(dir, 'claude_desktop_config.json'), '{ "mcpServers": {} }\n');
    locked(dir);
    const result = await runCli(['setup', 'desktop'], home, { PATH: '' });
    expect(result.code).toBe(1);
    expect(result.stderr).not.toMatch(/unexpected error|\n\s+at /);
    expect(result.stderr).toMatch(
      /^mcp-relay: .*claude_desktop_config\.json cannot be changed|^mcp-relay: Cannot write in /,
    );
    expect(result.stderr).toContain('Nothing was written.');
  });
});

describe('a claude that rewrites files under setup (12.5)', () => {
  const original = '{\n  "model": "opus",\n  "permissions": { "allow": ["Bash(npm test)"] }\n}\n';

  /** What Claude Code 2.1.1xx did: `claude mcp add` rewrote settings.json (here: drops "model", reformats). */
  function rewritingClaude(home: string, rewrite: (settings: Record<string, unknown>) => void = (s) => delete s.model) {
    const bin = path.join(home, 'bin');
    write(path.join(bin, 'claude'), '#!/bin/sh\nexit 0\n', 0o755);
    const calls: string[][] = [];
    const runner: Runner = (_command, args) => {
      calls.push(args);
      const config = path.join(home, '.claude.json');
      const data = fs.existsSync(config) ? JSON.parse(read(config)) : {};
      data.mcpServers = {
        ...data.mcpServers,
        relay: { type: 'stdio', command: args[6], args: args.slice(7), env: {} },
      };
      fs.writeFileSync(config, JSON.stringify(data, null, 2));
      const file = path.join(home, '.claude', 'settings.json');
      const settings = JSON.parse(read(file));
      rewrite(settings);
      fs.writeFileSync(file, JSON.stringify(settings));
      return { code: 0, stdout: '', stderr: '' };
    };
    return { runner, calls, env: { PATH: bin } };
  }

  it('backs up settings.json before claude runs, then finishes the merge on what claude left', async () => {
    const home = tempDir();
    write(path.join(home, '.claude', 'settings.json'), original);
    const claude = rewritingClaude(home);
    const { error, out } = await setup(home, ['code'], claude);
    expect(error).toBeUndefined();
    expect(claude.calls).toHaveLength(1);
    // The original, byte for byte, in the one backup of settings.json.
    expect(backups(home)).toEqual(['.claude/settings.json.bak-20261125-093000']);
    expect(read(path.join(home, '.claude', 'settings.json.bak-20261125-093000'))).toBe(original);
    expect(out).toContain('backup: ');
    const settings = JSON.parse(read(path.join(home, '.claude', 'settings.json')));
    expect(settings.permissions).toEqual({ allow: ['Bash(npm test)'] });
    expect(settings.hooks.SessionStart[0].hooks[0].command).toBe(
      '/usr/bin/node /opt/relay/dist/cli.js preview --for code',
    );
  });

  it('plans again once when another program changes a file between planning and writing', () => {
    const home = tempDir();
    const file = path.join(home, '.claude', 'settings.json');
    write(file, original);
    const context = contextFor(home);
    const options = { uninstall: false, force: false };
    let plans = 0;
    const plan = () => {
      plans++;
      return planCode(context, 'user', options);
    };
    const steps = planCode(context, 'user', options);
    // Between setup's reading and its writing, someone else writes settings.json.
    fs.writeFileSync(file, '{ "model": "haiku" }\n');
    applyPlan(steps, plan, context);
    expect(plans).toBe(1);
    const settings = JSON.parse(read(file));
    expect(settings.model).toBe('haiku');
    expect(settings.hooks.SessionStart).toHaveLength(1);
    expect(read(`${file}.bak-20261125-093000`)).toBe('{ "model": "haiku" }\n');
  });

  it('gives up with a sentence naming the backup when the file keeps changing', () => {
    const home = tempDir();
    const file = path.join(home, '.claude', 'settings.json');
    write(file, original);
    const context = contextFor(home);
    const options = { uninstall: false, force: false };
    const steps = planCode(context, 'user', options);
    fs.writeFileSync(file, '{ "model": "haiku" }\n');
    let n = 0;
    const plan = () => {
      const planned = planCode(context, 'user', options);
      fs.writeFileSync(file, `{ "model": "m${n++}" }\n`);
      return planned;
    };
    expect(() => applyPlan(steps, plan, context)).toThrow(
      `${file} kept changing while setup was running (is Claude Code or another program rewriting it?); it was left as that ` +
        `program wrote it. Your original is in ${file}.bak-20261125-093000. Close that program, then run setup again.`,
    );
    expect(read(`${file}.bak-20261125-093000`)).toBe('{ "model": "haiku" }\n');
  });
});

function contextFor(home: string): SetupContext {
  return {
    home,
    env: { HOME: home, PATH: '' },
    platform: 'linux',
    cwd: home,
    now: new Date('2026-11-25T09:30:00Z'),
    launcher,
    execPath: '/usr/bin/node',
    claudePath: null,
    runner: () => ({ code: 0, stdout: '', stderr: '' }),
  };
}
