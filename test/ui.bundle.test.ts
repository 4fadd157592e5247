// The page and its server are loaded only by `mcp-relay ui` (issue 13: "a server start stays as fast as today"):
// in the built CLI, nothing a server start loads (the entry's static imports, then serve and everything it
// imports, statically or lazily) holds the ui's code; the ui command's own chunk does.
import fs from 'node:fs';
import path from 'node:path';

import { expect, it } from 'vitest';

import { root } from './helpers/spawn.js';

const dist = path.join(root, 'dist');
const read = (file: string) => fs.readFileSync(file, 'utf8');

/** Relative imports of a built file: static (`from "./x.js"`, `import "./x.js"`) and, with `lazy`, `import("./x.js")`. */
function imports(file: string, lazy: boolean): string[] {
  const pattern = lazy
    ? /(?:\bfrom\s*|\bimport\s*\(?\s*)["'](\.{1,2}\/[^"']+)["']/g
    : /(?:\bfrom\s*|\bimport\s+)["'](\.{1,2}\/[^"']+)["']/g;
  return [...read(file).matchAll(pattern)].map((m) => path.resolve(path.dirname(file), m[1]!));
}

function closure(starts: string[], lazy: boolean): Set<string> {
  const seen = new Set<string>();
  const next = [...starts];
  while (next.length > 0) {
    const file = next.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    next.push(...imports(file, lazy));
  }
  return seen;
}

/** The ui's code in a built file: the page's CSRF meta tag and the server's start. */
const isUi = (file: string) => /relay-csrf|startUiServer/.test(read(file));

it('keeps the ui out of everything a server start loads', () => {
  const entry = path.join(dist, 'cli.js');
  const loaded = closure([entry], false);
  const table = [...loaded].find((file) => /\bui: \(\) => import\(/.test(read(file)));
  expect(table, 'the command table in the built CLI').toBeDefined();
  const lazyChunk = (name: string) =>
    path.resolve(
      path.dirname(table!),
      new RegExp(`\\b${name}: \\(\\) => import\\("([^"]+)"\\)`).exec(read(table!))![1]!,
    );
  for (const file of closure([lazyChunk('serve')], true)) loaded.add(file);
  expect(loaded.size).toBeGreaterThan(3);
  expect([...loaded].filter(isUi).map((f) => path.relative(dist, f))).toEqual([]);
  // Not vacuous: the ui command's chunk (or what it imports) is where the ui is.
  expect([...closure([lazyChunk('ui')], false)].some(isUi)).toBe(true);
});
