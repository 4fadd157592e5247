// The npm package as users get it: `npm pack` once per run (of the dist/ that `npm test` just built), what the
// tarball holds, `npx mcp-server-relay --client code` installed from it into a temp npm cache and driven by a real
// MCP client, `npm publish --dry-run`, and server.json (the MCP registry entry) checked against the registry's
// 2025-12-11 format. Nothing here touches the real home directory or npm cache.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { Ajv } from 'ajv';
import ajvFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';

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
  optionalDependencies: Record<string, string>;
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
  const prebuilds = path.join(work, 'prebuilds');
  const staged = path.join(work, 'prebuild-stage', 'build', 'Release');
  fs.mkdirSync(staged, { recursive: true });
  fs.mkdirSync(prebuilds);
  fs.copyFileSync(
    path.join(root, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'),
    path.join(staged, 'better_sqlite3.node'),
  );
  const name = `better-sqlite3-v${sqliteVersion}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  ok(
    await run('tar', ['-czf', path.join(prebuilds, name), '-C', path.join(work, 'prebuild-stage'), 'build'], {
      cwd: work,
      env: npmEnv,
      timeoutMs: 30_000,
    }),
    'tar',
  );
  npmEnv.npm_config_better_sqlite3_local_prebuilds = prebuilds;
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
    // The bin entry is one bundled file plus chunks: nothing from src/ or node_modules is needed but better-sqlite3,
    // and that only where node:sqlite is missing (Node 20): an optional dependency, never a required one.
    const cli = fs.readFileSync(path.join(root, 'dist', 'cli.js'), 'utf8');
    expect(cli.startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(pkg.dependencies).toBeUndefined();
    expect(Object.keys(pkg.optionalDependencies)).toEqual(['better-sqlite3']);
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

describe('npx mcp-server-relay from the packed tarball', () => {
  it('installs, starts over stdio for a real MCP client, sends and fetches', async () => {
    // Installed first on its own, with a generous limit (a compile from source takes about a minute here) and
    // better-sqlite3 pinned to this checkout's version so the prebuilt binary above matches.
    const npx = ['--yes', '--package', tarball, '--package', `better-sqlite3@${sqliteVersion}`, 'mcp-server-relay'];
    const installed = ok(
      await run('npx', [...npx, '--version'], { cwd: work, env: npmEnv, timeoutMs: 240_000 }),
      'npx install',
    );
    expect(installed.stdout.trim()).toBe(pkg.version);

    const home = tempDir();
    const start = async (client: string) => {
      const transport = new StdioClientTransport({
        command: 'npx',
        args: [...npx, '--client', client],
        cwd: work,
        env: { ...npmEnv, HOME: home },
        stderr: 'pipe',
      });
      let stderr = '';
      transport.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
      const mcp = new Client({ name: `tarball-${client}`, version: '0' });
      onTestFinished(async () => {
        await mcp.close().catch(() => {});
      });
      await mcp.connect(transport).catch((error: unknown) => {
        throw new Error(`npx mcp-server-relay --client ${client} did not start: ${String(error)}\n${stderr}`);
      });
      return mcp;
    };
    const desktop = await start('desktop');
    const code = await start('code');
    expect(code.getServerVersion()).toMatchObject({ name: 'relay', version: pkg.version });
    expect(
      body((await desktop.callTool({ name: 'relay_send', arguments: { message: 'from the tarball' } })) as never),
    ).toMatchObject({ ok: true });
    const got = body((await code.callTool({ name: 'relay_fetch', arguments: {} })) as never) as {
      messages: { sender: string; message: string }[];
    };
    expect(got.messages).toEqual([expect.objectContaining({ sender: 'desktop', message: 'from the tarball' })]);
    expect(fs.existsSync(path.join(home, '.relay_buffer.db'))).toBe(true);
  }, 300_000);
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
