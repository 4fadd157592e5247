// The relay's own modules for the bench's in-process figures (the store alone, relay_fetch over an in-memory
// transport). dist/ is one bundle for the CLI, so these are bundled from src/ with esbuild the way vitest sees them
// (version defined, better-sqlite3 external) into node_modules/.cache, where better-sqlite3 resolves. It must never
// write into dist/ or src/.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

let loaded;

/** `{ openSqliteStore, sqliteDriver, createRelayServer, silentLogger, budget, MAX_INSTRUCTIONS_BYTES }` from src/, bundled once per run. */
export function relayModules() {
  loaded ??= (async () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
    const outfile = path.join(root, 'node_modules', '.cache', 'relay-bench', `inprocess-${process.pid}.mjs`);
    await esbuild.build({
      absWorkingDir: root,
      stdin: {
        contents: [
          "export { openSqliteStore } from './src/store/sqlite/store.ts';",
          "export { sqliteDriver } from './src/store/sqlite/driver.ts';",
          "export { createRelayServer } from './src/server/server.ts';",
          "export { silentLogger } from './src/lib/log.ts';",
          "export * as budget from './src/server/tools/budget.ts';",
          "export { MAX_INSTRUCTIONS_BYTES } from './src/server/instructions.ts';",
        ].join('\n'),
        resolveDir: root,
        loader: 'ts',
      },
      outfile,
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      external: [...Object.keys(pkg.dependencies ?? {}), 'pg', 'pg-native'],
      define: { __RELAY_VERSION__: JSON.stringify(pkg.version) },
      banner: {
        js: "import { createRequire as __benchRequire } from 'node:module'; const require = __benchRequire(import.meta.url);",
      },
      logLevel: 'warning',
    });
    try {
      return await import(pathToFileURL(outfile).href);
    } finally {
      fs.rmSync(outfile, { force: true });
    }
  })();
  return loaded;
}
