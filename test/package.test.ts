// The npm package as users get it: `npm pack` once per run (of the dist/ that `npm test` just built), what the
// tarball holds, `npx mcp-server-relay` installed from it into a temp npm cache and driven by a real MCP client
// (on Node 20 with better-sqlite3; on Node 22.13+ where better-sqlite3 cannot be built, and with --omit=optional),
// `npm publish --dry-run`, and server.json (the MCP registry entry) checked against the registry's 2025-12-11
// format. Nothing here touches the real home directory or npm cache.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { Ajv } from 'ajv';
import ajvFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';

import { type NodeBinary, repeatPass, requireNode } from './helpers/node-versions.js';
import { ok, run } from './helpers/run.js';
import { body } from './helpers/server.js';
import { root, testEnv } from './helpers/spawn.js';
import { tempDir } from './helpers/temp.js';

interface PackageJson {
  name: string;
  version: string;
  mcpName: string;
  description: string;
  keywords: string[];
  license: string;
  repository: { type: string; url: string };
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  bin: Record<string, string>;
}

const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as PackageJson;
const sqliteVersion = (
  JSON.parse(fs.readFileSync(path.join(root, 'node_modules', 'better-sqlite3', 'package.json'), 'utf8')) as {
    version: string;
  }
).version;

/** One folder for the whole file: the tarball, a prebuilt better-sqlite3 and the npm cache npx installs into. */
let work: string;
let tarball: string;
let packedFiles: string[];
let npmEnv: Record<string, string>;
let prebuilds: string;

const repeated = repeatPass('the npm tarball installs (they pick their own Node binaries)');
const node20 = repeated ? null : requireNode(20, 'the tarball on Node 20 with better-sqlite3');
/** The tests without better-sqlite3: the build failure under Node 22 (22.13+), --omit=optional under Node 24. */
const node22 = repeated
  ? null
  : requireNode(22, 'the tarball on Node 22 where better-sqlite3 cannot be built', '22.13');
const node24 = repeated ? null : requireNode(24, 'the tarball on Node 24 installed with --omit=optional');

async function nodeAbi(node: NodeBinary): Promise<string> {
  const result = ok(
    await run(node.path, ['-p', 'process.versions.modules'], { cwd: root, env: npmEnv, timeoutMs: 20_000 }),
    'node -p',
  );
  return result.stdout.trim();
}

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'relay-package-'));
  const home = path.join(work, 'home');
  fs.mkdirSync(home);
  npmEnv = testEnv(home, {
    npm_config_cache: path.join(work, 'npm-cache'),
    // better-sqlite3 compiles against the Node headers when no prebuilt binary is found (the README's advice).
    npm_config_nodedir: '/usr',
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
    // The machine's extra trusted CAs (a TLS-inspecting proxy's, say): Debian's Node reads the system store, the
    // pinned Node 22/24 builds only this variable.
    ...(process.env.NODE_EXTRA_CA_CERTS === undefined ? {} : { NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS }),
  });
  // --ignore-scripts: `npm test` has just built dist/; prepare would only build it again.
  const packed = ok(
    await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], {
      cwd: root,
      env: npmEnv,
      timeoutMs: 60_000,
    }),
    'npm pack',
  );
  const [info] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
  tarball = path.join(work, info!.filename);
  packedFiles = info!.files.map((f) => f.path).sort();

  // Users on linux-x64 get better-sqlite3's prebuilt binary downloaded by its install script (prebuild-install).
  // This machine has no route to where those live, so the same install step is fed the binary this checkout
  // compiled, through prebuild-install's own "local prebuilds" option. With another better-sqlite3 version it
  // would compile from source instead (about a minute here), as it does for users without a prebuilt binary.
  prebuilds = path.join(work, 'prebuilds');
  const staged = path.join(work, 'prebuild-stage', 'build', 'Release');
  fs.mkdirSync(staged, { recursive: true });
  fs.mkdirSync(prebuilds);
  fs.copyFileSync(
    path.join(root, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'),
    path.join(staged, 'better_sqlite3.node'),
  );
  // Built for the ABI of the Node 20 that the test with better-sqlite3 runs on (the Node this checkout built it for).
  const abi = node20 === null ? process.versions.modules : await nodeAbi(node20);
  const name = `better-sqlite3-v${sqliteVersion}-node-v${abi}-${process.platform}-${process.arch}.tar.gz`;
  ok(
    await run('tar', ['-czf', path.join(prebuilds, name), '-C', path.join(work, 'prebuild-stage'), 'build'], {
      cwd: work,
      env: npmEnv,
      timeoutMs: 30_000,
    }),
    'tar',
  );
}, 120_000);

afterAll(() => {
  if (work !== undefined) fs.rmSync(work, { recursive: true, force: true });
});

describe('npm pack', () => {
  it('holds only what runs: dist, README, LICENSE and package.json', () => {
    expect(packedFiles).toContain('dist/cli.js');
    expect(packedFiles).toContain('dist/extension.js');
    for (const file of packedFiles) {
      expect(file).toMatch(
        // The Claude Code plugin's files too: the package is the plugin (docs/claude-code.md).
        /^(dist\/(cli|extension)\.js|dist\/chunks\/[\w-]+\.js|dist\/THIRD_PARTY_LICENSES\.txt|README\.md|LICENSE|package\.json|\.claude-plugin\/plugin\.json|plugin\/(commands\/get\.md|hooks\.json))$/,
      );
    }
    // The bin entry is one bundled file plus chunks: nothing from src/ or node_modules is needed but the dependencies.
    const cli = fs.readFileSync(path.join(root, 'dist', 'cli.js'), 'utf8');
    expect(cli.startsWith('#!/usr/bin/env node\n')).toBe(true);
    // better-sqlite3 is optional: Node 22.13+ runs on node:sqlite, and an install where it cannot be built succeeds.
    expect(pkg.dependencies ?? {}).toEqual({});
    expect(Object.keys(pkg.optionalDependencies ?? {})).toEqual(['better-sqlite3']);
  });

  it('has the metadata the registries need', () => {
    expect(pkg.description.length).toBeGreaterThan(20);
    expect(pkg.keywords).toEqual(expect.arrayContaining(['mcp', 'claude', 'relay']));
    expect(pkg.license).toBe('MIT');
    expect(fs.readFileSync(path.join(root, 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
    expect(pkg.repository.url).toMatch(/^git\+https:\/\/github\.com\/[\w.-]+\/[\w.-]+\.git$/);
    expect(pkg.mcpName).toMatch(/^io\.github\.[\w-]+\/[\w.-]+$/);
    expect(pkg.bin).toEqual({ 'mcp-relay': 'dist/cli.js', 'mcp-server-relay': 'dist/cli.js' });
  });

  it('passes npm publish --dry-run', async () => {
    const result = ok(
      await run('npm', ['publish', '--dry-run', '--ignore-scripts'], { cwd: root, env: npmEnv, timeoutMs: 60_000 }),
      'npm publish --dry-run',
    );
    expect(result.stdout).toContain(`+ ${pkg.name}@${pkg.version}`);
  });
});

/** npm and npx run by `node` (they start with `#!/usr/bin/env node`): that binary's folder goes first on PATH. */
function envFor(node: NodeBinary, extra: Record<string, string> = {}): Record<string, string> {
  return { ...npmEnv, PATH: `${path.dirname(node.path)}${path.delimiter}${npmEnv.PATH}`, ...extra };
}

/** Starts `command args` for a real MCP client, as `client`; closed when the test ends. */
async function startClient(
  label: string,
  command: string,
  args: string[],
  env: Record<string, string>,
): Promise<Client> {
  const transport = new StdioClientTransport({ command, args, cwd: work, env, stderr: 'pipe' });
  let stderr = '';
  transport.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const mcp = new Client({ name: `tarball-${label}`, version: '0' });
  onTestFinished(async () => {
    await mcp.close().catch(() => {});
  });
  await mcp.connect(transport).catch((error: unknown) => {
    throw new Error(`${label} did not start: ${String(error)}\n${stderr}`, { cause: error });
  });
  return mcp;
}

/** Desktop sends, Code fetches it: both sessions started by `start` on one temp HOME. */
async function exchange(start: (client: string, home: string) => Promise<Client>, text: string): Promise<void> {
  const home = tempDir();
  const desktop = await start('desktop', home);
  const code = await start('code', home);
  expect(code.getServerVersion()).toMatchObject({ name: 'relay', version: pkg.version });
  expect(body((await desktop.callTool({ name: 'relay_send', arguments: { message: text } })) as never)).toMatchObject({
    ok: true,
  });
  const got = body((await code.callTool({ name: 'relay_fetch', arguments: {} })) as never) as {
    messages: { sender: string; message: string }[];
  };
  expect(got.messages).toEqual([expect.objectContaining({ sender: 'desktop', message: text })]);
  expect(fs.existsSync(path.join(home, '.relay_buffer.db'))).toBe(true);
}

/** The folders npx installed packages into (one per package set) under the test's npm cache. */
function npxInstalls(): string[] {
  const dir = path.join(work, 'npm-cache', '_npx');
  return fs.existsSync(dir) ? fs.readdirSync(dir).map((d) => path.join(dir, d, 'node_modules')) : [];
}

describe.skipIf(repeated)('npx mcp-server-relay from the packed tarball', () => {
  it.skipIf(node20 === null)(
    'on Node 20: installs with better-sqlite3, starts over stdio for a real MCP client, sends and fetches',
    async () => {
      // Installed first on its own, with a generous limit (a compile from source takes about a minute here) and
      // better-sqlite3 pinned to this checkout's version so the prebuilt binary above matches.
      const npx = ['--yes', '--package', tarball, '--package', `better-sqlite3@${sqliteVersion}`, 'mcp-server-relay'];
      const env = envFor(node20!, { npm_config_better_sqlite3_local_prebuilds: prebuilds });
      const installed = ok(
        await run('npx', [...npx, '--version'], { cwd: work, env, timeoutMs: 240_000 }),
        'npx install',
      );
      expect(installed.stdout.trim()).toBe(pkg.version);
      await exchange(
        (client, home) => startClient(client, 'npx', [...npx, '--client', client], { ...env, HOME: home }),
        'from the tarball',
      );
    },
    300_000,
  );

  // What a user on a current Node without a C++ toolchain gets: better-sqlite3's prebuilt binary cannot be fetched
  // and its compile fails at once (no Node headers), so npm drops the optional dependency; the relay runs on
  // node:sqlite.
  it.skipIf(node22 === null)(
    'on Node 22.13+ where better-sqlite3 cannot be built: npx installs without it, and it serves a real MCP client',
    async () => {
      const env = envFor(node22!, {
        npm_config_better_sqlite3_binary_host: 'http://127.0.0.1:9',
        npm_config_nodedir: path.join(work, 'no-node-headers'),
        npm_config_foreground_scripts: 'true',
      });
      const npx = ['--yes', '--package', tarball, 'mcp-server-relay'];
      const before = new Set(npxInstalls());
      const installed = ok(
        await run('npx', [...npx, '--version'], { cwd: work, env, timeoutMs: 240_000 }),
        'npx install',
      );
      expect(installed.stdout.trim()).toBe(pkg.version);
      // The build was attempted and failed (so this is the case it claims to be), and nothing of it was kept.
      expect(installed.stderr).toMatch(/gyp ERR!/);
      const installs = npxInstalls().filter((dir) => !before.has(dir));
      expect(installs).toHaveLength(1);
      expect(fs.existsSync(path.join(installs[0]!, 'better-sqlite3'))).toBe(false);
      await exchange(
        (client, home) => startClient(client, 'npx', [...npx, '--client', client], { ...env, HOME: home }),
        `from the tarball on Node ${node22!.version}, without better-sqlite3`,
      );
    },
    300_000,
  );

  it.skipIf(node24 === null)(
    'on Node 24 with --omit=optional: npm install of the tarball has no better-sqlite3 and serves a real MCP client',
    async () => {
      const prefix = path.join(work, 'omit-optional');
      const env = envFor(node24!);
      ok(
        await run('npm', ['install', '--omit=optional', '--prefix', prefix, tarball], {
          cwd: work,
          env,
          timeoutMs: 240_000,
        }),
        'npm install --omit=optional',
      );
      expect(fs.existsSync(path.join(prefix, 'node_modules', 'mcp-server-relay', 'dist', 'cli.js'))).toBe(true);
      expect(fs.existsSync(path.join(prefix, 'node_modules', 'better-sqlite3'))).toBe(false);
      const bin = path.join(prefix, 'node_modules', '.bin', 'mcp-relay');
      await exchange(
        (client, home) => startClient(client, bin, ['--client', client], { ...env, HOME: home }),
        'from an install without optional dependencies',
      );
    },
    300_000,
  );
});

describe('server.json for the MCP registry', () => {
  const server = JSON.parse(fs.readFileSync(path.join(root, 'server.json'), 'utf8')) as {
    name: string;
    version: string;
    packages: {
      registryType: string;
      identifier: string;
      version: string;
      transport: { type: string };
      packageArguments: { type: string; name: string; choices?: string[] }[];
    }[];
  };

  it('is valid against the registry format (2025-12-11)', () => {
    const schema = JSON.parse(
      fs.readFileSync(path.join(root, 'test', 'fixtures', 'server-json-2025-12-11.schema.json'), 'utf8'),
    ) as object;
    const ajv = new Ajv({ allErrors: true });
    ajvFormats.default(ajv);
    const validate = ajv.compile(schema);
    expect(validate(server), JSON.stringify(validate.errors, null, 2)).toBe(true);
    // The check has teeth: a misspelt field and a version range are refused.
    expect(validate({ ...server, pakages: [] })).toBe(false);
    expect(validate({ ...server, version: '^2.0.0' })).toBe(false);
  });

  it('names the npm package, its version and the --client argument as package.json and the CLI have them', () => {
    expect(server.name).toBe(pkg.mcpName);
    expect(server.version).toBe(pkg.version);
    const [npm] = server.packages;
    expect(npm).toMatchObject({
      registryType: 'npm',
      identifier: pkg.name,
      version: pkg.version,
      transport: { type: 'stdio' },
    });
    expect(npm!.packageArguments).toEqual([
      expect.objectContaining({ type: 'named', name: '--client', choices: ['desktop', 'code'] }),
    ]);
  });
});
