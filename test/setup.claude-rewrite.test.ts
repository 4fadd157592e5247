// 12.5 with the real Claude Code CLI (the latest and the oldest supported, helpers/claude.ts): `claude mcp add`
// rewrites ~/.claude/settings.json by itself (2.1.112 turns "model": "opus" into "opus[1m]"). setup must back the
// file up before claude runs, finish its merge on what claude left, exit 0, and keep the original byte for byte.
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { claude, claudeHome, findClaude, titled } from './helpers/claude.js';
import { read, snapshot, write } from './helpers/files.js';
import { runCli } from './helpers/spawn.js';

describe.each(['latest', 'oldest'] as const)('setup code beside the real Claude Code (%s)', (which) => {
  const found = findClaude(which);
  describe.skipIf(found.missing !== undefined)(titled(`${which} CLI`, found), () => {
    it(
      'keeps the original settings.json in a backup taken before claude ran, and completes the merge',
      { timeout: 120_000 },
      async () => {
        const where = claudeHome(found.claude!);
        const { home, env } = where;
        const settingsFile = path.join(home, '.claude', 'settings.json');
        const original = '{\n  "model": "opus",\n  "permissions": {\n    "allow": ["Bash(npm test)"]\n  }\n}\n';
        write(settingsFile, original);

        const result = await runCli(['setup', 'code'], home, env);
        expect(result.stderr).toBe('');
        expect(result.code).toBe(0);
        const backups = Object.keys(snapshot(home)).filter((f) => f.startsWith('.claude/settings.json.bak-'));
        expect(backups).toHaveLength(1);
        expect(read(path.join(home, backups[0]!))).toBe(original);

        const settings = JSON.parse(read(settingsFile));
        expect(settings.permissions).toEqual({ allow: ['Bash(npm test)'] });
        expect(settings.hooks.SessionStart[0].hooks[0].command).toMatch(/dist\/cli\.js preview --for code$/);
        // Whatever claude did to "model" is claude's business; that it may do something is why the backup matters.
        expect((await claude(where, ['mcp', 'get', 'relay'])).stdout).toContain('--client code');
        // A second run changes nothing and makes no backup.
        const before = snapshot(home);
        const again = await runCli(['setup', 'code'], home, env);
        expect(again.code).toBe(0);
        expect(snapshot(home)).toEqual(before);
      },
    );
  });
});
