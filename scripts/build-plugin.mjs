// Part of `npm run build` (scripts/build.mjs calls it last): dist/marketplace/, a Claude Code plugin marketplace for
// a clone, where the package is not installed from npm. The repository's own marketplace
// (.claude-plugin/marketplace.json) names the npm package as the plugin's source; a clone has no such package, and
// its root is no plugin to install (Claude Code copies a path-sourced plugin whole, node_modules and all). So this
// writes the plugin as the npm package carries it, and nothing else: dist/marketplace/relay/ holds
// .claude-plugin/plugin.json, plugin/, LICENSE, a package.json and a copy of the built dist/ (cli.js and its chunks), and
// dist/marketplace/.claude-plugin/marketplace.json is the repository's marketplace (same names: `relay@mcp-relay`)
// with that folder as the source. `claude plugin marketplace add ./dist/marketplace` then
// `claude plugin install relay@mcp-relay` install it; Claude Code reads it in place, so a rebuild updates it.
// It is kept out of the npm package (package.json `files`) and the Desktop extension (scripts/build-mcpb.mjs).
// It writes only dist/marketplace/.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Writes `<root>/dist/marketplace/` from `<root>`'s manifests and built dist/; returns its path. */
export function buildPluginMarketplace(root = here) {
  const dist = path.join(root, 'dist');
  const out = path.join(dist, 'marketplace');
  const plugin = path.join(out, 'relay');
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(path.join(plugin, '.claude-plugin'), { recursive: true });
  fs.copyFileSync(path.join(root, '.claude-plugin', 'plugin.json'), path.join(plugin, '.claude-plugin', 'plugin.json'));
  fs.cpSync(path.join(root, 'plugin'), path.join(plugin, 'plugin'), { recursive: true });
  fs.copyFileSync(path.join(root, 'LICENSE'), path.join(plugin, 'LICENSE'));
  const built = fs.readdirSync(dist).filter((name) => name !== 'marketplace');
  for (const name of built) fs.cpSync(path.join(dist, name), path.join(plugin, 'dist', name), { recursive: true });
  // dist/ is ESM (.js): Node needs "type": "module" from the nearest package.json, as the npm package has it.
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  fs.writeFileSync(
    path.join(plugin, 'package.json'),
    `${JSON.stringify({ name: pkg.name, version: pkg.version, private: true, type: 'module', license: pkg.license }, null, 2)}\n`,
  );
  const marketplace = JSON.parse(fs.readFileSync(path.join(root, '.claude-plugin', 'marketplace.json'), 'utf8'));
  marketplace.plugins = marketplace.plugins.map((entry) => ({ ...entry, source: './relay' }));
  fs.mkdirSync(path.join(out, '.claude-plugin'));
  fs.writeFileSync(path.join(out, '.claude-plugin', 'marketplace.json'), `${JSON.stringify(marketplace, null, 2)}\n`);
  return out;
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildPluginMarketplace();
}
