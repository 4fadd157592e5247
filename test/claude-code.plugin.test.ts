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
    for (const target of [
      root,
      path.join(root, '.claude-plugin', 'marketplace.json'),
      path.join(root, 'dist', 'marketplace'),
      path.join(root, 'dist', 'marketplace', 'relay'),
    ]) {
      const validate = await claude(where, ['plugin', 'validate', target, '--strict']);
      expect(validate.code, validate.stdout + validate.stderr).toBe(0);
      expect(validate.stdout).toContain('Validation passed');
    }
  });
});

// The plugin runs relay from its own files alone: node:sqlite, so Node 22.13+ as the `node` Claude Code starts.
const node = requireNode(22, 'the Claude Code plugin test (the plugin runs relay on node:sqlite)', '22.13');
const oldest = findClaude('oldest');
/** The clone's marketplace, written by `npm run build` (scripts/build-plugin.mjs; npm test builds first). */
const cloneMarketplace = path.join(root, 'dist', 'marketplace');

describe("the clone's marketplace (dist/marketplace/, from npm run build)", () => {
  it("is the repository's marketplace with the built plugin as its source, and holds only the plugin's files", () => {
    const local = readJson<Marketplace>(path.join(cloneMarketplace, '.claude-plugin', 'marketplace.json'));
    expect(local).toEqual({ ...marketplace, plugins: marketplace.plugins.map((p) => ({ ...p, source: './relay' })) });
    const plugin = path.join(cloneMarketplace, 'relay');
    expect(readJson(path.join(plugin, '.claude-plugin', 'plugin.json'))).toEqual(manifest);
    const files = (dir: string): string[] =>
      fs
        .readdirSync(dir, { withFileTypes: true })
        .flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)]));
    const relative = files(plugin).map((f) => path.relative(plugin, f));
    expect(relative).toEqual(expect.arrayContaining(['dist/cli.js', 'plugin/hooks.json', 'plugin/commands/get.md']));
    for (const file of relative) {
      expect(file).toMatch(
        /^(dist\/(cli|extension)\.js|dist\/chunks\/[\w-]+\.js|dist\/THIRD_PARTY_LICENSES\.txt|LICENSE|package\.json|\.claude-plugin\/plugin\.json|plugin\/(commands\/get\.md|hooks\.json))$/,
      );
    }
  });
});

interface Route {
  title: string;
  found: typeof found;
  /** Adds the marketplace (and whatever serves the plugin's source); returns the env `claude plugin` needs. */
  prepare(): Promise<Record<string, string>>;
  marketplacePath: string;
  /** What `claude mcp list` shows as the server's path. */
  serverPath: (installPath: string) => string;
}

const routes: Route[] = [
  {
    title: "a clone: the clone's marketplace, dist/marketplace",
    found,
    prepare: () => Promise.resolve({}),
    marketplacePath: cloneMarketplace,
    // Claude Code reads a plugin of a local marketplace in place: a rebuild of the clone updates it.
    serverPath: () => path.join(cloneMarketplace, 'relay', 'dist', 'cli.js'),
  },
  {
    title: 'the same in the oldest CLI',
    found: oldest,
    prepare: () => Promise.resolve({}),
    marketplacePath: cloneMarketplace,
    serverPath: () => path.join(cloneMarketplace, 'relay', 'dist', 'cli.js'),
  },
  {
    title: "the repository's marketplace, whose source is the npm package (served here by a local registry)",
    found,
    async prepare() {
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
      onTestFinished(() => {
        expect(registry.served).toContain(`/${pkg.name}/-/${pkg.name}-${pkg.version}.tgz`);
      });
      return { npm_config_registry: registry.url };
    },
    marketplacePath: root,
    serverPath: (installPath) => path.join(installPath, 'dist', 'cli.js'),
  },
];

describe.skipIf(node === null).each(routes)('the relay plugin installed from $title', (route) => {
  it.skipIf(route.found.missing !== undefined)(
    titled('installs, connects, previews and fetches in a session, and uninstalls', route.found),
    { timeout: 240_000 },
    async () => {
      const where = claudeHome(route.found.claude!, { node: node!.path });
      const env = await route.prepare();
      const add = await claude(where, ['plugin', 'marketplace', 'add', route.marketplacePath], { env });
      expect(add.code, add.stdout + add.stderr).toBe(0);
      const install = await claude(where, ['plugin', 'install', PLUGIN], { env });
      expect(install.code, install.stdout + install.stderr).toBe(0);
      const installed = readJson<InstalledPlugins>(
        path.join(where.home, '.claude', 'plugins', 'installed_plugins.json'),
      ).plugins[PLUGIN]!;
      // The plugin's own files, and no better-sqlite3 among them: nothing to build.
      const installPath = installed[0]!.installPath;
      expect(fs.existsSync(path.join(installPath, 'dist', 'cli.js'))).toBe(true);
      expect(fs.existsSync(path.join(installPath, 'node_modules'))).toBe(false);

      const project = path.join(where.home, 'parser');
      fs.mkdirSync(project);
      const list = await claude(where, ['mcp', 'list'], { cwd: project });
      expect(list.stdout).toContain(`plugin:relay:relay: node ${route.serverPath(installPath)} --client code - `);
      expect(list.stdout).toMatch(/^plugin:relay:relay: .* - [✓✔] Connected$/m);

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
      expect((await claude(where, ['plugin', 'marketplace', 'remove', marketplace.name])).code).toBe(0);
      expect((await claude(where, ['mcp', 'list'], { cwd: project })).stdout).not.toMatch(/relay/);
      const plugins = path.join(where.home, '.claude', 'plugins');
      expect(readJson<InstalledPlugins>(path.join(plugins, 'installed_plugins.json')).plugins).toEqual({});
      const settings = readJson<Record<string, unknown>>(path.join(where.home, '.claude', 'settings.json'));
      expect(JSON.stringify([settings.enabledPlugins, settings.extraKnownMarketplaces])).not.toContain('relay');
      expect(readJson(path.join(plugins, 'known_marketplaces.json'))).toEqual({});
      const data = path.join(plugins, 'data');
      expect(fs.existsSync(data) ? fs.readdirSync(data).filter((d) => d.includes('relay')) : []).toEqual([]);
      const cached = path.join(plugins, 'cache', marketplace.name, manifest.name);
      for (const version of fs.existsSync(cached) ? fs.readdirSync(cached) : []) {
        expect(fs.existsSync(path.join(cached, version, '.orphaned_at')), version).toBe(true);
      }
    },
  );
});
