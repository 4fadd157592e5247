// A client nobody here wrote: the real Claude Code CLI (the latest and the oldest supported, helpers/claude.ts) in a
// temp HOME. After `mcp-relay setup code`, `claude mcp list` must report relay connected (it exits 0 either way: the
// output is what counts), the hook setup wrote must run as Claude Code runs it, and --uninstall must take relay out.
import fs from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { claude, claudeHome, findClaude, titled } from './helpers/claude.js';
import { run } from './helpers/run.js';
import { runCli } from './helpers/spawn.js';

describe.each(['latest', 'oldest'] as const)('the real Claude Code CLI (%s)', (which) => {
  const found = findClaude(which);
  describe.skipIf(found.missing !== undefined)(titled(`${which} CLI`, found), () => {
    it(
      'connects to relay after `mcp-relay setup code`, runs its hook, and forgets it after --uninstall',
      { timeout: 120_000 },
      async () => {
        const where = claudeHome(found.claude!);
        const { home, env } = where;
        const setup = await runCli(['setup', 'code'], home, env);
        expect(setup.stderr).toBe('');
        expect(setup.code).toBe(0);
        expect(setup.stdout).toContain('run: claude mcp add --scope user relay --');

        const list = await claude(where, ['mcp', 'list']);
        expect(list.stdout).toMatch(/^relay: .*dist\/cli\.js --client code - [✓✔] Connected$/m);

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
        expect((await run('sh', ['-c', hook], { cwd: home, env, timeoutMs: 30_000 })).stdout).toBe(
          'relay: 1 unread message for this Code session (run /get to read them):\n1. from Desktop: "Review parser.ts please"\n',
        );

        const uninstall = await runCli(['setup', 'code', '--uninstall'], home, env);
        expect(uninstall.code).toBe(0);
        expect((await claude(where, ['mcp', 'list'])).stdout).not.toMatch(/^relay:/m);
        expect(fs.existsSync(path.join(home, '.claude', 'commands', 'get.md'))).toBe(false);
      },
    );
  });
});
