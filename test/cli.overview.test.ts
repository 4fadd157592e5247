// 12.8: `mcp-relay --help` lists every command of the command table, one line each; every command has --help;
// docs/cli.md lists the same commands and the same --json shapes as the usage texts, and both agree with what the
// commands print.
import fs from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { commands, overview } from '../src/cli/index.js';
import { CLIENTS } from '../src/setup/clients.js';
import { root, runCli } from './helpers/spawn.js';
import { tempDir } from './helpers/temp.js';

const docs = fs.readFileSync(path.join(root, 'docs', 'cli.md'), 'utf8');

/** The overview's command lines ("  send [TEXT]     send a message ..."): the command and, for setup, its target. */
function overviewLines(): { command: string; rest: string }[] {
  const block = overview.split('\nCommands:\n')[1]!.split('\n\n')[0]!;
  return block.split('\n').map((line) => {
    const match = /^ {2}(\S+)(?: (\S+))? {2,}\S/.exec(line);
    expect(match, `overview line: ${line}`).not.toBeNull();
    return { command: match![1]!, rest: match![2] ?? '' };
  });
}

/** The top-level keys of a JSON shape as the docs write it (`{"ok": true, "unread": {...}, "fix"?}`); `?` = optional. */
function shapeKeys(shape: string): { keys: string[]; optional: string[] } {
  const keys: string[] = [];
  const optional: string[] = [];
  let depth = 0;
  let expectKey = false;
  for (let i = 0; i < shape.length; i++) {
    const c = shape[i]!;
    if (c === '{' || c === '[') {
      depth++;
      expectKey = depth === 1 && c === '{';
    } else if (c === '}' || c === ']') depth--;
    else if (c === ',' && depth === 1) expectKey = true;
    else if (c === '"' && depth === 1 && expectKey) {
      const end = shape.indexOf('"', i + 1);
      const key = shape.slice(i + 1, end);
      (shape[end + 1] === '?' ? optional : keys).push(key);
      i = end;
      expectKey = false;
    } else if (c === '"') i = shape.indexOf('"', i + 1);
  }
  return { keys: keys.sort(), optional: optional.sort() };
}

/** docs/cli.md's `--json` table: command -> its shape. */
function documentedShapes(): Map<string, string> {
  const rows = [...docs.matchAll(/^\| (\w+) \| `(\{.*\})`/gm)];
  return new Map(rows.map((r) => [r[1]!, r[2]!.replaceAll('\\|', '|')]));
}

describe('the command overview', () => {
  it('has one line for every command of the table, and nothing else', () => {
    const listed = overviewLines().map((l) => l.command);
    expect(new Set(listed)).toEqual(new Set(Object.keys(commands)));
    // One line each, except setup: one per client (or a line naming several).
    const counts = listed.filter((c) => c !== 'setup');
    expect(counts.length).toBe(new Set(counts).size);
  });

  it('lists every setup target', () => {
    const targets = overviewLines()
      .filter((l) => l.command === 'setup')
      .flatMap((l) => l.rest.split('|'));
    expect(new Set(targets)).toEqual(new Set(['code', 'desktop', ...Object.keys(CLIENTS)]));
  });

  it('gives every command a --help of its own', async () => {
    for (const [name, load] of Object.entries(commands)) {
      const { usage } = await load();
      expect(usage, name).toMatch(new RegExp(`^Usage: mcp-relay ${name === 'serve' ? '\\[serve\\]' : name}(?= |\n)`));
    }
    // And the entry prints it, for a command and for the default one.
    const home = tempDir();
    const help = await runCli(['sessions', '--help'], home);
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toBe(`${(await commands.sessions!()).usage}\n`);
    expect((await runCli(['--help'], home)).stdout).toBe(`${overview}\n`);
  });
});

describe('docs/cli.md', () => {
  it('lists every command the overview lists, and no other', () => {
    const section = docs.split('### Every command')[1]!.split('\n### ')[0]!;
    const documented = new Set([...section.matchAll(/`(?:mcp-relay )?(setup \w+|\w+)`/g)].map((m) => m[1]!));
    const expected = overviewLines().flatMap((l) =>
      l.command === 'setup' ? l.rest.split('|').map((t) => `setup ${t}`) : [l.command],
    );
    for (const command of expected) expect(documented, command).toContain(command);
    const commandsInDocs = [...section.matchAll(/^\| `mcp-relay (\w+)/gm)].map((m) => m[1]!);
    expect(new Set(commandsInDocs)).toEqual(new Set(Object.keys(commands)));
  });

  it('states the exit codes the overview states', () => {
    expect(overview).toContain('Exit codes: 0 ok, 1 error (message on stderr), 2 bad flags.');
    expect(docs).toMatch(/Exit codes: 0 ok, 1 error \(one line on stderr\), 2 bad flags/);
  });

  it('documents the --json shape of every command that has --json, as its --help does', async () => {
    const shapes = documentedShapes();
    for (const [name, load] of Object.entries(commands)) {
      const { usage } = await load();
      // The --json line and the lines continuing it (indented under its text).
      const line = /^ +--json +(.*(?:\n {6,}\S.*)*)/m.exec(usage)?.[1]?.replace(/\n +/g, ' ');
      if (line === undefined) continue;
      if (name === 'watch') {
        expect(docs).toMatch(/^\| watch \| one message object per line/m);
        continue;
      }
      if (name === 'setup') {
        expect(shapes.get(name)).toBeDefined();
        continue;
      }
      const documented = shapes.get(name);
      expect(documented, `docs/cli.md --json row for ${name}`).toBeDefined();
      const inUsage = /\{.*\}/.exec(line)?.[0];
      expect(inUsage, `${name} --help shows its --json shape`).toBeDefined();
      if (name === 'fetch') continue; // "as relay_fetch returns them": the shape is the tool's
      expect(shapeKeys(inUsage!), name).toEqual(shapeKeys(documented!));
    }
  });

  it('prints what the --json table says', async () => {
    const home = tempDir();
    const shapes = documentedShapes();
    const run = async (args: string[]) => {
      const result = await runCli([...args, '--json'], home);
      return Object.keys(JSON.parse(result.stdout) as object);
    };
    const cases: [string, string[]][] = [
      ['send', ['send', '--as', 'desktop', 'hello']],
      ['fetch', ['fetch', '--peek']],
      ['status', ['status']],
      ['sessions', ['sessions']],
      ['search', ['search', 'hello']],
      ['doctor', ['doctor']],
      ['setup', ['setup', 'desktop', '--dry-run']],
      ['clear', ['clear', '--yes']],
    ];
    for (const [name, args] of cases) {
      const { keys, optional } = shapeKeys(shapes.get(name)!);
      const printed = await run(args);
      expect(new Set(printed.filter((k) => !optional.includes(k))), name).toEqual(new Set(keys));
    }
    const missing = await run(['status', '--db', path.join(home, 'none', 'relay.db')]);
    expect(missing).toContain('directoryExists');
  });
});
