// relay's Claude Code plugin (.claude-plugin/ and plugin/): its manifests agree with the package, its /relay:get is
// setup's /get under the plugin's names, and the real CLI validates it.
import fs from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { getCommandText } from '../src/setup/get-command.js';
import { claude, claudeHome, findClaude, titled } from './helpers/claude.js';
import { root } from './helpers/spawn.js';

interface Manifest {
  name: string;
  version: string;
  mcpServers: Record<string, unknown>;
}
interface Marketplace {
  name: string;
  plugins: { name: string; source: unknown }[];
}
const readJson = <T>(file: string) => JSON.parse(fs.readFileSync(file, 'utf8')) as T;
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
