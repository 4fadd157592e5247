// 12.5 with the real Claude Code CLI: `claude mcp add` rewrites ~/.claude/settings.json by itself (2.1.112 turns
// "model": "opus" into "opus[1m]"). setup must back the file up before claude runs, finish its merge on what claude
// left, exit 0, and leave the person's original recoverable byte for byte.
import fs from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { read, snapshot, write } from './helpers/files.js';
import { repeatPass } from './helpers/node-versions.js';
import { basePath, runProgram } from './helpers/program.js';
import { root, runCli } from './helpers/spawn.js';
import { tempDir } from './helpers/temp.js';

const claudeCli = path.join(root, 'node_modules', '@anthropic-ai', 'claude-code', 'cli.js');
const available = fs.existsSync(claudeCli);
if (!available && process.env.CI) throw new Error('@anthropic-ai/claude-code must be installed in CI (npm ci)');
const title = available
  ? 'setup code beside the real Claude Code CLI, which rewrites settings.json'
  : 'setup code beside the real Claude Code CLI (SKIPPED: @anthropic-ai/claude-code is not installed; run `npm install`)';

describe.skipIf(!available || repeatPass('setup code beside the real Claude Code'))(title, () => {
  it(
    'keeps the original settings.json in a backup taken before claude ran, and completes the merge',
    { timeout: 120_000 },
    async () => {
      const home = tempDir();
      const bin = path.join(home, 'bin');
      fs.mkdirSync(bin);
      fs.symlinkSync(claudeCli, path.join(bin, 'claude'));
      const env = {
        PATH: basePath(bin),
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
        DISABLE_AUTOUPDATER: '1',
        DISABLE_TELEMETRY: '1',
      };
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
      // Whatever claude did to "model" is claude's business; that it did something is why the backup matters.
      expect((await runProgram('claude', ['mcp', 'get', 'relay'], { home, env })).out).toContain('--client code');
      // A second run changes nothing and makes no backup.
      const before = snapshot(home);
      const again = await runCli(['setup', 'code'], home, env);
      expect(again.code).toBe(0);
      expect(snapshot(home)).toEqual(before);
    },
  );
});
