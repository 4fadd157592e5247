// `npm run build`: bundles src/cli.ts into dist/cli.js with esbuild, for start-up time (paid at every session start).
//  - ESM with code splitting: commands loaded with import() (serve, setup, doctor, HTTP, ...) become chunks under
//    dist/chunks/ that load only when used.
//  - Every package in `dependencies` and `optionalDependencies` (better-sqlite3, which is native and needed only where
//    Node has no node:sqlite) stays external and is loaded from node_modules at run time, by the SQLite driver seam
//    alone (src/store/sqlite/driver-better-sqlite3.ts) and only when chosen; everything else (the MCP SDK, zod,
//    node-postgres: devDependencies) is bundled. node-postgres lands in chunks only the PostgreSQL store imports, so a
//    SQLite relay never loads it. So a runtime package that cannot be bundled belongs in `optionalDependencies` (or
//    `dependencies`), and a bundled one in `devDependencies`.
//  - The version is baked in (define __RELAY_VERSION__), so nothing reads package.json at run time.
//  - Sources import zod as `import * as z from 'zod'` (see the check after the build).
//  - The SDK's JSON Schema validator module (ajv) is replaced by src/server/sdk-validator.ts (the SDK's own
//    @cfworker/json-schema validator): ajv's load and set-up cost about 10 ms of CPU at every start.
//  - The licences of the bundled packages are collected into dist/THIRD_PARTY_LICENSES.txt.
//  - Last, dist/marketplace/: this clone as a Claude Code plugin marketplace (scripts/build-plugin.mjs).
// It writes only dist/ (and the metafile, when asked with --metafile FILE).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import * as esbuild from 'esbuild';

import { buildPluginMarketplace } from './build-plugin.mjs';
import { uiAssetDefines } from './ui-assets.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { metafile: { type: 'string' } } });
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const outdir = path.join(root, 'dist');
const external = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.optionalDependencies ?? {}), 'pg-native'];

/** Resolves the SDK's `import ... from '../validation/ajv-provider.js'` (server and client) to src/server/sdk-validator.ts. */
const sdkValidator = {
  name: 'sdk-validator',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/validation\/ajv-provider\.js$/ }, (args) =>
      /[\\/]@modelcontextprotocol[\\/]sdk[\\/]/.test(args.importer)
        ? { path: path.join(root, 'src', 'server', 'sdk-validator.ts') }
        : undefined,
    );
  },
};

fs.rmSync(outdir, { recursive: true, force: true });
const result = await esbuild.build({
  absWorkingDir: root,
  // The PostgreSQL store is named as an entry so its chunk (which carries node-postgres) keeps a name a test can
  // recognise: dist/chunks/postgres.js.
  entryPoints: { cli: 'src/cli.ts', extension: 'src/extension.ts', 'chunks/postgres': 'src/store/postgres/store.ts' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunks/[name]-[hash]',
  external,
  // ESM builds first: they bundle statically (jsonc-parser's UMD "main" requires its own files at run time).
  mainFields: ['module', 'main'],
  define: { __RELAY_VERSION__: JSON.stringify(pkg.version), ...uiAssetDefines(root) },
  // Bundled CommonJS code (any dependency that is not ESM) calls require() for Node built-ins; ESM has no require.
  banner: {
    js: "import { createRequire as __relayCreateRequire } from 'node:module'; const require = __relayCreateRequire(import.meta.url);",
  },
  legalComments: 'none',
  plugins: [sdkValidator],
  metafile: true,
  logLevel: 'warning',
});
for (const entry of ['cli.js', 'extension.js']) fs.chmodSync(path.join(outdir, entry), 0o755);

// zod's ~60 non-English locales (about 470 KB, parsed at every start) come in when a source writes
// `import { z } from 'zod'`: esbuild cannot tree-shake the re-exported `z` namespace. Our sources write
// `import * as z from 'zod'`; this stops the build if the other form creeps back.
const locales = Object.values(result.metafile.outputs).flatMap((output) =>
  Object.entries(output.inputs)
    .filter(
      ([input, { bytesInOutput }]) => bytesInOutput > 0 && /node_modules\/zod\/v4\/locales\/(?!en\.js$)/.test(input),
    )
    .map(([input]) => input),
);
if (locales.length > 0) {
  process.stderr.write(
    `build: zod's locales were bundled (${locales.length} modules, e.g. ${locales[0]}); write \`import * as z from 'zod'\`.\n`,
  );
  process.exit(1);
}

// The licence texts of the bundled packages, which the bundle no longer carries in node_modules form.
const packages = new Map();
for (const input of Object.keys(result.metafile.inputs)) {
  const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
  if (match !== null && !packages.has(match[1])) packages.set(match[1], null);
}
const notices = [];
for (const dir of [...packages.keys()].sort()) {
  const meta = JSON.parse(fs.readFileSync(path.join(root, dir, 'package.json'), 'utf8'));
  const file = fs.readdirSync(path.join(root, dir)).find((name) => /^licen[cs]e/i.test(name));
  const text =
    file === undefined
      ? `(no licence file; package.json says ${meta.license ?? 'nothing'})`
      : fs.readFileSync(path.join(root, dir, file), 'utf8').trim();
  notices.push(`${meta.name}@${meta.version} (${meta.license ?? 'unknown'})\n\n${text}\n`);
}
fs.writeFileSync(
  path.join(outdir, 'THIRD_PARTY_LICENSES.txt'),
  `dist/ bundles these packages; their licences follow.\n\n${notices.join(`\n${'-'.repeat(78)}\n\n`)}`,
);

// A Claude Code plugin marketplace for this clone (dist/marketplace/), from what was just built.
buildPluginMarketplace(root);

if (values.metafile !== undefined) {
  fs.writeFileSync(values.metafile, JSON.stringify(result.metafile));
  process.stdout.write(await esbuild.analyzeMetafile(result.metafile));
}
