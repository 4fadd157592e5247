// `npm run build:mcpb`: the Claude Desktop extension relay.mcpb, from dist/ (run `npm run build` first; the npm
// script does). One bundle for every platform: it carries dist/ (the server, bundled by esbuild with everything it
// needs), package.json, README.md and LICENSE, and no node_modules and no native code at all. SQLite comes from
// the Node that Desktop runs it on (node:sqlite, unflagged from Node 22.13 / 23.4), which the manifest's
// compatibility says. manifest.json lists the tools and prompts as the server itself reports them (asked over
// stdio at build time, so the list is never stale); `mcpb validate` checks it. The zip is written by
// scripts/deterministic-zip.mjs, so the same sources give the same relay.mcpb, byte for byte, on any machine.
// It writes only the staging folder and the output file.
//
// Usage: node scripts/build-mcpb.mjs [--out FILE] [--stage DIR]
//        (defaults: relay.mcpb at the repository root, staged in .tmp/mcpb/, which is emptied first; a --stage
//        folder must be new or empty)
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

import { listFiles, zipDirectory } from './deterministic-zip.mjs';

/** The Node versions with node:sqlite unflagged, as a semver range (what Desktop checks before starting it). */
const NODE_RANGE = '^22.13.0 || >=23.4.0';
const PLATFORMS = ['darwin', 'win32', 'linux'];

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { out: { type: 'string' }, stage: { type: 'string' } } });
const out = path.resolve(values.out ?? path.join(root, 'relay.mcpb'));
const stage = path.resolve(values.stage ?? path.join(root, '.tmp', 'mcpb'));
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const mcpb = path.join(root, 'node_modules', '@anthropic-ai', 'mcpb', 'dist', 'cli', 'cli.js');

if (!fs.existsSync(path.join(root, 'dist', 'extension.js'))) {
  throw new Error('dist/extension.js is missing: run `npm run build` first');
}
// The bundle has no node_modules: whatever dist/ needs at run time must be bundled into it (a devDependency, see
// scripts/build.mjs) or be optional (better-sqlite3, which the extension never loads).
const runtime = Object.keys(pkg.dependencies ?? {});
if (runtime.length > 0) {
  throw new Error(`relay.mcpb carries no node_modules, but package.json has dependencies: ${runtime.join(', ')}`);
}

if (values.stage === undefined) fs.rmSync(stage, { recursive: true, force: true });
else if (fs.existsSync(stage) && fs.readdirSync(stage).length > 0) throw new Error(`--stage ${stage} is not empty`);
fs.mkdirSync(stage, { recursive: true });
// dist/marketplace/ is the Claude Code plugin for a clone (scripts/build-plugin.mjs), not the extension's.
fs.cpSync(path.join(root, 'dist'), path.join(stage, 'dist'), {
  recursive: true,
  filter: (from) => from !== path.join(root, 'dist', 'marketplace'),
});
fs.copyFileSync(path.join(root, 'LICENSE'), path.join(stage, 'LICENSE'));
fs.copyFileSync(path.join(root, 'README.md'), path.join(stage, 'README.md'));
// dist/ is ESM (.js): Node needs "type": "module" from the nearest package.json.
fs.writeFileSync(
  path.join(stage, 'package.json'),
  `${JSON.stringify({ name: pkg.name, version: pkg.version, private: true, type: 'module', license: pkg.license }, null, 2)}\n`,
);

const native = listFiles(stage).filter((file) => file.endsWith('.node') || file.includes('node_modules/'));
if (native.length > 0)
  throw new Error(`relay.mcpb must hold no native code or node_modules; found ${native.join(', ')}`);

/**
 * What the server lists, asked over stdio like Desktop would, on a throwaway database. The clone's dist/ is asked
 * (the staged dist/ is a byte copy of it): it runs on any Node this repository builds on, with whichever SQLite
 * driver loads here, while the staged copy needs a Node with node:sqlite.
 */
async function listCapabilities() {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'relay-mcpb-build-'));
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [
      path.join(root, 'dist', 'extension.js'),
      '--client',
      'desktop',
      '--no-notify',
      '--db',
      path.join(home, 'relay.db'),
    ],
    env: { HOME: home, PATH: process.env.PATH ?? '/usr/bin:/bin' },
    stderr: 'inherit',
  });
  const client = new Client({ name: 'build-mcpb', version: pkg.version });
  try {
    await client.connect(transport);
    const tools = (await client.listTools()).tools.map((t) => ({
      name: t.name,
      description: t.description ?? t.title ?? t.name,
    }));
    const prompts = [];
    if (client.getServerCapabilities()?.prompts) {
      for (const p of (await client.listPrompts()).prompts) {
        prompts.push({
          name: p.name,
          description: p.description ?? p.name,
          arguments: (p.arguments ?? []).map((a) => a.name),
          // The manifest wants the prompt's text; the server builds it per call, so its description stands in.
          text: p.description ?? p.name,
        });
      }
    }
    return { tools, prompts };
  } finally {
    await client.close();
    fs.rmSync(home, { recursive: true, force: true });
  }
}
const { tools, prompts } = await listCapabilities();

const repository = pkg.repository.url.replace(/^git\+/, '').replace(/\.git$/, '');
const manifest = {
  $schema: 'https://raw.githubusercontent.com/anthropics/mcpb/main/schemas/mcpb-manifest-v0.3.schema.json',
  manifest_version: '0.3',
  name: 'relay',
  display_name: 'relay',
  version: pkg.version,
  description: 'Pass messages between Claude Desktop and Claude Code sessions through a small local buffer.',
  long_description: [
    'relay lets Claude Desktop and Claude Code sessions send each other messages through a small SQLite buffer',
    '(~/.relay_buffer.db), so you stop copy-pasting between them. Say "send this to Code" in Desktop, then "get" in',
    'Code (with `npx -y mcp-server-relay setup code` run once there). Messages pass through unchanged.',
    '',
    'One bundle for macOS, Windows and Linux, with no native code: it runs on the Node built into Claude Desktop',
    `(or any Node ${NODE_RANGE}) and uses its built-in SQLite (node:sqlite).`,
  ].join('\n'),
  author: { name: 'the relay contributors', url: repository },
  repository: { type: 'git', url: repository },
  homepage: pkg.homepage,
  documentation: `${repository}/blob/main/docs/install.md`,
  support: pkg.bugs.url,
  license: pkg.license,
  keywords: pkg.keywords,
  server: {
    type: 'node',
    entry_point: 'dist/extension.js',
    mcp_config: {
      command: 'node',
      args: ['${__dirname}/dist/extension.js', '--client', 'desktop'],
      env: {
        RELAY_EXTENSION_NOTIFY: '${user_config.notify}',
        RELAY_EXTENSION_SOUND: '${user_config.sound}',
      },
    },
  },
  tools,
  tools_generated: false,
  ...(prompts.length > 0 ? { prompts } : {}),
  prompts_generated: false,
  user_config: {
    notify: {
      type: 'boolean',
      title: 'Desktop notifications',
      description: 'Show a desktop notification when a message for Desktop arrives.',
      default: true,
      required: false,
    },
    sound: {
      type: 'string',
      title: 'Notification sound',
      description:
        'Play a sound with notifications: leave empty for none, "default" for the system sound, or a sound name or file.',
      default: '',
      required: false,
    },
  },
  compatibility: { platforms: PLATFORMS, runtimes: { node: NODE_RANGE } },
};
fs.writeFileSync(path.join(stage, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
execFileSync(process.execPath, [mcpb, 'validate', path.join(stage, 'manifest.json')], {
  cwd: root,
  stdio: ['ignore', 'ignore', 'inherit'],
});

const zip = zipDirectory(stage);
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, zip);
const sha256 = createHash('sha256').update(zip).digest('hex');
const where = path.relative(process.cwd(), out) || out;
process.stdout.write(
  `built ${where}: ${(zip.length / 1024).toFixed(0)} KiB, ${listFiles(stage).length} files, sha256 ${sha256}\n`,
);
