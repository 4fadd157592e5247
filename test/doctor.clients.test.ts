// doctor across every client: the old Python relay named for an upgrade, relays on different buffers (the commonest
// real fault), a GUI app's command found only through a shell's PATH, relay's Claude Code plugin beside a second
// registration, and the other agents' configs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { run as doctor } from '../src/cli/doctor.js';
import { run as setup } from '../src/cli/setup.js';
import type { Check } from '../src/doctor/doctor.js';
import { type Launcher, launcherFor } from '../src/setup/launcher.js';
import { openSqliteStore } from '../src/store/sqlite/store.js';
import { read, write } from './helpers/files.js';
import { fakeIo } from './helpers/io.js';
import { cliPath } from './helpers/spawn.js';
import { tempDir } from './helpers/temp.js';

const launcher: Launcher = launcherFor(cliPath, process.execPath);
const desktopFile = (home: string) => path.join(home, '.config', 'Claude', 'claude_desktop_config.json');

async function check(home: string, env: Record<string, string> = {}) {
  const io = fakeIo({ home, env });
  try {
    await doctor(['--json'], io, { launcher });
  } catch {
    // the exit code is in report.ok
  }
  const report = JSON.parse(io.out()) as { ok: boolean; checks: Check[] };
  return { report, byName: Object.fromEntries(report.checks.map((c) => [c.name, c])) };
}

async function installed(targets: string[] = ['code', 'desktop']): Promise<string> {
  const home = tempDir();
  for (const target of targets) await setup([target], fakeIo({ home }), { launcher });
  return home;
}

function setDesktopEntry(home: string, entry: unknown): void {
  const config = JSON.parse(read(desktopFile(home)));
  config.mcpServers.relay = entry;
  fs.writeFileSync(desktopFile(home), JSON.stringify(config, null, 2));
}

describe('doctor across clients', () => {
  it('calls a Python relay entry the old relay, with setup as the fix', async () => {
    const home = await installed();
    setDesktopEntry(home, { command: 'uvx', args: ['mcp-server-relay', '--client', 'desktop', '--sound'] });
    const { byName, report } = await check(home);
    expect(report.ok).toBe(false);
    expect(byName['Claude Desktop']).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('it is the old relay (mcp-server-relay 1.x): run setup to upgrade'),
      fix: `${process.execPath} ${cliPath} setup desktop`,
    });
  });

  it('calls the Python relay the old relay even when `claude mcp get` says it is connected', async () => {
    const home = await installed(['desktop']);
    write(
      path.join(home, '.claude.json'),
      JSON.stringify({ mcpServers: { relay: { command: 'uvx', args: ['mcp-server-relay', '--client', 'code'] } } }),
    );
    const bin = path.join(home, 'bin');
    write(path.join(bin, 'claude'), '#!/bin/sh\nexit 0\n', 0o755);
    const io = fakeIo({ home, env: { PATH: bin } });
    const asked: string[][] = [];
    const runner = (_command: string, args: string[]) => {
      asked.push(args);
      return { code: 0, stdout: 'relay:\n  Scope: User config\n  Status: ✔ Connected\n', stderr: '' };
    };
    await doctor(['--json'], io, { launcher, runner }).catch(() => {});
    const code = (JSON.parse(io.out()) as { checks: Check[] }).checks.find((c) => c.name === 'Claude Code');
    expect(code).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('it is the old relay (mcp-server-relay 1.x): run setup to upgrade'),
    });
    expect(asked).toEqual([]);
  });

  it('finds the two sides on different buffers: a --db on one, RELAY_DB only in the shell for the other', async () => {
    const home = await installed();
    const same = await check(home);
    expect(same.byName['same buffer']).toMatchObject({
      status: 'ok',
      detail: `every registered relay (2) uses ${path.join(home, '.relay_buffer.db')}`,
    });

    setDesktopEntry(home, {
      command: process.execPath,
      args: [cliPath, '--client', 'desktop', '--db', '/srv/relay.db'],
    });
    const split = await check(home);
    expect(split.report.ok).toBe(false);
    expect(split.byName['same buffer']!.status).toBe('fail');
    expect(split.byName['same buffer']!.detail).toContain('Claude Desktop uses /srv/relay.db (--db)');
    expect(split.byName['same buffer']!.detail).toContain(
      `Claude Code (user scope) uses ${path.join(home, '.relay_buffer.db')}`,
    );

    // Claude Code inherits the shell's RELAY_DB; Desktop, a GUI app, does not.
    setDesktopEntry(home, { command: process.execPath, args: [cliPath, '--client', 'desktop'] });
    const shell = await check(home, { RELAY_DB: path.join(home, 'elsewhere.db') });
    expect(shell.byName['same buffer']).toMatchObject({
      status: 'fail',
      fix: expect.stringContaining('RELAY_DB is set in your shell'),
    });
    expect(shell.byName['same buffer']!.detail).toContain(
      `uses ${path.join(home, 'elsewhere.db')} (RELAY_DB in your shell)`,
    );

    setDesktopEntry(home, {
      command: process.execPath,
      args: [cliPath, '--client', 'desktop', '--db', '~/.relay_buffer.db'],
    });
    const tilde = await check(home);
    expect(tilde.byName['same buffer']!.detail).toContain(
      '~/.relay_buffer.db starts with ~, which no shell expands there',
    );
  });

  it('warns when Desktop starts a command found only through the shell PATH', async () => {
    const home = await installed();
    const bin = path.join(home, '.nvm', 'bin');
    // A program only the shell's PATH has (as npx is under nvm; this machine's own /usr/bin/npx would be found).
    write(path.join(bin, 'npx-of-nvm'), '#!/bin/sh\n', 0o755);
    setDesktopEntry(home, { command: 'npx-of-nvm', args: ['-y', 'mcp-server-relay', '--client', 'desktop'] });
    const { byName } = await check(home, { PATH: bin });
    expect(byName['Claude Desktop: command']).toMatchObject({
      status: 'warn',
      detail:
        `Claude Desktop runs \`npx-of-nvm\`, found only through your shell's PATH (${path.join(bin, 'npx-of-nvm')}); ` +
        'the app does not see that PATH',
    });
    // An absolute script that starts node through PATH, without a PATH of its own: same problem.
    write(path.join(bin, 'mcp-relay'), '#!/usr/bin/env nodejs-from-nvm\n', 0o755);
    setDesktopEntry(home, { command: path.join(bin, 'mcp-relay'), args: ['--client', 'desktop'] });
    expect((await check(home, { PATH: bin })).byName['Claude Desktop: command']!.detail).toContain(
      'starts `nodejs-from-nvm` through PATH',
    );
  });

  it('checks Codex, Gemini and Cursor when relay is registered there', async () => {
    const home = await installed(['code', 'codex', 'gemini', 'cursor']);
    const { byName } = await check(home);
    expect(byName['Codex CLI']).toMatchObject({
      status: 'ok',
      detail: `registered in ${path.join(home, '.codex', 'config.toml')}`,
    });
    expect(byName['Gemini CLI']!.status).toBe('ok');
    expect(byName.Cursor!.status).toBe('ok');
    expect(byName['same buffer']!.detail).toBe(
      `every registered relay (4) uses ${path.join(home, '.relay_buffer.db')}`,
    );
    const gone: Launcher = { command: process.execPath, args: [path.join(home, 'old', 'dist', 'cli.js')], via: 'node' };
    await setup(['codex'], fakeIo({ home }), { launcher: gone });
    expect((await check(home)).byName['Codex CLI']).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('which no longer exists'),
    });
  });
});

describe("relay's Claude Code plugin", () => {
  /** An installed, enabled plugin as Claude Code records it, whose server starts relay. */
  function plugin(home: string, enabled = true): string {
    const installPath = path.join(home, '.claude', 'plugins', 'cache', 'mcp-relay', 'relay', '2.0.0');
    write(
      path.join(installPath, '.claude-plugin', 'plugin.json'),
      JSON.stringify({
        name: 'relay',
        mcpServers: { relay: { command: 'node', args: ['${CLAUDE_PLUGIN_ROOT}/dist/cli.js', '--client', 'code'] } },
      }),
    );
    write(
      path.join(home, '.claude', 'plugins', 'installed_plugins.json'),
      JSON.stringify({
        version: 2,
        plugins: { 'relay@mcp-relay': [{ scope: 'user', installPath, version: '2.0.0' }] },
      }),
    );
    const settings = path.join(home, '.claude', 'settings.json');
    const data = fs.existsSync(settings) ? JSON.parse(read(settings)) : {};
    fs.writeFileSync(settings, JSON.stringify({ ...data, enabledPlugins: { 'relay@mcp-relay': enabled } }, null, 2));
    return installPath;
  }

  it('counts the plugin alone as registered: with claude on PATH it asks about plugin:relay:relay', async () => {
    const home = tempDir();
    fs.mkdirSync(path.join(home, '.claude'));
    plugin(home);
    const bin = path.join(home, 'bin');
    write(path.join(bin, 'claude'), '#!/bin/sh\nexit 0\n', 0o755);
    const asked: string[][] = [];
    const runner = (_command: string, args: string[]) => {
      asked.push(args);
      return args[2] === 'plugin:relay:relay'
        ? { code: 0, stdout: 'plugin:relay:relay:\n  Scope: Dynamic config\n  Status: ✔ Connected\n', stderr: '' }
        : { code: 1, stdout: '', stderr: 'No MCP server found with name: relay' };
    };
    const io = fakeIo({ home, env: { PATH: bin } });
    await doctor(['--json'], io, { launcher, runner }).catch(() => {});
    const report = JSON.parse(io.out()) as { ok: boolean; checks: Check[] };
    expect(report.checks.find((c) => c.name === 'Claude Code')).toEqual({
      name: 'Claude Code',
      status: 'ok',
      detail: 'the plugin relay@mcp-relay; ✔ Connected',
    });
    expect(asked).toContainEqual(['mcp', 'get', 'plugin:relay:relay']);
    expect(report.checks.filter((c) => c.status === 'fail')).toEqual([]);
  });

  it('doctor reports a second registration beside the plugin; setup code then takes out its own', async () => {
    const home = await installed(['code']);
    plugin(home);
    const before = await check(home);
    expect(before.byName['Claude Code: registered twice']).toMatchObject({
      status: 'warn',
      detail:
        'Claude Code (user scope) and Claude Code (plugin relay@mcp-relay) each start relay; Claude Code uses one and hides the other',
    });
    expect(before.byName['start-up hook']!.detail).toContain(
      "beside the plugin relay@mcp-relay's: previews show twice",
    );

    const io = fakeIo({ home });
    await setup(['code'], io, { launcher });
    expect(io.out()).toContain("relay's Claude Code plugin (relay@mcp-relay) is enabled");
    // Setup's own user-scope entry was all ~/.claude.json held: the file goes (its backup stays).
    expect(fs.existsSync(path.join(home, '.claude.json'))).toBe(false);
    expect(fs.existsSync(path.join(home, '.claude', 'commands', 'get.md'))).toBe(false);
    expect(JSON.parse(read(path.join(home, '.claude', 'settings.json'))).hooks).toBeUndefined();

    const after = await check(home);
    expect(after.byName['Claude Code']).toMatchObject({
      status: 'ok',
      detail: expect.stringContaining('plugin relay@mcp-relay'),
    });
    expect(after.byName['Claude Code: registered twice']).toBeUndefined();
    expect(after.byName['start-up hook']).toMatchObject({
      status: 'ok',
      detail: 'the plugin relay@mcp-relay brings it',
    });
  });

  it('a disabled plugin changes nothing: setup code registers as usual', async () => {
    const home = tempDir();
    plugin(home, false);
    await setup(['code'], fakeIo({ home }), { launcher });
    expect(JSON.parse(read(path.join(home, '.claude.json'))).mcpServers.relay).toBeDefined();
  });
});

describe('doctor and the buffer', () => {
  it('lists the live sessions', async () => {
    const home = await installed();
    const store = openSqliteStore(path.join(home, '.relay_buffer.db'));
    await store.registerSession({
      kind: 'code',
      name: 'webapp',
      cwd: '/work/webapp',
      host: os.hostname(),
      pid: process.pid,
      observer: false,
    });
    await store.send({ sender: 'desktop', to: 'webapp', message: 'hi' });
    await store.close();
    const { byName } = await check(home);
    expect(byName.sessions).toMatchObject({
      status: 'ok',
      detail: `1 live: webapp (code in /work/webapp pid ${process.pid}, 1 unread)`,
    });
  });
});

describe('doctor and a broken config of an optional client', () => {
  it('warns (does not fail) on an unparsable Codex config.toml, naming it', async () => {
    const home = await installed(['code']);
    write(path.join(home, '.codex', 'config.toml'), 'model = = "o3"\n');
    const { byName } = await check(home);
    expect(byName['Codex CLI']).toMatchObject({ status: 'warn', detail: expect.stringContaining('is not valid TOML') });
  });
});

describe('setup code --uninstall beside the plugin', () => {
  it('says the plugin stays and how to remove it', async () => {
    const home = tempDir();
    const installPath = path.join(home, 'plugin');
    write(
      path.join(installPath, '.claude-plugin', 'plugin.json'),
      JSON.stringify({
        mcpServers: { relay: { command: 'node', args: ['${CLAUDE_PLUGIN_ROOT}/dist/cli.js', '--client', 'code'] } },
      }),
    );
    write(
      path.join(home, '.claude', 'plugins', 'installed_plugins.json'),
      JSON.stringify({ version: 2, plugins: { 'relay@mcp-relay': [{ scope: 'user', installPath }] } }),
    );
    write(path.join(home, '.claude', 'settings.json'), JSON.stringify({ enabledPlugins: { 'relay@mcp-relay': true } }));
    const io = fakeIo({ home });
    await setup(['code', '--uninstall'], io, { launcher });
    expect(io.out()).toContain(
      "relay's Claude Code plugin (relay@mcp-relay) stays: `claude plugin uninstall relay@mcp-relay` removes it",
    );
  });
});
