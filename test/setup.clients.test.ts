// `mcp-relay setup codex|gemini|cursor` against configs that already hold other servers and settings: merged
// beside them (comments and order kept), backed up, idempotent, --dry-run writes nothing, --uninstall restores the
// file, the Python relay upgraded, and a foreign relay entry left alone unless --force.
import fs from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { run } from '../src/cli/setup.js';
import type { Launcher } from '../src/setup/launcher.js';
import { parseToml } from '../src/setup/toml-edit.js';
import { read, snapshot, write } from './helpers/files.js';
import { fakeIo } from './helpers/io.js';
import { tempDir } from './helpers/temp.js';

const launcher: Launcher = { command: '/usr/bin/node', args: ['/opt/relay/dist/cli.js'], via: 'node' };

async function setup(home: string, args: string[], env: Record<string, string> = {}) {
  const io = fakeIo({ home, env });
  let error: Error | undefined;
  try {
    await run(args, io, { launcher });
  } catch (e) {
    error = e as Error;
  }
  return { out: io.out(), error };
}

const codexConfig = `# my Codex settings
model = "o3" # the good one

[mcp_servers.docs]
command = "npx"
args = ["-y", "docs-mcp"]

[profiles.fast]
model = "gpt-5-mini"
`;

const geminiSettings = `{
  // Gemini reads comments in its settings
  "theme": "GitHub",
  "mcpServers": {
    "fs": { "command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem", "/tmp"] },
  },
}
`;

const cursorConfig = `{
  "mcpServers": {
    "linear": { "url": "https://mcp.linear.app/sse" }
  }
}
`;

interface Case {
  target: string;
  file: (home: string) => string;
  existing: string;
  read: (text: string) => Record<string, unknown>;
  others: string[];
}

const jsonc = (text: string) => JSON.parse(text.replace(/\/\/[^\n]*/g, '').replace(/,(\s*[}\]])/g, '$1'));

const cases: Case[] = [
  {
    target: 'codex',
    file: (home) => path.join(home, '.codex', 'config.toml'),
    existing: codexConfig,
    read: (text) => (parseToml(text).mcp_servers as Record<string, unknown>) ?? {},
    others: ['docs'],
  },
  {
    target: 'gemini',
    file: (home) => path.join(home, '.gemini', 'settings.json'),
    existing: geminiSettings,
    read: (text) => jsonc(text).mcpServers ?? {},
    others: ['fs'],
  },
  {
    target: 'cursor',
    file: (home) => path.join(home, '.cursor', 'mcp.json'),
    existing: cursorConfig,
    read: (text) => JSON.parse(text).mcpServers ?? {},
    others: ['linear'],
  },
];

describe.each(cases)('setup $target', ({ target, file, existing, read: servers, others }) => {
  const entry = { command: '/usr/bin/node', args: ['/opt/relay/dist/cli.js', '--client', target] };

  it('merges beside the other servers, backs up, is idempotent, and uninstall restores the file', async () => {
    const home = tempDir();
    write(file(home), existing);
    const first = await setup(home, [target]);
    expect(first.error).toBeUndefined();
    const text = read(file(home));
    expect(Object.keys(servers(text))).toEqual([...others, 'relay']);
    expect(servers(text).relay).toEqual(entry);
    // The person's own lines are still there, comments included.
    for (const line of existing.split('\n').filter((l) => l.includes('#') || l.includes('//')))
      expect(text).toContain(line);
    expect(read(`${file(home)}.bak-20261125-093000`)).toBe(existing);
    expect(first.out).toMatch(/Done\. /);

    const before = snapshot(home);
    expect((await setup(home, [target])).out).toContain('Nothing to change.');
    expect(snapshot(home)).toEqual(before);

    const removed = await setup(home, [target, '--uninstall']);
    expect(removed.error).toBeUndefined();
    expect(read(file(home))).toBe(existing);
  });

  it('--dry-run shows the diff and writes nothing; a new file is created and removed again', async () => {
    const home = tempDir();
    const dry = await setup(home, [target, '--dry-run']);
    expect(dry.out).toMatch(/^Dry run, nothing written/);
    expect(dry.out).toContain(`+++ ${file(home)}`);
    expect(snapshot(home)).toEqual({});
    await setup(home, [target]);
    expect(servers(read(file(home))).relay).toEqual(entry);
    await setup(home, [target, '--uninstall']);
    expect(fs.existsSync(file(home))).toBe(false);
  });

  it('upgrades the Python relay, and leaves a foreign relay entry unless --force', async () => {
    const home = tempDir();
    const python = { command: 'uvx', args: ['mcp-server-relay', '--client', target] };
    await setup(home, [target]);
    // Put a Python relay entry where relay's is, in the file's own syntax.
    const swap = (from: unknown, to: unknown) => {
      const text = read(file(home));
      const json = (v: unknown) => JSON.stringify(v);
      const toml = (v: { command: string; args: string[] }) =>
        `command = ${json(v.command)}\nargs = [ ${v.args.map(json).join(', ')} ]`;
      const next =
        target === 'codex'
          ? text.replace(toml(from as typeof entry), toml(to as typeof entry))
          : JSON.stringify({ ...JSON.parse(text), mcpServers: { ...JSON.parse(text).mcpServers, relay: to } }, null, 2);
      fs.writeFileSync(file(home), next);
    };
    swap(entry, python);
    expect(servers(read(file(home))).relay).toEqual(python);
    const upgraded = await setup(home, [target]);
    expect(upgraded.error).toBeUndefined();
    expect(upgraded.out).toContain('upgrade the Python relay (mcp-server-relay 1.x)');
    expect(servers(read(file(home))).relay).toEqual(entry);

    const mine = { command: '/home/me/bin/my-relay', args: ['--client', target] };
    swap(entry, mine);
    const kept = await setup(home, [target]);
    expect(kept.error?.message).toMatch(/1 step was left undone/);
    expect(servers(read(file(home))).relay).toEqual(mine);
    expect((await setup(home, [target, '--force'])).error).toBeUndefined();
    expect(servers(read(file(home))).relay).toEqual(entry);
  });
});

describe('where the clients keep their config', () => {
  it('honours CODEX_HOME and GEMINI_CLI_HOME', async () => {
    const home = tempDir();
    await setup(home, ['codex'], { CODEX_HOME: path.join(home, 'codex-home') });
    await setup(home, ['gemini'], { GEMINI_CLI_HOME: path.join(home, 'gem') });
    expect(Object.keys(snapshot(home)).sort()).toEqual(['codex-home/config.toml', 'gem/.gemini/settings.json']);
    expect(fs.statSync(path.join(home, 'codex-home', 'config.toml')).mode & 0o777).toBe(0o600);
  });

  it('refuses a config.toml it cannot parse, naming it and its line, and writes nothing', async () => {
    const home = tempDir();
    const file = path.join(home, '.codex', 'config.toml');
    write(file, 'model = "o3"\n[mcp_servers.docs\ncommand = "x"\n');
    const before = snapshot(home);
    const { error } = await setup(home, ['codex']);
    expect(error?.message).toMatch(
      new RegExp(`^${file.replace(/\./g, '\\.')} is not valid TOML \\(.*line 3, column 1\\)`),
    );
    expect(snapshot(home)).toEqual(before);
  });

  it('refuses a --sound or --scope for them', async () => {
    const home = tempDir();
    expect((await setup(home, ['codex', '--sound'])).error?.name).toBe('UsageError');
    expect((await setup(home, ['cursor', '--scope', 'user'])).error?.name).toBe('UsageError');
    expect((await setup(home, ['vscode'])).error?.message).toBe(
      "unknown target 'vscode' (choose: code, desktop, codex, gemini, cursor)",
    );
  });
});
