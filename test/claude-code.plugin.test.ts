// relay's Claude Code plugin (.claude-plugin/ and plugin/): its manifests agree with the package, its /relay:get is
// setup's /get under the plugin's names, and the real CLI (the latest; plugins as they are now) validates it. Then
// the way a user gets it: this checkout as a marketplace, the plugin installed from it (its npm source served by a
// local registry from this checkout's `npm pack`, so the plugin runs from the package's own files, without
// better-sqlite3), connected, its hook and command in a scripted session, and uninstalled.
import fs from 'node:fs';
import path from 'node:path';

import { describe, expect, it, onTestFinished } from 'vitest';

import { getCommandText } from '../src/setup/get-command.js';
import { claude, claudeHome, findClaude, titled } from './helpers/claude.js';
import { contextText, startMessagesApi, toolResult } from './helpers/messages-api.js';
import { requireNode } from './helpers/node-versions.js';
import { startRegistry } from './helpers/npm-registry.js';
import { run } from './helpers/run.js';
import { root, runCli } from './helpers/spawn.js';
import { tempDir } from './helpers/temp.js';

interface Manifest {
  name: string;
  version: string;
  mcpServers: Record<string, unknown>;
}
interface Marketplace {
  name: string;
  plugins: { name: string; source: unknown }[];
}
/** Claude Code's ~/.claude/plugins/installed_plugins.json (version 2). */
interface InstalledPlugins {
  plugins: Record<string, { installPath: string; scope: string }[]>;
}
const readJson = <T = unknown>(file: string) => JSON.parse(fs.readFileSync(file, 'utf8')) as T;
const pkg = readJson<{ name: string; version: string; files: string[] }>(path.join(root, 'package.json'));
const manifest = readJson<Manifest>(path.join(root, '.claude-plugin', 'plugin.json'));
const marketplace = readJson<Marketplace>(path.join(root, '.claude-plugin', 'marketplace.json'));
const PLUGIN = `${manifest.name}@${marketplace.name}`;

describe('the plugin manifests', () => {
  it('agree with each other and with package.json, and ship in the npm package', () => {
    const entry = marketplace.plugins.find((p) => p.name === manifest.name)!;
    expect(PLUGIN).toBe('relay@mcp-relay');
    expect(entry.source).toEqual({ source: 'npm', package: pkg.name, version: pkg.version });
    expect(manifest.version).toBe(pkg.version);
    expect(manifest.mcpServers.relay).toEqual({
      command: 'node',
      args: ['${CLAUDE_PLUGIN_ROOT}/dist/cli.js', '--client', 'code'],
    });
    expect(pkg.files).toEqual(expect.arrayContaining(['dist/', '.claude-plugin/plugin.json', 'plugin/']));
  });

  it("carry setup's /get under the plugin's names (its command is /relay:get, its tools mcp__plugin_relay_relay__*)", () => {
    const setupBody = getCommandText().replace(/\n<!-- installed by mcp-relay setup;[^\n]*\n$/, '');
    const expected = setupBody
      .replaceAll('mcp__relay__', 'mcp__plugin_relay_relay__')
      .replaceAll('/get ', '/relay:get ');
    expect(fs.readFileSync(path.join(root, 'plugin', 'commands', 'get.md'), 'utf8')).toBe(expected);
  });
});

const found = findClaude('latest');
describe.skipIf(found.missing !== undefined)(titled('the relay plugin in the real CLI', found), () => {
  it('passes `claude plugin validate --strict`, as a plugin and as a marketplace', { timeout: 60_000 }, async () => {
    const where = claudeHome(found.claude!);
    for (const target of [root, path.join(root, '.claude-plugin', 'marketplace.json')]) {
      const validate = await claude(where, ['plugin', 'validate', target, '--strict']);
      expect(validate.code, validate.stdout + validate.stderr).toBe(0);
      expect(validate.stdout).toContain('Validation passed');
    }
  });
});

// The plugin runs relay from the npm package alone: node:sqlite, so Node 22.13+ as the `node` Claude Code starts.
const node = requireNode(22, 'the Claude Code plugin test (the plugin runs relay on node:sqlite)', '22.13');

describe.skipIf(found.missing !== undefined || node === null)(
  titled('the relay plugin installed in the real CLI', found),
  () => {
    it(
      'installs from this marketplace, connects, previews and fetches in a session, and uninstalls',
      { timeout: 240_000 },
      async () => {
        const where = claudeHome(found.claude!, { node: node!.path });
        const validate = await claude(where, ['plugin', 'validate', root, '--strict']);
        expect(validate.code, validate.stdout + validate.stderr).toBe(0);
        expect(validate.stdout).toContain('Validation passed');

        // This checkout's package, as the registry would serve it (dist/ is built: npm test builds first).
        const packed = tempDir();
        const pack = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', packed], {
          cwd: root,
          env: { ...process.env } as Record<string, string>,
          timeoutMs: 60_000,
        });
        expect(pack.code, pack.stderr).toBe(0);
        const tarball = path.join(packed, (JSON.parse(pack.stdout) as { filename: string }[])[0]!.filename);
        const registry = await startRegistry(pkg as { name: string; version: string }, tarball);
        onTestFinished(() => registry.close());
        const npmEnv = { env: { npm_config_registry: registry.url } };

        expect((await claude(where, ['plugin', 'marketplace', 'add', root], npmEnv)).code).toBe(0);
        const install = await claude(where, ['plugin', 'install', PLUGIN], npmEnv);
        expect(install.code, install.stdout + install.stderr).toBe(0);
        expect(registry.served).toContain(`/${pkg.name}/-/${pkg.name}-${pkg.version}.tgz`);
        const installed = readJson<InstalledPlugins>(
          path.join(where.home, '.claude', 'plugins', 'installed_plugins.json'),
        ).plugins[PLUGIN]!;
        // The plugin's own files, and no better-sqlite3 among them: nothing to build.
        expect(fs.existsSync(path.join(installed[0]!.installPath, 'dist', 'cli.js'))).toBe(true);
        expect(fs.existsSync(path.join(installed[0]!.installPath, 'node_modules'))).toBe(false);

        const project = path.join(where.home, 'parser');
        fs.mkdirSync(project);
        const list = await claude(where, ['mcp', 'list'], { cwd: project });
        expect(list.stdout).toMatch(/^plugin:relay:relay: node \S*\/dist\/cli\.js --client code - [✓✔] Connected$/m);

        // A session: the plugin's hook previews what Desktop sent; /relay:get leads to relay_fetch, which returns it.
        await runCli(['send', '--as', 'desktop', 'Review parser.ts please'], where.home, where.env);
        const api = await startMessagesApi({ tool: 'relay_fetch' });
        onTestFinished(() => api.close());
        const session = await claude(where, ['-p', '/relay:get', '--output-format', 'json'], {
          cwd: project,
          env: { ANTHROPIC_BASE_URL: api.url },
          timeoutMs: 90_000,
        });
        expect(session.code, session.stdout + session.stderr).toBe(0);
        const turns = api.turns();
        const context = contextText(turns[0]!);
        expect(context).toContain(
          'relay: 1 unread message for this Code session (run /relay:get to read them):\n1. from Desktop: "Review parser.ts please"',
        );
        expect(context).toContain('Relay request: ""');
        expect(context).toContain('## plugin:relay:relay');
        expect(JSON.parse(toolResult(turns.at(-1)!, 'relay_fetch')!)).toMatchObject({
          ok: true,
          messages: [{ from: 'desktop', message: 'Review parser.ts please' }],
        });

        // Uninstalled, nothing of relay is left active; the copy in Claude Code's cache is marked for its own clean-up.
        expect((await claude(where, ['plugin', 'uninstall', PLUGIN])).code).toBe(0);
        expect((await claude(where, ['plugin', 'marketplace', 'remove', marketplace.name as string])).code).toBe(0);
        expect((await claude(where, ['mcp', 'list'], { cwd: project })).stdout).not.toMatch(/relay/);
        const plugins = path.join(where.home, '.claude', 'plugins');
        expect(readJson<InstalledPlugins>(path.join(plugins, 'installed_plugins.json')).plugins).toEqual({});
        const settings = readJson<Record<string, unknown>>(path.join(where.home, '.claude', 'settings.json'));
        expect(JSON.stringify([settings.enabledPlugins, settings.extraKnownMarketplaces])).not.toContain('relay');
        expect(readJson(path.join(plugins, 'known_marketplaces.json'))).toEqual({});
        const data = path.join(plugins, 'data');
        expect(fs.existsSync(data) ? fs.readdirSync(data).filter((d) => d.includes('relay')) : []).toEqual([]);
        const cached = path.join(plugins, 'cache', marketplace.name as string, manifest.name as string);
        for (const version of fs.existsSync(cached) ? fs.readdirSync(cached) : []) {
          expect(fs.existsSync(path.join(cached, version, '.orphaned_at')), version).toBe(true);
        }
      },
    );
  },
);
