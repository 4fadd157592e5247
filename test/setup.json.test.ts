// The JSON editing and file machinery under setup: minimal edits that keep the rest of a file byte for byte,
// strict parsing with errors naming the file, backups, atomic writes that keep the mode, symlinks followed.
import fs from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { ConfigFileError, readJson } from '../src/setup/config-file.js';
import { applyChange, backupPath, diffOf } from '../src/setup/file-change.js';
import { detectIndent, getIn, removeIn, setIn } from '../src/setup/json-edit.js';
import { tempDir } from './helpers/temp.js';

const relay = { command: '/usr/bin/node', args: ['/opt/relay/dist/cli.js', '--client', 'code'] };

describe('setIn / removeIn', () => {
  const cases: [string, string][] = [
    [
      'four spaces, other servers',
      '{\n    "theme": "dark",\n    "mcpServers": {\n        "other": { "command": "x" }\n    },\n    "z": [1,2]\n}\n',
    ],
    ['tabs', '{\n\t"a": 1,\n\t"mcpServers": {\n\t\t"other": {\n\t\t\t"command": "x"\n\t\t}\n\t}\n}'],
    ['CRLF', '{\r\n  "a": 1,\r\n  "mcpServers": {}\r\n}\r\n'],
    ['one compact line', '{"a":1,"mcpServers":{"other":{"command":"x"}}}'],
    ['one spaced line', '{ "a": 1, "b": [1, 2] }'],
    ['no mcpServers yet', '{\n  "numStartups": 3,\n  "projects": {\n    "/home/u/p": { "allowedTools": [] }\n  }\n}\n'],
    ['empty object', '{}\n'],
  ];

  it.each(cases)('adds a member and removes it again, leaving %s byte for byte', (_name, original) => {
    const added = setIn(original, ['mcpServers', 'relay'], relay);
    expect(JSON.parse(added)).toEqual({
      ...JSON.parse(original),
      mcpServers: { ...JSON.parse(original).mcpServers, relay },
    });
    // Everything before the insertion point is untouched.
    const firstDifference = [...original].findIndex((c, i) => added[i] !== c);
    expect(original.slice(0, firstDifference)).toBe(added.slice(0, firstDifference));
    let removed = removeIn(added, ['mcpServers', 'relay']);
    if (getIn(JSON.parse(original), ['mcpServers']) === undefined) removed = removeIn(removed, ['mcpServers']);
    expect(removed).toBe(original);
  });

  it("keeps the file's indentation and line endings for what it adds", () => {
    const tabs = setIn('{\n\t"a": 1\n}\n', ['mcpServers', 'relay'], relay);
    expect(tabs).toContain('\n\t"mcpServers": {\n\t\t"relay": {\n\t\t\t"command"');
    const crlf = setIn('{\r\n  "a": 1\r\n}\r\n', ['b'], { c: 1 });
    expect(crlf).toBe('{\r\n  "a": 1,\r\n  "b": {\r\n    "c": 1\r\n  }\r\n}\r\n');
    expect(setIn('{"a":1}', ['b'], [1])).toBe('{"a":1,"b":[1]}');
  });

  it('replaces an existing value in place and appends to arrays', () => {
    const text = '{\n  "mcpServers": {\n    "relay": { "command": "old" },\n    "after": 1\n  }\n}\n';
    const replaced = setIn(text, ['mcpServers', 'relay'], { command: 'new' });
    expect(JSON.parse(replaced).mcpServers).toEqual({ relay: { command: 'new' }, after: 1 });
    expect(Object.keys(JSON.parse(replaced).mcpServers)).toEqual(['relay', 'after']);
    const list = '{\n  "hooks": {\n    "SessionStart": [\n      { "matcher": "a" }\n    ]\n  }\n}\n';
    const appended = setIn(list, ['hooks', 'SessionStart', 1], { matcher: 'b' });
    expect(JSON.parse(appended).hooks.SessionStart).toEqual([{ matcher: 'a' }, { matcher: 'b' }]);
    expect(appended.startsWith('{\n  "hooks": {\n    "SessionStart": [\n      { "matcher": "a" },\n      {')).toBe(
      true,
    );
    expect(removeIn(appended, ['hooks', 'SessionStart', 1])).toBe(list);
  });

  it('removes a first or middle member cleanly, and leaves text alone for an absent path', () => {
    const text = '{\n  "a": 1,\n  "b": 2,\n  "c": 3\n}\n';
    expect(removeIn(text, ['a'])).toBe('{\n  "b": 2,\n  "c": 3\n}\n');
    expect(removeIn(text, ['b'])).toBe('{\n  "a": 1,\n  "c": 3\n}\n');
    expect(removeIn(text, ['nope'])).toBe(text);
  });

  it('detects the indentation unit', () => {
    expect(detectIndent('{\n    "a": 1\n}')).toBe('    ');
    expect(detectIndent('{\n\t"a": 1\n}')).toBe('\t');
    expect(detectIndent('{"a":1}')).toBe('  ');
  });
});

describe('config files', () => {
  it('reads a missing file as empty, and refuses unparsable JSON or a non-object, naming the file', () => {
    const dir = tempDir();
    expect(readJson(path.join(dir, 'none.json'))).toMatchObject({ text: null, data: {} });
    const bad = path.join(dir, 'settings.json');
    fs.writeFileSync(bad, '{ "hooks": { ');
    expect(() => readJson(bad)).toThrow(ConfigFileError);
    expect(() => readJson(bad)).toThrow(`${bad} is not valid JSON`);
    fs.writeFileSync(bad, '[1, 2]');
    expect(() => readJson(bad)).toThrow(/does not hold a JSON object/);
    fs.writeFileSync(bad, '// a comment\n{}');
    expect(() => readJson(bad)).toThrow(/not valid JSON/);
  });

  it('keeps a byte-order mark', () => {
    const file = path.join(tempDir(), 'bom.json');
    fs.writeFileSync(file, '\uFEFF{"a":1}');
    const read = readJson(file);
    expect(read.data).toEqual({ a: 1 });
    expect(read.bom).toBe(true);
  });

  it('backs up before writing, writes atomically with the original mode, and follows a symlink', () => {
    const dir = tempDir();
    const real = path.join(dir, 'dotfiles', 'settings.json');
    fs.mkdirSync(path.dirname(real));
    fs.writeFileSync(real, '{"a":1}', { mode: 0o600 });
    fs.chmodSync(real, 0o600);
    const link = path.join(dir, 'settings.json');
    fs.symlinkSync(real, link);
    const now = new Date('2026-11-25T09:30:05Z');
    const backup = applyChange({ path: link, before: '{"a":1}', after: '{"a":2}', mode: 0o644 }, now);
    expect(backup).toBe(`${link}.bak-20261125-093005`);
    expect(fs.readFileSync(backup!, 'utf8')).toBe('{"a":1}');
    expect(fs.statSync(backup!).mode & 0o777).toBe(0o600);
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(real, 'utf8')).toBe('{"a":2}');
    expect(fs.statSync(real).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(path.dirname(real))).toEqual(['settings.json']);
    expect(backupPath(link, now)).toBe(`${link}.bak-20261125-093005-2`);
  });

  it('refuses to write over a file that changed since it was read', () => {
    const file = path.join(tempDir(), 'x.json');
    fs.writeFileSync(file, '{"a":1}');
    expect(() => applyChange({ path: file, before: '{"a":0}', after: '{}', mode: 0o644 }, new Date())).toThrow(
      /changed while setup was running/,
    );
    expect(fs.readFileSync(file, 'utf8')).toBe('{"a":1}');
  });

  it('shows a change as a unified diff', () => {
    const diff = diffOf({
      path: '/h/.mcp.json',
      before: '{\n  "a": 1\n}\n',
      after: '{\n  "a": 1,\n  "b": 2\n}\n',
      mode: 0o644,
    });
    expect(diff).toContain('--- /h/.mcp.json');
    expect(diff).toContain('+++ /h/.mcp.json');
    expect(diff).toContain('-  "a": 1\n+  "a": 1,\n+  "b": 2');
  });
});
