// `mcp-relay setup code` against temp HOMEs that already hold realistic Claude Code files: other MCP servers,
// other SessionStart hooks, tabs and odd spacing, an unparsable file. Run in-process with a fixed launcher.
import fs from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { run } from '../src/cli/setup.js';
import { getCommandText } from '../src/setup/get-command.js';
import { type Launcher, launcherFor, relayArgs, shellJoin, shellSplit } from '../src/setup/launcher.js';
import type { Runner } from '../src/setup/steps.js';
import { fakeClaude } from './helpers/fake-claude.js';
import { read, snapshot, write } from './helpers/files.js';
import { fakeIo } from './helpers/io.js';
import { tempDir } from './helpers/temp.js';

// Stand-ins for what the Python relay's --setup-code wrote, with the features setup recognises them by: a /get that
// calls the seed's tools in the seed's form, and a preview script reading the buffer for Code's unread.
const SEED_GET =
  '# Get Command\n\n**If $ARGUMENTS is empty:** call `relay_fetch(limit=5, reader="code")`\n\n' +
  '**Otherwise:** call `relay_send(message="$ARGUMENTS", sender="code")`\n';
const SEED_PREVIEW =
  '#!/usr/bin/env python3\n# Notify of pending messages (SessionStart hook).\nDB = "~/.relay_buffer.db"\n' +
  'QUERY = "SELECT 1 FROM messages WHERE read_by_code_at IS NULL"\n';

const launcher: Launcher = { command: '/usr/bin/node', args: ['/opt/relay/dist/cli.js'], via: 'node' };
const HOOK = '/usr/bin/node /opt/relay/dist/cli.js preview --for code';

const claudeJson = `{
  "numStartups": 12,
  "theme": "dark",
  "mcpServers": {
    "github": {
      "type": "stdio",
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-github"],
      "env": { "GITHUB_TOKEN": "ghp_example" }
    }
  },
  "projects": {
    "/home/me/project": { "allowedTools": [], "mcpServers": {} }
  }
}
`;

// Tabs, a one-line hook group, other events, and keys after hooks.
const settingsJson = `{
\t"model": "opus",
\t"hooks": {
\t\t"SessionStart": [{"matcher": "startup", "hooks": [{"type": "command", "command": "~/bin/greet.sh"}]}],
\t\t"PreToolUse": [
\t\t\t{ "matcher": "Bash", "hooks": [ { "type": "command", "command": "~/bin/guard.sh", "timeout": 5 } ] }
\t\t]
\t},
\t"permissions": { "allow": ["Bash(npm test)"] }
}`;

function home(files: Record<string, string> = {}): string {
  const dir = tempDir();
  write(path.join(dir, '.claude.json'), claudeJson, 0o600);
  write(path.join(dir, '.claude', 'settings.json'), settingsJson);
  write(path.join(dir, '.claude', 'commands', 'review.md'), 'Review the staged diff.\n');
  for (const [name, text] of Object.entries(files)) write(path.join(dir, name), text);
  return dir;
}

async function setup(
  dir: string,
  args: string[],
  extra: { runner?: Runner; env?: Record<string, string>; cwd?: string } = {},
) {
  const io = fakeIo({ home: dir, ...(extra.env ? { env: extra.env } : {}), ...(extra.cwd ? { cwd: extra.cwd } : {}) });
  let error: unknown;
  try {
    await run(args, io, { launcher, ...(extra.runner ? { runner: extra.runner } : {}) });
  } catch (e) {
    error = e;
  }
  return { out: io.out(), error: error as Error | undefined };
}

const backups = (dir: string) =>
  Object.keys(snapshot(dir))
    .filter((f) => f.includes('.bak-'))
    .sort();

describe('setup code --scope user without claude on PATH', () => {
  it('merges into ~/.claude.json and settings.json, installs /get, loses nothing, and backs up what it changed', async () => {
    const dir = home();
    const { out, error } = await setup(dir, ['code']);
    expect(error).toBeUndefined();
    const config = JSON.parse(read(path.join(dir, '.claude.json')));
    expect(config.mcpServers.relay).toEqual({
      type: 'stdio',
      command: '/usr/bin/node',
      args: ['/opt/relay/dist/cli.js', '--client', 'code'],
      env: {},
    });
    const { relay: _relay, ...others } = config.mcpServers;
    expect({ ...config, mcpServers: others }).toEqual(JSON.parse(claudeJson));
    expect(fs.statSync(path.join(dir, '.claude.json')).mode & 0o777).toBe(0o600);

    const settings = JSON.parse(read(path.join(dir, '.claude', 'settings.json')));
    expect(settings.hooks.SessionStart).toEqual([
      { matcher: 'startup', hooks: [{ type: 'command', command: '~/bin/greet.sh' }] },
      { matcher: 'startup|resume|clear', hooks: [{ type: 'command', command: HOOK }] },
    ]);
    expect(settings.hooks.PreToolUse).toEqual(JSON.parse(settingsJson).hooks.PreToolUse);
    expect(Object.keys(settings)).toEqual(['model', 'hooks', 'permissions']);
    // The file's own formatting stays: tabs, and the untouched one-line group.
    expect(read(path.join(dir, '.claude', 'settings.json'))).toContain(
      '\t\t"SessionStart": [{"matcher": "startup", "hooks": [{"type": "command", "command": "~/bin/greet.sh"}]}, {',
    );

    expect(read(path.join(dir, '.claude', 'commands', 'get.md'))).toBe(getCommandText());
    expect(read(path.join(dir, '.claude', 'commands', 'review.md'))).toBe('Review the staged diff.\n');
    expect(backups(dir)).toEqual(['.claude.json.bak-20261125-093000', '.claude/settings.json.bak-20261125-093000']);
    expect(read(path.join(dir, '.claude.json.bak-20261125-093000'))).toBe(claudeJson);
    expect(read(path.join(dir, '.claude', 'settings.json.bak-20261125-093000'))).toBe(settingsJson);
    expect(out).toContain('backup: ');
  });

  it('changes nothing and makes no backup on a second run', async () => {
    const dir = home();
    await setup(dir, ['code']);
    const before = snapshot(dir);
    const { out, error } = await setup(dir, ['code']);
    expect(error).toBeUndefined();
    expect(snapshot(dir)).toEqual(before);
    expect(out).toContain('Nothing to change.');
  });

  it('--dry-run prints the diffs and writes nothing', async () => {
    const dir = home();
    const before = snapshot(dir);
    const { out, error } = await setup(dir, ['code', '--dry-run']);
    expect(error).toBeUndefined();
    expect(snapshot(dir)).toEqual(before);
    expect(out).toMatch(/^Dry run, nothing written/);
    expect(out).toContain(`+++ ${path.join(dir, '.claude', 'settings.json')}`);
    expect(out).toContain(`{"matcher":"startup|resume|clear","hooks":[{"type":"command","command":"${HOOK}"}]}`);
    expect(out).toContain('+allowed-tools: mcp__relay__relay_fetch');
  });

  it('--uninstall restores the other files byte for byte and deletes its own /get', async () => {
    const dir = home();
    await setup(dir, ['code']);
    const { error } = await setup(dir, ['code', '--uninstall']);
    expect(error).toBeUndefined();
    expect(read(path.join(dir, '.claude.json'))).toBe(claudeJson);
    expect(read(path.join(dir, '.claude', 'settings.json'))).toBe(settingsJson);
    expect(fs.existsSync(path.join(dir, '.claude', 'commands', 'get.md'))).toBe(false);
    expect(read(path.join(dir, '.claude', 'commands', 'review.md'))).toBe('Review the staged diff.\n');
    const again = await setup(dir, ['code', '--uninstall']);
    expect(again.out).toContain('= relay MCP server (user scope)');
  });

  it('creates the files in an empty HOME, and --uninstall removes them again', async () => {
    const dir = tempDir();
    await setup(dir, ['code']);
    expect(Object.keys(snapshot(dir)).sort()).toEqual([
      '.claude.json',
      '.claude/commands/get.md',
      '.claude/settings.json',
    ]);
    expect(fs.statSync(path.join(dir, '.claude.json')).mode & 0o777).toBe(0o600);
    await setup(dir, ['code', '--uninstall']);
    // Only the backups of the files it had created are left.
    expect(Object.keys(snapshot(dir)).every((f) => f.includes('.bak-'))).toBe(true);
  });

  it('refuses an unparsable settings.json, naming it, and writes nothing at all', async () => {
    const dir = home({ '.claude/settings.json': '{\n  "model": "opus",\n  "hooks": {\n' });
    const before = snapshot(dir);
    const { error } = await setup(dir, ['code']);
    expect(error?.name).toBe('UserError');
    expect(error?.message).toBe(
      `${path.join(dir, '.claude', 'settings.json')} is not valid JSON (${jsonError('{\n  "model": "opus",\n  "hooks": {\n')}); ` +
        'it was left untouched: fix it or move it away, then run setup again.',
    );
    expect(snapshot(dir)).toEqual(before);
  });

  it('upgrades the Python relay without --force: its server entry, hook, /get and script, each backed up', async () => {
    const python = claudeJson.replace(
      '"mcpServers": {',
      '"mcpServers": {\n    "relay": { "command": "uvx", "args": ["mcp-server-relay", "--client", "code"] },',
    );
    // What the Python relay's --setup-code wrote: its hook replaced the whole SessionStart list.
    const oldSettings = JSON.stringify(
      {
        model: 'opus',
        hooks: {
          SessionStart: [
            { hooks: [{ type: 'command', command: 'python3 /home/me/.claude/scripts/relay-preview.py' }] },
          ],
        },
      },
      null,
      2,
    );
    const dir = home({
      '.claude.json': python,
      '.claude/settings.json': oldSettings,
      '.claude/commands/get.md': SEED_GET,
      '.claude/scripts/relay-preview.py': SEED_PREVIEW,
    });
    const { out, error } = await setup(dir, ['code']);
    expect(error).toBeUndefined();
    expect(out).toContain('upgrade the Python relay (mcp-server-relay 1.x): replace mcpServers.relay');
    expect(out).toContain("replacing the Python relay (mcp-server-relay 1.x)'s python3 relay-preview.py hook");
    expect(out).toContain("upgrade the Python relay (mcp-server-relay 1.x)'s /get");
    expect(JSON.parse(read(path.join(dir, '.claude.json'))).mcpServers.relay.command).toBe('/usr/bin/node');
    const settings = JSON.parse(read(path.join(dir, '.claude', 'settings.json')));
    expect(settings).toEqual({
      model: 'opus',
      hooks: { SessionStart: [{ matcher: 'startup|resume|clear', hooks: [{ type: 'command', command: HOOK }] }] },
    });
    expect(read(path.join(dir, '.claude', 'commands', 'get.md'))).toBe(getCommandText());
    expect(fs.existsSync(path.join(dir, '.claude', 'scripts', 'relay-preview.py'))).toBe(false);
    // Every original is kept.
    expect(backups(dir)).toEqual([
      '.claude.json.bak-20261125-093000',
      '.claude/commands/get.md.bak-20261125-093000',
      '.claude/scripts/relay-preview.py.bak-20261125-093000',
      '.claude/settings.json.bak-20261125-093000',
    ]);
    expect(read(path.join(dir, '.claude.json.bak-20261125-093000'))).toBe(python);
    expect(read(path.join(dir, '.claude', 'settings.json.bak-20261125-093000'))).toBe(oldSettings);
    // And a second run has nothing left to do.
    expect((await setup(dir, ['code'])).out).toContain('Nothing to change.');
  });

  it("on Windows, takes the Python relay's Code files out of Claude Desktop's folder, where its setup put them", async () => {
    const dir = home();
    const appData = path.join(dir, 'AppData', 'Roaming');
    const desktopDir = path.join(appData, 'Claude');
    write(path.join(desktopDir, 'commands', 'get.md'), SEED_GET);
    write(path.join(desktopDir, 'scripts', 'relay-preview.py'), SEED_PREVIEW);
    const hook = `python3 ${path.join(desktopDir, 'scripts', 'relay-preview.py')}`;
    write(
      path.join(desktopDir, 'settings.json'),
      JSON.stringify({ hooks: { SessionStart: [{ hooks: [{ type: 'command', command: hook }] }] } }),
    );
    write(path.join(desktopDir, 'claude_desktop_config.json'), '{ "mcpServers": {} }\n');
    const io = fakeIo({ home: dir, platform: 'win32', env: { APPDATA: appData } });
    await run(['code'], io, { launcher });
    expect(io.out()).toContain("the Python relay (mcp-server-relay 1.x)'s hook in Claude Desktop's folder");
    expect(fs.existsSync(path.join(desktopDir, 'commands', 'get.md'))).toBe(false);
    expect(fs.existsSync(path.join(desktopDir, 'scripts', 'relay-preview.py'))).toBe(false);
    expect(fs.existsSync(path.join(desktopDir, 'settings.json'))).toBe(false);
    expect(read(path.join(desktopDir, 'claude_desktop_config.json'))).toBe('{ "mcpServers": {} }\n');
    expect(backups(dir).filter((f) => f.startsWith('AppData'))).toHaveLength(3);
    // Claude Code's own files went where Claude Code reads them.
    expect(read(path.join(dir, '.claude', 'commands', 'get.md'))).toBe(getCommandText());
  });

  it('recognises the Python relay however it was started, and only that', async () => {
    const { isPythonRelayEntry, isPythonGetCommand, isPythonPreviewHook } = await import('../src/setup/legacy.js');
    for (const entry of [
      { command: 'uvx', args: ['mcp-server-relay', '--client', 'desktop', '--sound'] },
      { command: '/Users/me/.local/bin/uvx', args: ['mcp-server-relay==1.2.4', '--client', 'code'] },
      { command: 'uvx', args: ['--from', 'mcp-server-relay', 'mcp-server-relay', '--client', 'code'] },
      {
        command: '/path/to/mcp-relay/.venv/bin/python',
        args: ['/path/to/mcp-relay/relay_server.py', '--client', 'code'],
      },
      { command: 'C:\\relay\\.venv\\Scripts\\python.exe', args: ['C:\\relay\\relay_server.py', '--client', 'desktop'] },
      { command: 'python3', args: ['-m', 'relay_server'] },
      { command: '/home/me/.venv/bin/mcp-server-relay', args: ['--client', 'code'] },
      { command: 'pipx', args: ['run', 'mcp-server-relay', '--client', 'code'] },
      { command: 'uvx mcp-server-relay --client code' },
    ]) {
      expect(isPythonRelayEntry(entry), JSON.stringify(entry)).toBe(true);
    }
    for (const entry of [
      { command: 'npx', args: ['-y', 'mcp-server-relay', '--client', 'code'] },
      { command: '/usr/bin/node', args: ['/opt/relay/dist/cli.js', '--client', 'code'] },
      { command: 'uvx', args: ['some-other-server'] },
      { command: 'python3', args: ['server.py'] },
      { command: '/usr/local/bin/mcp-server-relay', args: ['--client', 'code'] },
    ]) {
      expect(isPythonRelayEntry(entry), JSON.stringify(entry)).toBe(false);
    }
    expect(isPythonPreviewHook('python3 /home/me/.claude/scripts/relay-preview.py')).toBe(true);
    expect(
      isPythonPreviewHook(
        '"C:\\Python\\python.exe" "C:\\Users\\me\\AppData\\Roaming\\Claude\\scripts\\relay-preview.py"',
      ),
    ).toBe(true);
    expect(isPythonPreviewHook('~/bin/greet.sh')).toBe(false);
    expect(isPythonGetCommand(SEED_GET)).toBe(true);
    expect(isPythonGetCommand(SEED_GET.replace(/\n/g, '\r\n'))).toBe(true);
    expect(isPythonGetCommand(getCommandText())).toBe(false);
    expect(isPythonGetCommand('Review the staged diff.\n')).toBe(false);
  });

  it("upgrades the Python relay in this project's .mcp.json too (Claude Code prefers it to the user scope)", async () => {
    const dir = home();
    const project = path.join(dir, 'work', 'app');
    const old =
      '{\n  "mcpServers": {\n    "relay": { "command": "uvx", "args": ["mcp-server-relay", "--client", "code"] },\n' +
      '    "pg": { "command": "pg-mcp" }\n  }\n}\n';
    write(path.join(project, '.mcp.json'), old);
    const { out, error } = await setup(dir, ['code'], { cwd: project });
    expect(error).toBeUndefined();
    expect(out).toContain('~ the Python relay (mcp-server-relay 1.x) (project scope): upgrade');
    expect(JSON.parse(read(path.join(project, '.mcp.json'))).mcpServers).toEqual({
      relay: { command: '/usr/bin/node', args: ['/opt/relay/dist/cli.js', '--client', 'code'] },
      pg: { command: 'pg-mcp' },
    });
    expect(read(`${path.join(project, '.mcp.json')}.bak-20261125-093000`)).toBe(old);
  });

  it("leaves a relay entry that is neither its own nor the Python relay's unless --force", async () => {
    const other = claudeJson.replace(
      '"mcpServers": {',
      '"mcpServers": {\n    "relay": { "command": "my-relay", "args": [] },',
    );
    const dir = home({ '.claude.json': other });
    const first = await setup(dir, ['code']);
    expect(first.error?.message).toMatch(/1 step was left undone/);
    expect(first.out).toContain('! relay MCP server (user scope): mcpServers.relay in');
    expect(read(path.join(dir, '.claude.json'))).toBe(other);
    expect(fs.existsSync(path.join(dir, '.claude', 'commands', 'get.md'))).toBe(true);
    const forced = await setup(dir, ['code', '--force']);
    expect(forced.error).toBeUndefined();
    expect(JSON.parse(read(path.join(dir, '.claude.json'))).mcpServers.relay.command).toBe('/usr/bin/node');
  });

  it('updates its own entries in place when relay moved, without duplicating the hook', async () => {
    const dir = home();
    const old: Launcher = { command: '/usr/local/bin/node', args: ['/old/clone/dist/cli.js'], via: 'node' };
    await run(['code'], fakeIo({ home: dir }), { launcher: old });
    const { out } = await setup(dir, ['code']);
    expect(out).toContain('~ relay MCP server (user scope): replace mcpServers.relay');
    expect(out).toContain('~ SessionStart hook: update the preview hook');
    const settings = JSON.parse(read(path.join(dir, '.claude', 'settings.json')));
    expect(settings.hooks.SessionStart).toHaveLength(2);
    expect(settings.hooks.SessionStart[1].hooks[0].command).toBe(HOOK);
  });

  it('keeps a /get the user wrote or edited, and reports it', async () => {
    const dir = home({ '.claude/commands/get.md': 'My own get.\n' });
    const mine = await setup(dir, ['code']);
    expect(mine.error?.message).toMatch(/left undone/);
    expect(mine.out).toContain("exists and is not relay's");
    expect(read(path.join(dir, '.claude', 'commands', 'get.md'))).toBe('My own get.\n');

    const other = home();
    await setup(other, ['code']);
    const file = path.join(other, '.claude', 'commands', 'get.md');
    fs.writeFileSync(file, read(file).replace('Relay request', 'My relay request'));
    const removed = await setup(other, ['code', '--uninstall']);
    expect(removed.out).toContain('was edited after setup; left in place');
    expect(read(file)).toContain('My relay request');
  });

  it('keeps a hook the user edited (e.g. added a timeout) on uninstall unless --force', async () => {
    const dir = home();
    await setup(dir, ['code']);
    const file = path.join(dir, '.claude', 'settings.json');
    const edited = JSON.parse(read(file));
    edited.hooks.SessionStart[1].hooks[0].timeout = 10;
    fs.writeFileSync(file, JSON.stringify(edited, null, '\t'));
    const kept = await setup(dir, ['code', '--uninstall']);
    expect(kept.out).toContain('the relay hook in');
    expect(JSON.parse(read(file)).hooks.SessionStart).toHaveLength(2);
    await setup(dir, ['code', '--uninstall', '--force']);
    expect(JSON.parse(read(file)).hooks.SessionStart).toHaveLength(1);
  });

  it('prints the steps as JSON with --json', async () => {
    const dir = home();
    const { out } = await setup(dir, ['code', '--json']);
    const report = JSON.parse(out) as {
      ok: boolean;
      dryRun: boolean;
      steps: { what: string; status: string; backup?: string }[];
    };
    expect(report.ok).toBe(true);
    expect(report.dryRun).toBe(false);
    expect(report.steps.map((s) => [s.what, s.status])).toEqual([
      ['relay MCP server (user scope)', 'update'],
      ['/get command', 'create'],
      ['SessionStart hook', 'update'],
    ]);
    expect(report.steps[2]!.backup).toMatch(/settings\.json\.bak-/);
  });

  it('honours CLAUDE_CONFIG_DIR as Claude Code does', async () => {
    const dir = tempDir();
    const config = path.join(dir, 'cfg');
    await setup(dir, ['code'], { env: { CLAUDE_CONFIG_DIR: config } });
    expect(Object.keys(snapshot(dir)).sort()).toEqual(['cfg/.claude.json', 'cfg/commands/get.md', 'cfg/settings.json']);
  });
});

describe('setup code --scope user with claude on PATH', () => {
  it('registers through `claude mcp add`, is idempotent, and removes through `claude mcp remove`', async () => {
    const dir = home();
    const claude = fakeClaude(dir);
    const first = await setup(dir, ['code'], claude);
    expect(first.error).toBeUndefined();
    expect(claude.calls).toEqual([
      [
        'claude',
        'mcp',
        'add',
        '--scope',
        'user',
        'relay',
        '--',
        '/usr/bin/node',
        '/opt/relay/dist/cli.js',
        '--client',
        'code',
      ],
    ]);
    expect(first.out).toContain(
      'run: claude mcp add --scope user relay -- /usr/bin/node /opt/relay/dist/cli.js --client code',
    );
    await setup(dir, ['code'], claude);
    expect(claude.calls).toHaveLength(1);
    await setup(dir, ['code', '--uninstall'], claude);
    expect(claude.calls[1]).toEqual(['claude', 'mcp', 'remove', '--scope', 'user', 'relay']);
  });

  it('--dry-run says what it would run and runs nothing', async () => {
    const dir = home();
    const claude = fakeClaude(dir);
    const { out } = await setup(dir, ['code', '--dry-run'], claude);
    expect(claude.calls).toEqual([]);
    expect(out).toContain(`would run: ${path.join(dir, 'bin', 'claude')} mcp add --scope user relay --`);
  });

  it('reports a failing claude as an error', async () => {
    const dir = home();
    const claude = fakeClaude(dir);
    const { error } = await setup(dir, ['code'], {
      ...claude,
      runner: () => ({ code: 1, stdout: '', stderr: 'boom' }),
    });
    expect(error?.message).toMatch(/mcp add --scope user relay .* failed \(exit 1\): boom/);
  });
});

describe('setup code --scope project', () => {
  it('merges .mcp.json in the current directory, and uninstall restores it', async () => {
    const dir = home();
    const project = path.join(dir, 'work', 'app');
    const mcpJson = '{\n  "mcpServers": {\n    "postgres": { "command": "pg-mcp", "args": [] }\n  }\n}\n';
    write(path.join(project, '.mcp.json'), mcpJson);
    await setup(dir, ['code', '--scope', 'project'], { cwd: project });
    expect(JSON.parse(read(path.join(project, '.mcp.json'))).mcpServers).toEqual({
      postgres: { command: 'pg-mcp', args: [] },
      relay: { command: '/usr/bin/node', args: ['/opt/relay/dist/cli.js', '--client', 'code'] },
    });
    expect(read(path.join(dir, '.claude.json'))).toBe(claudeJson);
    await setup(dir, ['code', '--scope', 'project', '--uninstall'], { cwd: project });
    expect(read(path.join(project, '.mcp.json'))).toBe(mcpJson);
  });

  it('creates .mcp.json when missing and deletes it again on uninstall', async () => {
    const dir = home();
    const project = path.join(dir, 'fresh');
    fs.mkdirSync(project);
    await setup(dir, ['code', '--scope', 'project'], { cwd: project });
    expect(fs.existsSync(path.join(project, '.mcp.json'))).toBe(true);
    await setup(dir, ['code', '--scope', 'project', '--uninstall'], { cwd: project });
    expect(fs.readdirSync(project).filter((f) => !f.includes('.bak-'))).toEqual([]);
  });

  it('rejects bad flags as usage errors', async () => {
    const dir = home();
    expect((await setup(dir, ['code', '--scope', 'global'])).error?.message).toBe(
      "--scope must be one of: user, project (got 'global')",
    );
    expect((await setup(dir, [])).error?.name).toBe('UsageError');
    expect((await setup(dir, ['code', '--sound'])).error?.name).toBe('UsageError');
  });
});

describe('the command setup registers', () => {
  it('is npx from an npx cache, else the absolute node and dist/cli.js', () => {
    const cache = '/home/me/.npm/_npx/1a2b3c/node_modules/mcp-server-relay/dist/cli.js';
    // The npx beside the node that runs setup, by its absolute path: GUI apps start it without a shell's PATH.
    const beside = (file: string) => file === '/opt/node/bin/npx' || file === 'C:\\node\\npx.cmd';
    expect(launcherFor(cache, '/opt/node/bin/node', 'linux', beside)).toEqual({
      command: '/opt/node/bin/npx',
      args: ['-y', 'mcp-server-relay'],
      via: 'npx',
    });
    expect(launcherFor(cache, '/elsewhere/node', 'linux', beside)).toMatchObject({ command: 'npx' });
    expect(launcherFor(cache.replace(/\//g, '\\'), 'C:\\node\\node.exe', 'win32', beside)).toMatchObject({
      command: 'cmd',
      args: ['/c', 'C:\\node\\npx.cmd', '-y', 'mcp-server-relay'],
    });
    expect(launcherFor('/home/me/src/relay/dist/cli.js', '/usr/bin/node', 'linux')).toEqual({
      command: '/usr/bin/node',
      args: ['/home/me/src/relay/dist/cli.js'],
      via: 'node',
    });
  });

  it('writes the npx form into the hook when run from npx', async () => {
    const dir = home();
    const npx = launcherFor(
      '/x/_npx/y/node_modules/mcp-server-relay/dist/cli.js',
      '/opt/node/bin/node',
      'linux',
      () => true,
    );
    await run(['code'], fakeIo({ home: dir }), { launcher: npx });
    const settings = JSON.parse(read(path.join(dir, '.claude', 'settings.json')));
    expect(settings.hooks.SessionStart[1].hooks[0].command).toBe(
      '/opt/node/bin/npx -y mcp-server-relay preview --for code',
    );
    expect(JSON.parse(read(path.join(dir, '.claude.json'))).mcpServers.relay).toMatchObject({
      command: '/opt/node/bin/npx',
      args: ['-y', 'mcp-server-relay', '--client', 'code'],
    });
  });

  it('quotes paths with spaces for the hook and recognises them again', () => {
    const line = shellJoin(
      ['/Applications/My Node/node', "/Users/o'neil/relay/dist/cli.js", 'preview', '--for', 'code'],
      'darwin',
    );
    expect(line).toBe(`'/Applications/My Node/node' '/Users/o'\\''neil/relay/dist/cli.js' preview --for code`);
    const words = shellSplit(line)!;
    expect(words[1]).toBe("/Users/o'neil/relay/dist/cli.js");
    expect(relayArgs(words[0]!, words.slice(1))).toEqual(['preview', '--for', 'code']);
    expect(shellSplit('node x; rm -rf ~')).toBeNull();
    expect(relayArgs('uvx', ['mcp-server-relay', '--client', 'code'])).toBeNull();
  });
});

function jsonError(text: string): string {
  try {
    JSON.parse(text);
  } catch (error) {
    return (error as Error).message;
  }
  return '';
}
