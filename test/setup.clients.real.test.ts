// Clients nobody here wrote: the real Codex CLI (@openai/codex) and Gemini CLI (@google/gemini-cli), devDependencies,
// run offline in a temp HOME. After `mcp-relay setup codex|gemini`, each lists what setup wrote beside the servers
// already there (Gemini connects to it too, in a trusted folder), and --uninstall takes it out again.
import fs from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { write } from './helpers/files.js';
import { repeatPass } from './helpers/node-versions.js';
import { run } from './helpers/run.js';
import { cliPath, quietNotifiers, root, runCli } from './helpers/spawn.js';
import { tempDir } from './helpers/temp.js';

const bin = (name: string) => path.join(root, 'node_modules', '.bin', name);

// They test setup's files, not the Node that runs them: once per CI run (the Node 20 pass) is enough.
function client(name: string) {
  const available = fs.existsSync(bin(name));
  if (!available && process.env.CI) throw new Error(`${name} must be installed in CI (a devDependency: npm ci)`);
  return {
    skip: !available || repeatPass(`the real ${name} CLI`),
    title: (what: string) => (available ? what : `${what} (SKIPPED: ${name} is not installed; run \`npm install\`)`),
  };
}

/** A client in a temp HOME, offline, with node and the system's tools on PATH: its exit code and both streams. */
async function runClient(command: string, args: string[], home: string, cwd: string, env: Record<string, string> = {}) {
  const path_ = [path.dirname(process.execPath), quietNotifiers, '/usr/bin', '/bin'].join(':');
  const result = await run(command, args, {
    cwd,
    env: { HOME: home, PATH: path_, NO_COLOR: '1', ...env },
    timeoutMs: 90_000,
  });
  return { code: result.code, stdout: result.stdout, out: result.stdout + result.stderr };
}

const codex = client('codex');
describe.skipIf(codex.skip)(codex.title('the real Codex CLI'), () => {
  it(
    '`codex mcp list --json` shows what setup codex wrote, beside the server already there',
    { timeout: 120_000 },
    async () => {
      const home = tempDir();
      const config = path.join(home, '.codex', 'config.toml');
      write(config, '# mine\nmodel = "o3"\n\n[mcp_servers.docs]\ncommand = "npx"\nargs = ["-y", "docs-mcp"]\n');
      const setup = await runCli(['setup', 'codex'], home, { PATH: '' });
      expect(setup.stderr).toBe('');
      expect(setup.code).toBe(0);

      const listed = await runClient(bin('codex'), ['mcp', 'list', '--json'], home, home);
      expect(listed.code).toBe(0);
      const servers = JSON.parse(listed.stdout) as {
        name: string;
        enabled: boolean;
        transport: { type: string; command: string; args: string[] };
      }[];
      expect(servers.map((s) => s.name)).toEqual(['docs', 'relay']);
      expect(servers[1]).toMatchObject({
        enabled: true,
        transport: { type: 'stdio', command: process.execPath, args: [cliPath, '--client', 'codex'] },
      });

      expect((await runCli(['setup', 'codex', '--uninstall'], home, { PATH: '' })).code).toBe(0);
      const after = await runClient(bin('codex'), ['mcp', 'list', '--json'], home, home);
      expect(JSON.parse(after.stdout).map((s: { name: string }) => s.name)).toEqual(['docs']);
    },
  );
});

const gemini = client('gemini');
describe.skipIf(gemini.skip)(gemini.title('the real Gemini CLI'), () => {
  it(
    '`gemini mcp list` in a trusted folder shows relay connected after setup gemini',
    { timeout: 120_000 },
    async () => {
      const home = tempDir();
      const project = path.join(home, 'project');
      fs.mkdirSync(project);
      write(path.join(home, '.gemini', 'settings.json'), '{\n  // mine\n  "theme": "GitHub"\n}\n');
      // Gemini starts MCP servers only in folders the person trusted.
      write(path.join(home, '.gemini', 'trustedFolders.json'), JSON.stringify({ [project]: 'TRUST_FOLDER' }));
      const setup = await runCli(['setup', 'gemini'], home, { PATH: '' });
      expect(setup.code).toBe(0);

      const listed = await runClient(bin('gemini'), ['mcp', 'list'], home, project, {
        RELAY_DB: path.join(home, 'relay.db'),
      });
      expect(listed.out).toMatch(
        new RegExp(`✓ relay: ${process.execPath} ${cliPath} --client gemini \\(stdio\\) - Connected`),
      );

      expect((await runCli(['setup', 'gemini', '--uninstall'], home, { PATH: '' })).code).toBe(0);
      const after = await runClient(bin('gemini'), ['mcp', 'list'], home, project);
      expect(after.out).not.toMatch(/relay:/);
    },
  );
});
