// The TOML editing under `setup codex`: one table set or removed, every other byte of config.toml kept (comments,
// order, spacing, other tables), each edit checked against the parsed document, and refused where a minimal edit
// cannot reach.
import { describe, expect, it } from 'vitest';

import { parseToml, removeTable, setTable, TomlEditError, TomlSyntaxError } from '../src/setup/toml-edit.js';

const relay = { command: '/usr/bin/node', args: ['/opt/relay/dist/cli.js', '--client', 'codex'] };
const at = ['mcp_servers', 'relay'];
const table =
  '[mcp_servers.relay]\ncommand = "/usr/bin/node"\nargs = [ "/opt/relay/dist/cli.js", "--client", "codex" ]\n';

const config = `# Codex config, kept by hand
model = "o3"   # my favourite
approval_policy = "on-request"

[mcp_servers.docs]
command = "npx"
args = ["-y", "docs-mcp"]   # docs server
env = { "API_KEY" = "x" }

[profiles.fast]
model = "gpt-5-mini"

[[notify_hooks]]
cmd = "x"
`;

describe('setTable / removeTable', () => {
  it('adds the table after the other mcp_servers tables and removes it again byte for byte', () => {
    const added = setTable(config, at, relay);
    expect(added).toBe(config.replace('\n[profiles.fast]', `\n${table}\n[profiles.fast]`));
    expect(parseToml(added).mcp_servers).toEqual({ ...(parseToml(config).mcp_servers as object), relay });
    expect(setTable(added, at, relay)).toBe(added);
    expect(removeTable(added, at)).toBe(config);
    expect(removeTable(config, at)).toBe(config);
  });

  it('replaces a table in place, with its sub-tables, and drops the comment that headed a removed one', () => {
    const old = config.replace(
      '\n[profiles.fast]',
      '\n# the relay, by hand\n[mcp_servers.relay]\ncommand = "uvx"\nargs = ["mcp-server-relay"]\n\n' +
        '[mcp_servers.relay.env]\nFOO = "1"\n\n[profiles.fast]',
    );
    const replaced = setTable(old, at, relay);
    expect(replaced).toBe(config.replace('\n[profiles.fast]', `\n# the relay, by hand\n${table}\n[profiles.fast]`));
    expect(removeTable(old, at)).toBe(config);
  });

  it('handles empty files, files without tables, CRLF, and a relay written as keys of [mcp_servers]', () => {
    expect(setTable('', at, relay)).toBe(table);
    expect(setTable('model = "o3"\n', at, relay)).toBe(`model = "o3"\n\n${table}`);
    expect(removeTable(`model = "o3"\n\n${table}`, at)).toBe('model = "o3"\n');
    const crlf = 'a = 1\r\n\r\n[t]\r\ny = 2\r\n';
    expect(setTable(crlf, at, relay)).toBe(`${crlf}\r\n${table.replace(/\n/g, '\r\n')}`);
    const inline =
      '[mcp_servers]\nrelay = { command = "uvx", args = [] } # old\ndocs = { command = "d" }\n\n[x]\na = 1\n';
    expect(setTable(inline, at, relay)).toBe(`[mcp_servers]\ndocs = { command = "d" }\n\n${table}\n[x]\na = 1\n`);
    const dotted = 'mcp_servers.relay.command = "uvx"\nmodel = "x"\n';
    expect(parseToml(setTable(dotted, at, relay))).toEqual({ model: 'x', mcp_servers: { relay } });
  });

  it('refuses what a minimal edit cannot do, and reports syntax errors with their line', () => {
    expect(() => setTable('mcp_servers = { docs = { command = "d" } }\n', at, relay)).toThrow(TomlEditError);
    expect(() => setTable('[[mcp_servers]]\na = 1\n', at, relay)).toThrow('mcp_servers is not a table');
    expect(() => setTable('mcp_servers = 3\n', at, relay)).toThrow(TomlEditError);
    expect(() => parseToml('a = = 1')).toThrow(TomlSyntaxError);
    expect(() => parseToml('a = 1\nb = [')).toThrow(/line 2/);
  });
});
