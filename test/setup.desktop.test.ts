// `mcp-relay setup desktop`: the platform's config path, merging beside other servers and settings, --sound,
// the memory instruction, and an uninstall that removes only relay's own entry.
import fs from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { run } from '../src/cli/setup.js';
import { desktopConfigFile } from '../src/setup/claude-desktop.js';
import { type Launcher, launcherFor } from '../src/setup/launcher.js';
import { read, snapshot, write } from './helpers/files.js';
import { fakeIo } from './helpers/io.js';
import { tempDir } from './helpers/temp.js';

const launcher: Launcher = { command: '/usr/bin/node', args: ['/opt/relay/dist/cli.js'], via: 'node' };

const existing = `{
    "mcpServers": {
        "filesystem": {
            "command": "npx",
            "args": ["-y", "@modelcontextprotocol/server-filesystem", "/Users/me/Desktop"]
        }
    },
    "globalShortcut": "Alt+Space"
}
`;

async function setup(home: string, args: string[], platform: NodeJS.Platform = 'linux', using: Launcher = launcher) {
  const io = fakeIo({ home, platform });
  let error: Error | undefined;
  try {
    // execPath: the node an npx launcher's PATH must hold (as process.execPath is when setup really runs).
    await run(['desktop', ...args], io, { launcher: using, execPath: '/opt/nvm/node/bin/node' });
  } catch (e) {
    error = e as Error;
  }
  return { out: io.out(), error };
}

describe('setup desktop', () => {
  it('finds claude_desktop_config.json where each platform keeps it', () => {
    expect(desktopConfigFile({ home: '/Users/me', env: {}, platform: 'darwin' })).toBe(
      '/Users/me/Library/Application Support/Claude/claude_desktop_config.json',
    );
    expect(desktopConfigFile({ home: '/home/me', env: {}, platform: 'linux' })).toBe(
      '/home/me/.config/Claude/claude_desktop_config.json',
    );
    expect(desktopConfigFile({ home: '/home/me', env: { XDG_CONFIG_HOME: '/home/me/.cfg' }, platform: 'linux' })).toBe(
      '/home/me/.cfg/Claude/claude_desktop_config.json',
    );
    expect(
      desktopConfigFile({
        home: 'C:\\Users\\me',
        env: { APPDATA: 'C:\\Users\\me\\AppData\\Roaming' },
        platform: 'win32',
      }),
    ).toBe('C:\\Users\\me\\AppData\\Roaming\\Claude\\claude_desktop_config.json');
  });

  it('merges beside other servers and settings, prints the memory instruction, and is idempotent', async () => {
    const home = tempDir();
    const file = path.join(home, '.config', 'Claude', 'claude_desktop_config.json');
    write(file, existing);
    const { out, error } = await setup(home, []);
    expect(error).toBeUndefined();
    const config = JSON.parse(read(file));
    expect(config).toEqual({
      mcpServers: {
        filesystem: JSON.parse(existing).mcpServers.filesystem,
        relay: { command: '/usr/bin/node', args: ['/opt/relay/dist/cli.js', '--client', 'desktop'] },
      },
      globalShortcut: 'Alt+Space',
    });
    expect(read(file)).toContain('\n        "relay": {\n            "command": "/usr/bin/node",');
    expect(out).toContain('Remember: when I say "get" or "/get" alone, fetch my messages with relay_fetch.');
    expect(out).toContain('Restart Claude Desktop');
    expect(read(`${file}.bak-20261125-093000`)).toBe(existing);
    const before = snapshot(home);
    expect((await setup(home, [])).out).toContain('= relay MCP server (Claude Desktop)');
    expect(snapshot(home)).toEqual(before);
  });

  it('adds --sound with or without a name, and updates its own entry when the flags change', async () => {
    const home = tempDir();
    const file = path.join(home, 'Library', 'Application Support', 'Claude', 'claude_desktop_config.json');
    await setup(home, ['--sound'], 'darwin');
    expect(JSON.parse(read(file)).mcpServers.relay.args).toEqual([
      '/opt/relay/dist/cli.js',
      '--client',
      'desktop',
      '--sound',
    ]);
    await setup(home, ['--sound', 'tink', '--dry-run'], 'darwin');
    expect(JSON.parse(read(file)).mcpServers.relay.args).toEqual([
      '/opt/relay/dist/cli.js',
      '--client',
      'desktop',
      '--sound',
    ]);
    const { out } = await setup(home, ['--sound', 'tink'], 'darwin');
    expect(out).toContain('~ relay MCP server (Claude Desktop): replace');
    expect(JSON.parse(read(file)).mcpServers.relay.args).toEqual([
      '/opt/relay/dist/cli.js',
      '--client',
      'desktop',
      '--sound',
      'tink',
    ]);
  });

  it('refuses a sound the server could not play (it would not start), writing nothing', async () => {
    const home = tempDir();
    const unknown = await setup(home, ['--sound', 'trumpet'], 'darwin');
    expect(unknown.error?.name).toBe('UsageError');
    expect(unknown.error?.message).toMatch(/^--sound must be a macOS sound name/);
    const missing = await setup(home, ['--sound', path.join(home, 'none.oga')]);
    expect(missing.error?.message).toBe(`--sound: ${path.join(home, 'none.oga')} does not exist`);
    expect(snapshot(home)).toEqual({});
  });

  it('uninstall restores the file exactly, and leaves an entry the user edited', async () => {
    const home = tempDir();
    const file = path.join(home, '.config', 'Claude', 'claude_desktop_config.json');
    write(file, existing);
    write(path.join(home, 'ding.oga'), 'not really a sound');
    await setup(home, ['--sound', path.join(home, 'ding.oga')]);
    expect(JSON.parse(read(file)).mcpServers.relay.args).toContain('--sound');
    await setup(home, ['--uninstall']);
    expect(read(file)).toBe(existing);

    await setup(home, []);
    const edited = JSON.parse(read(file));
    edited.mcpServers.relay.args.push('--observe');
    write(file, JSON.stringify(edited, null, 4));
    const { out } = await setup(home, ['--uninstall']);
    expect(out).toContain('was changed after setup');
    expect(out).toContain('--client desktop --observe');
    expect(JSON.parse(read(file)).mcpServers.relay).toBeDefined();
    await setup(home, ['--uninstall', '--force']);
    expect(JSON.parse(read(file)).mcpServers.relay).toBeUndefined();
  });

  it('refuses a config that is not valid JSON, naming the file', async () => {
    const home = tempDir();
    const file = path.join(home, '.config', 'Claude', 'claude_desktop_config.json');
    write(file, '{"mcpServers": {"a": {}},}');
    const { error } = await setup(home, []);
    expect(error?.message).toContain(`${file} is not valid JSON`);
    expect(read(file)).toBe('{"mcpServers": {"a": {}},}');
  });
});

describe('setup desktop on Windows: the Microsoft Store (MSIX) app and the installer app', () => {
  // Windows' folders, simulated under a temp dir: %LOCALAPPDATA% and %APPDATA% point into it.
  function windows() {
    const home = tempDir();
    const env = { LOCALAPPDATA: path.join(home, 'AppData', 'Local'), APPDATA: path.join(home, 'AppData', 'Roaming') };
    const msix = (id: string) =>
      path.join(env.LOCALAPPDATA, 'Packages', `Claude_${id}`, 'LocalCache', 'Roaming', 'Claude');
    const classic = path.join(env.APPDATA, 'Claude');
    const desktop = async (args: string[] = []) => {
      const io = fakeIo({ home, platform: 'win32', env });
      let error: Error | undefined;
      try {
        await run(['desktop', ...args], io, { launcher });
      } catch (e) {
        error = e as Error;
      }
      return { out: io.out(), error };
    };
    return { home, env, msix, classic, desktop };
  }

  it('writes into the MSIX package folder wherever one exists, even beside a classic %APPDATA%\\Claude', async () => {
    const w = windows();
    fs.mkdirSync(path.join(w.env.LOCALAPPDATA, 'Packages', 'Claude_pzs8sxrjxfjjc'), { recursive: true });
    write(path.join(w.classic, 'claude_desktop_config.json'), existing);
    const { out, error } = await w.desktop();
    expect(error).toBeUndefined();
    expect(out).toContain('relay MCP server (Claude Desktop, Microsoft Store app)');
    const file = path.join(w.msix('pzs8sxrjxfjjc'), 'claude_desktop_config.json');
    expect(JSON.parse(read(file)).mcpServers.relay.args).toEqual(['/opt/relay/dist/cli.js', '--client', 'desktop']);
    expect(read(path.join(w.classic, 'claude_desktop_config.json'))).toBe(existing);
    // --uninstall and doctor follow the same rule.
    expect(desktopConfigFile({ home: w.home, env: w.env, platform: 'win32' })).toBe(file);
    await w.desktop(['--uninstall']);
    expect(fs.existsSync(file)).toBe(false);
  });

  it('keeps %APPDATA%\\Claude for an installer-based app (no package folder)', async () => {
    const w = windows();
    write(path.join(w.classic, 'claude_desktop_config.json'), existing);
    expect((await w.desktop()).error).toBeUndefined();
    expect(JSON.parse(read(path.join(w.classic, 'claude_desktop_config.json'))).mcpServers.relay).toBeDefined();
  });

  it('with several package folders, takes the one holding a config; with none holding one, says so and writes nothing', async () => {
    const w = windows();
    fs.mkdirSync(w.msix('aaaa'), { recursive: true });
    fs.mkdirSync(w.msix('bbbb'), { recursive: true });
    const before = snapshot(w.home);
    const { error } = await w.desktop();
    expect(error?.name).toBe('UserError');
    expect(error?.message).toContain('Claude Desktop is installed as more than one Microsoft Store package here');
    expect(error?.message).toContain(w.msix('aaaa'));
    expect(error?.message).toContain(w.msix('bbbb'));
    expect(error?.message).toContain('Nothing was written.');
    expect(snapshot(w.home)).toEqual(before);

    write(path.join(w.msix('bbbb'), 'claude_desktop_config.json'), existing);
    expect((await w.desktop()).error).toBeUndefined();
    expect(JSON.parse(read(path.join(w.msix('bbbb'), 'claude_desktop_config.json'))).mcpServers.relay).toBeDefined();
    expect(fs.readdirSync(w.msix('aaaa'))).toEqual([]);
  });
});

describe('a command Desktop can start without a shell', () => {
  it('writes the absolute npx and a PATH holding node when setup runs from npx', async () => {
    const home = tempDir();
    const npx = launcherFor(
      '/x/_npx/y/node_modules/mcp-server-relay/dist/cli.js',
      '/opt/nvm/node/bin/node',
      'darwin',
      () => true,
    );
    await setup(home, [], 'darwin', npx);
    const file = path.join(home, 'Library', 'Application Support', 'Claude', 'claude_desktop_config.json');
    expect(JSON.parse(read(file)).mcpServers.relay).toEqual({
      command: '/opt/nvm/node/bin/npx',
      args: ['-y', 'mcp-server-relay', '--client', 'desktop'],
      env: { PATH: '/opt/nvm/node/bin:/usr/bin:/bin:/usr/sbin:/sbin' },
    });
    // Its own entry: a second run changes nothing, --uninstall removes it.
    expect((await setup(home, [], 'darwin', npx)).out).toContain('Nothing to change.');
    await setup(home, ['--uninstall'], 'darwin', npx);
    expect(fs.existsSync(file)).toBe(false);
  });
});

describe('what setup desktop says at the end', () => {
  it('does not say "Done" when a step was left undone', async () => {
    const home = tempDir();
    const file = path.join(home, '.config', 'Claude', 'claude_desktop_config.json');
    write(file, '{ "mcpServers": { "relay": { "command": "my-relay", "args": [] } } }\n');
    const { out, error } = await setup(home, []);
    expect(error?.message).toMatch(/1 step was left undone/);
    expect(out).toContain('left as it is');
    expect(out).not.toContain('Done');
  });

  it('says that Desktop will not see a RELAY_DB set in the shell', async () => {
    const home = tempDir();
    const io = fakeIo({ home, env: { RELAY_DB: path.join(home, 'mine.db') } });
    await run(['desktop'], io, { launcher });
    expect(io.out()).toContain(
      `Note: RELAY_DB is set here (${path.join(home, 'mine.db')}), but Claude Desktop does not see`,
    );
  });
});
