// The Claude Desktop extension relay.mcpb, built once per run by scripts/build-mcpb.mjs (from the dist/ that
// `npm test` just built), validated with `mcpb validate` and unpacked with `mcpb unpack` into a temp folder outside
// the clone (so no project node_modules can be reached). One bundle for every platform: no native code, the Node
// range it needs in compatibility, the same bytes from any build. It is started exactly as its manifest's
// mcp_config says (substituted by mcpb's own getMcpConfigForManifest, as Claude Desktop does) under Node 22 and 24,
// and exchanges messages with a relay running from the clone under Node 20 on the same buffer file.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { getMcpConfigForManifest, type McpbManifestAny } from '@anthropic-ai/mcpb';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { FIXED_TIME, zipDirectory } from '../scripts/deterministic-zip.mjs';
import { extensionArgs } from '../src/cli/extension-args.js';
import { fakeBin } from './helpers/fakes.js';
import { repeatPass, requireNode } from './helpers/node-versions.js';
import { ok, run } from './helpers/run.js';
import { body } from './helpers/server.js';
import { cliPath, quietNotifiers, root, startClient, type StartedClient, testEnv } from './helpers/spawn.js';
import { tempDir } from './helpers/temp.js';

const mcpbCli = path.join(root, 'node_modules', '@anthropic-ai', 'mcpb', 'dist', 'cli', 'cli.js');
const buildScript = path.join(root, 'scripts', 'build-mcpb.mjs');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };

const repeated = repeatPass('relay.mcpb (it picks its own Node binaries)');
const node20 = repeated ? null : requireNode(20, 'relay.mcpb against a Node 20 relay from the clone');
const bundleNodes = [22, 24].map((major) => ({
  major,
  node: repeated ? null : requireNode(major, `relay.mcpb under Node ${major}`, '22.13'),
}));

let work: string;
let bundle: string;
let unpacked: string;
let manifest: McpbManifestAny;

const node = (args: string[], timeoutMs = 60_000) =>
  run(process.execPath, args, { cwd: root, env: testEnv(work), timeoutMs });
const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

beforeAll(async () => {
  if (repeated) return;
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'relay-mcpb-'));
  bundle = path.join(work, 'relay.mcpb');
  ok(await node([buildScript, '--out', bundle, '--stage', path.join(work, 'stage')]), 'build-mcpb');
  unpacked = path.join(work, 'unpacked');
  ok(await node([mcpbCli, 'unpack', bundle, unpacked]), 'mcpb unpack');
  manifest = JSON.parse(fs.readFileSync(path.join(unpacked, 'manifest.json'), 'utf8')) as McpbManifestAny;
}, 120_000);

afterAll(() => {
  if (work !== undefined) fs.rmSync(work, { recursive: true, force: true });
});

function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}

/** The central directory of a zip: each entry's name, DOS date/time and Unix mode, in stored order. */
function zipEntries(zip: Buffer): { name: string; date: number; time: number; mode: number; madeBy: number }[] {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const entries = [];
  for (let i = 0; i < count; i++) {
    expect(zip.readUInt32LE(at)).toBe(0x02014b50);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    entries.push({
      madeBy: zip.readUInt8(at + 5),
      time: zip.readUInt16LE(at + 12),
      date: zip.readUInt16LE(at + 14),
      mode: zip.readUInt32LE(at + 38) >>> 16,
      name: zip.toString('utf8', at + 46, at + 46 + nameLength),
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** Machine code a platform would load: ELF, Mach-O (either byte order, fat) or a PE/DLL. */
function isMachineCode(data: Buffer): boolean {
  const magic = data.subarray(0, 4).toString('hex');
  return (
    ['7f454c46', 'cffaedfe', 'cefaedfe', 'feedfacf', 'feedface', 'cafebabe'].includes(magic) || magic.startsWith('4d5a')
  );
}

describe.skipIf(repeated)('relay.mcpb', () => {
  it('passes mcpb validate', async () => {
    const result = ok(await node([mcpbCli, 'validate', path.join(unpacked, 'manifest.json')]), 'mcpb validate');
    expect(result.stdout).toMatch(/valid/i);
  });

  it('declares one bundle for macOS, Windows and Linux on a Node with node:sqlite, its tools, prompts and settings', () => {
    expect(manifest.version).toBe(pkg.version);
    expect(manifest.server).toMatchObject({
      type: 'node',
      entry_point: 'dist/extension.js',
      mcp_config: { command: 'node', args: ['${__dirname}/dist/extension.js', '--client', 'desktop'] },
    });
    expect(manifest.compatibility?.platforms).toEqual(['darwin', 'win32', 'linux']);
    // node:sqlite without a flag: 22.13+ on 22.x, 23.4+ on 23.x, every 24+.
    expect(manifest.compatibility?.runtimes?.node).toBe('^22.13.0 || >=23.4.0');
    // Listed from the server itself at build time, so they are what Desktop will find.
    expect(manifest.tools?.map((t) => t.name)).toEqual(
      expect.arrayContaining([
        'relay_send',
        'relay_fetch',
        'relay_clear',
        'relay_sessions',
        'relay_search',
        'relay_attachment',
      ]),
    );
    expect(manifest.prompts?.map((p) => p.name)).toEqual(expect.arrayContaining(['get', 'status']));
    expect(manifest.user_config).toMatchObject({
      notify: { type: 'boolean', default: true },
      sound: { type: 'string', default: '' },
    });
  });

  it('holds the bundled server and nothing native: no node_modules, no .node file, no machine code', () => {
    const files = filesUnder(unpacked);
    expect(files).toContain('dist/extension.js');
    for (const file of files) {
      expect(file).toMatch(
        /^(dist\/(cli|extension)\.js|dist\/chunks\/[\w-]+\.js|dist\/THIRD_PARTY_LICENSES\.txt|manifest\.json|package\.json|README\.md|LICENSE)$/,
      );
      expect(isMachineCode(fs.readFileSync(path.join(unpacked, file))), file).toBe(false);
    }
    // The check has teeth: this Node binary is machine code.
    expect(isMachineCode(fs.readFileSync(process.execPath))).toBe(true);
  });

  it('is the same file from every build: another stage folder, time zone and umask give the same bytes', async () => {
    const again = path.join(work, 'again.mcpb');
    const shell = 'umask 077 && exec "$0" "$@"';
    const env = { ...testEnv(work), TZ: 'Pacific/Kiritimati' };
    const args = [
      '-c',
      shell,
      process.execPath,
      buildScript,
      '--out',
      again,
      '--stage',
      path.join(work, 'other-stage'),
    ];
    ok(await run('/bin/sh', args, { cwd: work, env, timeoutMs: 60_000 }), 'build-mcpb again');
    expect(sha256(again)).toBe(sha256(bundle));
    // Nothing of the machine that built it: no path of the clone or the staging folder inside.
    for (const file of filesUnder(unpacked)) {
      const text = fs.readFileSync(path.join(unpacked, file), 'latin1');
      expect(text.includes(root), file).toBe(false);
      expect(text.includes(work), file).toBe(false);
    }
  });

  it('stores entries in path order with one fixed time and a mode by rule', () => {
    const entries = zipEntries(fs.readFileSync(bundle));
    const names = entries.map((e) => e.name);
    expect(names).toEqual([...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(names).toEqual(filesUnder(unpacked));
    for (const entry of entries) {
      expect({ date: entry.date, time: entry.time, madeBy: entry.madeBy }).toEqual({
        date: (0 << 9) | (1 << 5) | 1,
        time: 0,
        madeBy: 3,
      });
      const executable = entry.name === 'dist/cli.js' || entry.name === 'dist/extension.js';
      expect(entry.mode.toString(8), entry.name).toBe(executable ? '100755' : '100644');
    }
  });
});

describe.skipIf(repeated || node20 === null)('relay.mcpb on a Node without node:sqlite', () => {
  it('stops with one sentence naming that Node and what to install (built-in Node turned off, Node 20 on PATH)', async () => {
    const home = tempDir();
    const config = await getMcpConfigForManifest({
      manifest,
      extensionPath: unpacked,
      systemDirs: { HOME: home },
      userConfig: {},
      pathSeparator: path.sep,
    });
    const env = { HOME: home, PATH: pathWithNode(node20!.path), ...config!.env };
    const result = await run(config!.command, config!.args ?? [], { cwd: home, env, timeoutMs: 20_000 });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`mcp-relay: relay needs SQLite: Node ${node20!.version} has no built-in SQLite`);
    expect(lines[0]).toContain('Install Node 22.13 or later');
  });
});

describe('the deterministic zip', () => {
  it('depends only on paths and contents, not on creation order, times or modes', () => {
    const files: [string, string][] = [
      ['b/2.txt', 'two'],
      ['a.txt', 'one'],
      ['b/1/deep.js', '#!/usr/bin/env node\n'],
      ['B.txt', 'capital'],
    ];
    const make = (order: [string, string][], mode: number, mtime: Date) => {
      const dir = tempDir('relay-zip-');
      for (const [name, text] of order) {
        fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
        fs.writeFileSync(path.join(dir, name), text, { mode });
        fs.utimesSync(path.join(dir, name), mtime, mtime);
      }
      return Buffer.from(zipDirectory(dir));
    };
    const one = make(files, 0o644, new Date('2020-05-05T12:00:00Z'));
    const two = make([...files].reverse(), 0o600, new Date('2031-01-01T00:00:00Z'));
    expect(two.equals(one)).toBe(true);
    expect(zipEntries(one).map((e) => [e.name, e.mode.toString(8)])).toEqual([
      ['B.txt', '100644'],
      ['a.txt', '100644'],
      ['b/1/deep.js', '100755'],
      ['b/2.txt', '100644'],
    ]);
    expect(FIXED_TIME.getFullYear()).toBe(1980);
    // Different contents do give a different zip.
    expect(make([['a.txt', 'ONE']], 0o644, new Date()).equals(one)).toBe(false);
  });
});

type Started = Pick<StartedClient, 'client' | 'stderr'>;

function startStdio(
  name: string,
  command: string,
  args: string[],
  env: Record<string, string>,
  cwd: string,
): Promise<Started> {
  return startClient({ command, args, env, cwd, client: new Client({ name, version: '0' }) });
}

/** PATH for a child: `node` is the given binary (as Desktop puts its built-in Node), then fakes, then the rest. */
function pathWithNode(nodeBinary: string, ...dirs: string[]): string {
  const bin = tempDir('relay-node-bin-');
  fs.symlinkSync(nodeBinary, path.join(bin, 'node'));
  return [bin, ...dirs, quietNotifiers, process.env.PATH ?? '/usr/bin:/bin'].join(path.delimiter);
}

type Fetched = { messages: { sender: string; from: string; message: string }[] };

describe.skipIf(repeated).each(bundleNodes)('relay.mcpb under Node $major', ({ major, node }) => {
  it.skipIf(node === null || node20 === null)(
    'starts from its own files as mcp_config says and exchanges messages with a Node 20 relay from the clone',
    async () => {
      // A fresh copy for this Node, outside the clone: nothing above it holds a node_modules.
      const extension = path.join(tempDir('relay-extension-'), 'relay');
      fs.cpSync(unpacked, extension, { recursive: true });
      for (let dir = extension; dir !== path.dirname(dir); dir = path.dirname(dir)) {
        expect(fs.existsSync(path.join(dir, 'node_modules')), dir).toBe(false);
      }
      const home = tempDir();
      const config = await getMcpConfigForManifest({
        manifest,
        extensionPath: extension,
        systemDirs: { HOME: home, DOCUMENTS: path.join(home, 'Documents'), DESKTOP: path.join(home, 'Desktop') },
        userConfig: {},
        pathSeparator: path.sep,
      });
      expect(config?.command).toBe('node');
      expect(config?.args).toEqual([path.join(extension, 'dist', 'extension.js'), '--client', 'desktop']);
      expect(config?.env).toEqual({ RELAY_EXTENSION_NOTIFY: 'true', RELAY_EXTENSION_SOUND: '' });

      // Notifications are on (the default): a fake notify-send keeps the real desktop out of it.
      const fakes = fakeBin();
      fakes.add('notify-send');
      const env = { HOME: home, PATH: pathWithNode(node!.path, fakes.bin), ...config!.env };
      const desktop = await startStdio('claude-desktop-stand-in', config!.command, config!.args ?? [], env, home);
      expect(desktop.client.getServerVersion()).toMatchObject({ name: 'relay', version: pkg.version });

      // The clone's relay under Node 20 (better-sqlite3 from the clone's node_modules), on the same ~/.relay_buffer.db.
      const code = await startStdio(
        'code-on-node-20',
        node20!.path,
        [cliPath, '--client', 'code'],
        testEnv(home),
        home,
      );

      const call = async (who: Started, name: string, args: Record<string, unknown>) =>
        body((await who.client.callTool({ name, arguments: args })) as never);
      // The extension notifies (its default) through the platform's notifier, here the fake notify-send, for each
      // message still unread when it looks: so each fetch waits for that message's notice (a fetch first would
      // leave nothing to notify, by design).
      const title = async () => (await fakes.waitFor('notify-send', 1))[0]!.argv.map(String).slice(-2, -1)[0];
      expect(await call(desktop, 'relay_send', { message: `from the extension on Node ${major}` })).toMatchObject({
        ok: true,
      });
      expect(await title()).toBe('New message for Code from Desktop');
      expect(((await call(code, 'relay_fetch', {})) as Fetched).messages).toEqual([
        expect.objectContaining({ sender: 'desktop', message: `from the extension on Node ${major}` }),
      ]);
      expect(await call(code, 'relay_send', { message: 'from Code on Node 20' })).toMatchObject({ ok: true });
      expect(await title()).toMatch(/^New message for Desktop from Code( \(relay-test-\w+\))?$/);
      expect(((await call(desktop, 'relay_fetch', {})) as Fetched).messages).toEqual([
        expect.objectContaining({ sender: 'code', message: 'from Code on Node 20' }),
      ]);
      expect(fs.existsSync(path.join(home, '.relay_buffer.db'))).toBe(true);
      // No warning for Desktop's log (node:sqlite's ExperimentalWarning is silenced), no error.
      expect(desktop.stderr()).not.toMatch(/ExperimentalWarning|Error/);
    },
  );

  it.skipIf(node === null)(
    'hands the settings to the server: notifications off starts, an unknown sound is refused',
    async () => {
      const home = tempDir();
      const env = { HOME: home, PATH: pathWithNode(node!.path) };
      const start = async (userConfig: Record<string, string | boolean>) => {
        const config = await getMcpConfigForManifest({
          manifest,
          extensionPath: unpacked,
          systemDirs: { HOME: home },
          userConfig,
          pathSeparator: path.sep,
        });
        // stdin is closed at once: a server that started exits 0 when its client goes away.
        return run(config!.command, config!.args ?? [], {
          cwd: home,
          env: { ...env, ...config!.env },
          timeoutMs: 20_000,
        });
      };
      const quiet = await start({ notify: false });
      expect(quiet.code, quiet.stderr).toBe(0);
      const badSound = await start({ notify: true, sound: 'no-such-sound' });
      expect(badSound.code).toBe(2);
      expect(badSound.stderr).toMatch(/--sound .*no-such-sound/);
    },
  );
});

describe('extension settings as flags', () => {
  it('adds nothing for the defaults (notifications on, no sound)', () => {
    expect(extensionArgs({ RELAY_EXTENSION_NOTIFY: 'true', RELAY_EXTENSION_SOUND: '' })).toEqual([]);
    expect(extensionArgs({})).toEqual([]);
  });

  it('turns notifications off with --no-notify', () => {
    expect(extensionArgs({ RELAY_EXTENSION_NOTIFY: 'false' })).toEqual(['--no-notify']);
  });

  it('maps the sound: "default" to the platform sound, a name or file as one --sound=VALUE, none/off to nothing', () => {
    expect(extensionArgs({ RELAY_EXTENSION_SOUND: 'default' })).toEqual(['--sound=']);
    expect(extensionArgs({ RELAY_EXTENSION_SOUND: 'Glass' })).toEqual(['--sound=Glass']);
    expect(extensionArgs({ RELAY_EXTENSION_SOUND: '-odd name.wav' })).toEqual(['--sound=-odd name.wav']);
    expect(extensionArgs({ RELAY_EXTENSION_SOUND: ' off ' })).toEqual([]);
    expect(extensionArgs({ RELAY_EXTENSION_SOUND: 'none' })).toEqual([]);
  });
});
