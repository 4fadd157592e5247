// What the person chose in the entry setup replaces is kept: the Python relay's `--sound [NAME]` (Desktop) and
// `--debug`, and setup's own from an earlier run, unless this command line says otherwise (--sound NAME,
// --no-sound, --debug, --no-debug). Each step says what it kept. In-process, temp HOMEs, a fixed launcher.
import fs from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { run } from '../src/cli/setup.js';
import type { Launcher } from '../src/setup/launcher.js';
import type { Runner } from '../src/setup/steps.js';
import { fakeClaude } from './helpers/fake-claude.js';
import { read, write } from './helpers/files.js';
import { fakeIo } from './helpers/io.js';
import { tempDir } from './helpers/temp.js';

const launcher: Launcher = { command: '/usr/bin/node', args: ['/opt/relay/dist/cli.js'], via: 'node' };
const macConfig = (home: string) =>
  path.join(home, 'Library', 'Application Support', 'Claude', 'claude_desktop_config.json');

async function setup(
  home: string,
  args: string[],
  extra: { platform?: NodeJS.Platform; runner?: Runner; env?: Record<string, string>; using?: Launcher } = {},
) {
  const io = fakeIo({ home, platform: extra.platform ?? 'darwin', ...(extra.env ? { env: extra.env } : {}) });
  let error: Error | undefined;
  try {
    await run(args, io, {
      launcher: extra.using ?? launcher,
      execPath: '/usr/bin/node',
      ...(extra.runner ? { runner: extra.runner } : {}),
    });
  } catch (e) {
    error = e as Error;
  }
  return { out: io.out(), error };
}

function withRelay(file: string, relay: unknown): void {
  write(file, JSON.stringify({ mcpServers: { other: { command: 'other-mcp', args: [] }, relay } }, null, 2));
}

const relayArgsIn = (file: string): string[] => JSON.parse(read(file)).mcpServers.relay.args;

describe('setup desktop keeps the old relay’s --sound and --debug', () => {
  it('carries them over from the Python relay, says so, and a second run changes nothing', async () => {
    const home = tempDir();
    const file = macConfig(home);
    withRelay(file, {
      command: 'uvx',
      args: ['mcp-server-relay', '--client', 'desktop', '--sound', 'tink', '--debug'],
    });
    const { out, error } = await setup(home, ['desktop']);
    expect(error).toBeUndefined();
    expect(out).toContain('upgrade the Python relay (mcp-server-relay 1.x)');
    expect(out).toContain('kept --sound tink and --debug from the old relay');
    expect(relayArgsIn(file)).toEqual(['/opt/relay/dist/cli.js', '--client', 'desktop', '--sound', 'tink', '--debug']);
    const again = await setup(home, ['desktop']);
    expect(again.out).toContain('= relay MCP server (Claude Desktop)');
    expect(again.out).toContain('Nothing to change.');
  });

  it('keeps a bare --sound (the platform default) from a clone-run Python relay', async () => {
    const home = tempDir();
    const file = macConfig(home);
    withRelay(file, {
      command: '/Users/me/mcp-relay/.venv/bin/python',
      args: ['/Users/me/mcp-relay/relay_server.py', '--client', 'desktop', '--sound'],
    });
    const { out } = await setup(home, ['desktop']);
    expect(out).toContain('kept --sound from the old relay');
    expect(relayArgsIn(file)).toEqual(['/opt/relay/dist/cli.js', '--client', 'desktop', '--sound']);
  });

  it('lets the command line win: --sound NAME, --no-sound, --no-debug', async () => {
    const home = tempDir();
    const file = macConfig(home);
    const python = { command: 'uvx', args: ['mcp-server-relay', '--client', 'desktop', '--sound', 'tink', '--debug'] };
    withRelay(file, python);
    const glass = await setup(home, ['desktop', '--sound', 'glass']);
    expect(glass.out).toContain('kept --debug from the old relay');
    expect(glass.out).not.toContain('kept --sound');
    expect(relayArgsIn(file)).toEqual(['/opt/relay/dist/cli.js', '--client', 'desktop', '--sound', 'glass', '--debug']);

    withRelay(file, python);
    const quiet = await setup(home, ['desktop', '--no-sound', '--no-debug']);
    expect(quiet.error).toBeUndefined();
    expect(quiet.out).not.toContain('kept');
    expect(relayArgsIn(file)).toEqual(['/opt/relay/dist/cli.js', '--client', 'desktop']);
  });

  it('keeps setup’s own choices when it replaces its entry (relay moved), and --no-sound drops them', async () => {
    const home = tempDir();
    const file = macConfig(home);
    expect((await setup(home, ['desktop', '--sound', 'tink', '--debug'])).error).toBeUndefined();
    expect(relayArgsIn(file)).toEqual(['/opt/relay/dist/cli.js', '--client', 'desktop', '--sound', 'tink', '--debug']);
    const moved: Launcher = { command: '/usr/local/bin/node', args: ['/srv/relay/dist/cli.js'], via: 'node' };
    const { out } = await setup(home, ['desktop'], { using: moved });
    expect(out).toContain('kept --sound tink and --debug from the entry it replaces');
    expect(JSON.parse(read(file)).mcpServers.relay).toEqual({
      command: '/usr/local/bin/node',
      args: ['/srv/relay/dist/cli.js', '--client', 'desktop', '--sound', 'tink', '--debug'],
    });
    await setup(home, ['desktop', '--no-sound'], { using: moved });
    expect(relayArgsIn(file)).toEqual(['/srv/relay/dist/cli.js', '--client', 'desktop', '--debug']);
    // --uninstall still knows every shape it writes.
    await setup(home, ['desktop', '--uninstall'], { using: moved });
    expect(fs.existsSync(file)).toBe(false);
  });

  it('leaves out an old sound this relay cannot play (it would not start), and says why', async () => {
    const home = tempDir();
    const file = macConfig(home);
    withRelay(file, { command: 'uvx', args: ['mcp-server-relay', '--client', 'desktop', '--sound', 'trumpet'] });
    const { out, error } = await setup(home, ['desktop']);
    expect(error).toBeUndefined();
    expect(out).toContain('left out --sound trumpet of the old relay: --sound must be a macOS sound name');
    expect(relayArgsIn(file)).toEqual(['/opt/relay/dist/cli.js', '--client', 'desktop']);
  });

  it('refuses contradictory flags, and --no-sound outside Desktop', async () => {
    const home = tempDir();
    expect((await setup(home, ['desktop', '--sound', 'tink', '--no-sound'])).error?.message).toBe(
      '--sound and --no-sound cannot be used together',
    );
    expect((await setup(home, ['desktop', '--debug', '--no-debug'])).error?.name).toBe('UsageError');
    expect((await setup(home, ['code', '--no-sound'])).error?.message).toMatch(
      /^--no-sound applies to setup desktop only/,
    );
    expect(fs.readdirSync(home)).toEqual([]);
  });
});

describe('setup code and the other clients keep the old relay’s --debug', () => {
  it('keeps --debug in ~/.claude.json, and says why an old --sound is left out (Desktop plays the sounds)', async () => {
    const home = tempDir();
    const file = path.join(home, '.claude.json');
    withRelay(file, { command: 'uvx', args: ['mcp-server-relay', '--client', 'code', '--sound', '--debug'] });
    const { out, error } = await setup(home, ['code'], { platform: 'linux' });
    expect(error).toBeUndefined();
    expect(out).toContain(
      'kept --debug from the old relay; left out --sound of the old relay: Desktop plays the sounds for every side',
    );
    expect(relayArgsIn(file)).toEqual(['/opt/relay/dist/cli.js', '--client', 'code', '--debug']);
    expect((await setup(home, ['code'], { platform: 'linux' })).out).toContain('Nothing to change.');
    await setup(home, ['code', '--uninstall'], { platform: 'linux' });
    expect(JSON.parse(read(file)).mcpServers.relay).toBeUndefined();
  });

  it('passes the kept --debug to `claude mcp add`, and --no-debug wins', async () => {
    const home = tempDir();
    const file = path.join(home, '.claude.json');
    const python = { command: 'uvx', args: ['mcp-server-relay', '--client', 'code', '--debug'] };
    withRelay(file, python);
    const { runner, calls, env } = fakeClaude(home);
    const { out } = await setup(home, ['code'], { platform: 'linux', runner, env });
    expect(out).toContain('claude mcp remove, then claude mcp add; kept --debug from the old relay');
    expect(calls.at(-1)?.join(' ')).toBe(
      'claude mcp add --scope user relay -- /usr/bin/node /opt/relay/dist/cli.js --client code --debug',
    );
    await setup(home, ['code', '--no-debug'], { platform: 'linux', runner, env });
    expect(calls.at(-1)?.slice(-3)).toEqual(['/opt/relay/dist/cli.js', '--client', 'code']);
  });

  it('keeps --debug for Cursor and Codex', async () => {
    const home = tempDir();
    const cursor = path.join(home, '.cursor', 'mcp.json');
    withRelay(cursor, { command: 'uvx', args: ['mcp-server-relay', '--client', 'cursor', '--debug'] });
    expect((await setup(home, ['cursor'], { platform: 'linux' })).out).toContain('kept --debug from the old relay');
    expect(relayArgsIn(cursor)).toEqual(['/opt/relay/dist/cli.js', '--client', 'cursor', '--debug']);

    const codex = path.join(home, '.codex', 'config.toml');
    write(codex, '[mcp_servers.relay]\ncommand = "uvx"\nargs = ["mcp-server-relay", "--client", "codex", "--debug"]\n');
    expect((await setup(home, ['codex'], { platform: 'linux' })).out).toContain('kept --debug from the old relay');
    expect(read(codex)).toContain('"--client", "codex", "--debug"');
  });
});
