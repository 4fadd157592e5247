// `npm run build:mcpb`: the Claude Desktop extension relay.mcpb, built with @anthropic-ai/mcpb from dist/ (run
// `npm run build` first; the npm script does). It stages dist/, a package.json and the runtime closure of our
// `dependencies` (better-sqlite3 with its compiled binary from node_modules, without sources or install-time
// tools), writes manifest.json (tools and prompts read from the staged server itself, so the list is never stale),
// validates it and packs. It writes only the staging folder and the output file.
//
// better-sqlite3 is native: the bundle serves the platform, architecture and Node ABI it was built on (here
// linux-x64, Node 20), which the manifest's compatibility says. Build on each platform for the others.
//
// Usage: node scripts/build-mcpb.mjs [--out FILE] [--stage DIR]
//        (defaults: relay.mcpb at the repository root, staged in .tmp/mcpb/, which is emptied first; a --stage
//        folder must be new or empty)
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { out: { type: 'string' }, stage: { type: 'string' } } });
const out = path.resolve(values.out ?? path.join(root, 'relay.mcpb'));
const stage = path.resolve(values.stage ?? path.join(root, '.tmp', 'mcpb'));
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const mcpb = path.join(root, 'node_modules', '@anthropic-ai', 'mcpb', 'dist', 'cli', 'cli.js');

/** Packages a dependency needs only to install itself (prebuild-install fetches binaries); never at run time. */
const INSTALL_ONLY = new Set(['prebuild-install']);
/** Inside a package: what never runs (native sources, intermediate build files, docs and tests). */
const SKIP_DIRS = new Set(['deps', 'src', 'docs', 'test', 'tests', 'benchmark', '.github']);

if (!fs.existsSync(path.join(root, 'dist', 'extension.js'))) {
  throw new Error('dist/extension.js is missing: run `npm run build` first');
}

if (values.stage === undefined) fs.rmSync(stage, { recursive: true, force: true });
else if (fs.existsSync(stage) && fs.readdirSync(stage).length > 0) throw new Error(`--stage ${stage} is not empty`);
fs.mkdirSync(stage, { recursive: true });
fs.cpSync(path.join(root, 'dist'), path.join(stage, 'dist'), { recursive: true });
fs.copyFileSync(path.join(root, 'LICENSE'), path.join(stage, 'LICENSE'));
fs.copyFileSync(path.join(root, 'README.md'), path.join(stage, 'README.md'));
// dist/ is ESM (.js): Node needs "type": "module" from the nearest package.json.
fs.writeFileSync(
  path.join(stage, 'package.json'),
  `${JSON.stringify({ name: pkg.name, version: pkg.version, private: true, type: 'module', license: pkg.license }, null, 2)}\n`,
);

/** Copies a package and, recursively, its runtime dependencies (as installed, hoisted or nested) into the stage. */
function copyPackage(name, fromDir) {
  let dir = fromDir;
  while (!fs.existsSync(path.join(dir, 'node_modules', name, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`dependency ${name} is not installed; run npm install`);
    dir = parent;
  }
  const source = path.join(dir, 'node_modules', name);
  if (path.relative(root, source).startsWith('..')) throw new Error(`${source} is outside the repository`);
  const target = path.join(stage, path.relative(root, source));
  if (fs.existsSync(target)) return;
  fs.cpSync(source, target, {
    recursive: true,
    filter: (file) => {
      const rel = path.relative(source, file).split(path.sep);
      if (rel[0] === 'node_modules' || SKIP_DIRS.has(rel[0] ?? '')) return false;
      // Of a native build, only the loadable binaries under build/Release.
      if (rel[0] === 'build')
        return (
          rel.length === 1 ||
          (rel[1] === 'Release' &&
            (rel.length === 2 || (rel.length === 3 && rel[2].endsWith('.node') && !rel[2].startsWith('test_'))))
        );
      return true;
    },
  });
  const meta = JSON.parse(fs.readFileSync(path.join(source, 'package.json'), 'utf8'));
  for (const dep of Object.keys({ ...meta.dependencies, ...meta.optionalDependencies })) {
    if (!INSTALL_ONLY.has(dep)) copyPackage(dep, source);
  }
}
for (const dep of Object.keys(pkg.dependencies ?? {})) copyPackage(dep, root);

/** What the staged server lists, asked over stdio like Desktop would, on a throwaway database. */
async function listCapabilities() {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'relay-mcpb-build-'));
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [path.join(stage, 'dist', 'extension.js'), '--client', 'desktop', '--db', path.join(home, 'relay.db')],
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
    'Code (with `npx -y mcp-server-relay --client code` configured there). Messages pass through unchanged.',
    '',
    'This bundle contains better-sqlite3 compiled for one platform: this build serves',
    `${process.platform}-${process.arch} with Node ${process.versions.node.split('.')[0]} (ABI ${process.versions.modules}) only.`,
    'Elsewhere, install with npx instead (see the README).',
  ].join('\n'),
  author: { name: 'the relay contributors', url: repository },
  repository: { type: 'git', url: repository },
  homepage: pkg.homepage,
  documentation: `${repository}#readme`,
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
  compatibility: {
    platforms: [process.platform],
    runtimes: {
      node: `>=${process.versions.node.split('.')[0]}.0.0 <${Number(process.versions.node.split('.')[0]) + 1}.0.0`,
    },
  },
};
fs.writeFileSync(path.join(stage, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);

const run = (args) =>
  execFileSync(process.execPath, [mcpb, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] }).toString();
run(['validate', path.join(stage, 'manifest.json')]);
fs.rmSync(out, { force: true });
run(['pack', stage, out]);
process.stdout.write(
  `built ${path.relative(process.cwd(), out) || out} (${(fs.statSync(out).size / 1024).toFixed(0)} KiB) for ` +
    `${process.platform}-${process.arch}, Node ABI ${process.versions.modules}\n`,
);
