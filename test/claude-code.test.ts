// A client nobody here wrote: the real Claude Code CLI (@anthropic-ai/claude-code, a devDependency) in a temp HOME.
// After `mcp-relay setup code`, `claude mcp list` must report relay connected (it exits 0 either way: the output is
// what counts), the hook setup wrote must run as Claude Code runs it, and --uninstall must take relay out again.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { describe, expect, it, onTestFinished } from 'vitest';

import { root, runCli } from './helpers/spawn.js';
import { tempDir } from './helpers/temp.js';

const claudeCli = path.join(root, 'node_modules', '@anthropic-ai', 'claude-code', 'cli.js');
const available = fs.existsSync(claudeCli);
const title = available
  ? 'the real Claude Code CLI'
  : 'the real Claude Code CLI (SKIPPED: @anthropic-ai/claude-code is not installed; run `npm install`)';

/** A HOME with only `claude` (and node) on PATH, and Claude Code kept offline. */
function claudeHome(): { home: string; env: Record<string, string> } {
  const home = tempDir();
  const bin = path.join(home, 'bin');
  fs.mkdirSync(bin);
  fs.symlinkSync(claudeCli, path.join(bin, 'claude'));
  const env = {
    PATH: [bin, path.dirname(process.execPath), '/usr/bin', '/bin'].join(':'),
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_AUTOUPDATER: '1',
    DISABLE_TELEMETRY: '1',
  };
  return { home, env };
}

function run(command: string, args: string[], home: string, env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: home, env: { HOME: home, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    onTestFinished(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} timed out: ${out}`));
    }, 45_000);
    child.on('exit', () => {
      clearTimeout(timer);
      resolve(out);
    });
  });
}

describe.skipIf(!available)(title, () => {
  it(
    'connects to relay after `mcp-relay setup code`, runs its hook, and forgets it after --uninstall',
    { timeout: 120_000 },
    async () => {
      const { home, env } = claudeHome();
      const setup = await runCli(['setup', 'code'], home, env);
      expect(setup.stderr).toBe('');
      expect(setup.code).toBe(0);
      expect(setup.stdout).toContain('run: claude mcp add --scope user relay --');

      const list = await run('claude', ['mcp', 'list'], home, env);
      expect(list).toMatch(/^relay: .*dist\/cli\.js --client code - ✓ Connected$/m);

      // The doctor asks claude too, and agrees.
      const doctor = await runCli(['doctor', '--json'], home, env);
      const checks = (JSON.parse(doctor.stdout) as { checks: { name: string; status: string; detail: string }[] })
        .checks;
      expect(checks.find((c) => c.name === 'Claude Code')).toMatchObject({
        status: 'ok',
        detail: expect.stringContaining('Connected'),
      });

      // The SessionStart hook, run through a shell as Claude Code runs it.
      await runCli(['send', '--as', 'desktop', 'Review parser.ts please'], home, env);
      const settings = JSON.parse(fs.readFileSync(path.join(home, '.claude', 'settings.json'), 'utf8'));
      const hook = settings.hooks.SessionStart[0].hooks[0].command as string;
      expect(await run('sh', ['-c', hook], home, env)).toBe(
        'relay: 1 unread message for this Code session (run /get to read them):\n1. Desktop: Review parser.ts please\n',
      );

      const uninstall = await runCli(['setup', 'code', '--uninstall'], home, env);
      expect(uninstall.code).toBe(0);
      expect(await run('claude', ['mcp', 'list'], home, env)).not.toMatch(/^relay:/m);
      expect(fs.existsSync(path.join(home, '.claude', 'commands', 'get.md'))).toBe(false);
    },
  );
});
