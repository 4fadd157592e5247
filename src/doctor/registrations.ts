// Every place relay is registered on this machine, read from the clients' own files: Claude Code (user scope, this
// project's local scope and .mcp.json, relay's plugin), Claude Desktop (where the app reads its config), Codex,
// Gemini CLI and Cursor. For each: the entry as written, and how its process is started (a GUI app starts it without
// a shell's PATH; some clients pass it the shell's environment, so RELAY_DB, and some do not). Reads only.
import path from 'node:path';

import { claudeUserConfig, projectConfig } from '../setup/claude-code.js';
import { desktopLocation } from '../setup/claude-desktop.js';
import { relayPlugins } from '../setup/claude-plugin.js';
import { CLIENTS } from '../setup/clients.js';
import { ConfigFileError, JSON_SYNTAX, readConfig, type Syntax } from '../setup/config-file.js';
import { getIn, type JsonPath } from '../setup/json-edit.js';
import type { SetupContext } from '../setup/steps.js';

export interface Registration {
  /** For messages: "Claude Code (user scope)", "Claude Desktop", "Codex CLI". */
  client: string;
  /** The setup target that writes it: code, desktop, codex, gemini, cursor. */
  target: string;
  /** The file holding the entry (for a plugin, its install folder). */
  file: string;
  entry: unknown;
  /** Started by a GUI app: no login shell's PATH. */
  gui: boolean;
  /** The relay process sees the environment of the shell the client was started from (RELAY_DB among it). */
  inheritsEnv: boolean;
  /** A plugin's entry, with `${CLAUDE_PLUGIN_ROOT}` in it. */
  plugin?: { id: string; enabled: boolean };
}

export interface Unreadable {
  client: string;
  file: string;
  message: string;
}

type Where = Pick<SetupContext, 'home' | 'env' | 'platform' | 'cwd'>;

export function registrations(context: Where): { found: Registration[]; unreadable: Unreadable[] } {
  const found: Registration[] = [];
  const unreadable: Unreadable[] = [];
  const look = (
    client: string,
    target: string,
    file: string,
    at: JsonPath,
    how: Pick<Registration, 'gui' | 'inheritsEnv'>,
    syntax: Syntax = JSON_SYNTAX,
  ) => {
    try {
      const entry = getIn(readConfig(file, syntax).data, at);
      if (entry !== undefined) found.push({ client, target, file, entry, ...how });
    } catch (error) {
      if (error instanceof ConfigFileError) unreadable.push({ client, file, message: error.message });
      else throw error;
    }
  };
  const terminal = { gui: false, inheritsEnv: true };
  const user = claudeUserConfig(context);
  look('Claude Code (user scope)', 'code', user, ['mcpServers', 'relay'], terminal);
  look(
    'Claude Code (local scope of this folder)',
    'code',
    user,
    ['projects', context.cwd, 'mcpServers', 'relay'],
    terminal,
  );
  look('Claude Code (project scope: .mcp.json)', 'code', projectConfig(context), ['mcpServers', 'relay'], terminal);
  for (const plugin of relayPlugins(context)) {
    for (const file of [
      path.join(plugin.installPath, '.mcp.json'),
      path.join(plugin.installPath, '.claude-plugin', 'plugin.json'),
    ]) {
      const before = found.length;
      look(`Claude Code (plugin ${plugin.id})`, 'code', file, ['mcpServers', 'relay'], terminal);
      if (found.length === before) look(`Claude Code (plugin ${plugin.id})`, 'code', file, ['relay'], terminal);
      const added = found[before];
      if (added !== undefined) {
        added.plugin = { id: plugin.id, enabled: plugin.enabled };
        break;
      }
    }
  }
  try {
    const desktop = desktopLocation(context);
    look('Claude Desktop', 'desktop', desktop.file, ['mcpServers', 'relay'], { gui: true, inheritsEnv: false });
  } catch (error) {
    if (error instanceof ConfigFileError)
      unreadable.push({ client: 'Claude Desktop', file: error.file, message: error.message });
    else throw error;
  }
  for (const [target, client] of Object.entries(CLIENTS)) {
    // Codex passes MCP servers only a short list of variables (HOME, PATH, …): RELAY_DB is not among them.
    const how = { gui: client.gui, inheritsEnv: !client.gui && target !== 'codex' };
    look(client.title, target, client.file(context), client.at, how, client.syntax);
  }
  return { found, unreadable };
}

/** The buffer a registered relay uses: its `--db`, else its env's RELAY_DB, else the shell's (if it gets it), else ~/.relay_buffer.db. */
export function registeredDb(
  registration: Registration,
  context: Pick<SetupContext, 'home' | 'env'>,
): { db: string; from: string } {
  const args = getIn(registration.entry, ['args']);
  const list = Array.isArray(args) ? args.map(String) : [];
  for (let i = 0; i < list.length; i++) {
    if (list[i] === '--db' && list[i + 1] !== undefined) return { db: list[i + 1]!, from: '--db' };
    if (list[i]!.startsWith('--db=')) return { db: list[i]!.slice(5), from: '--db' };
  }
  const own = getIn(registration.entry, ['env', 'RELAY_DB']);
  if (typeof own === 'string' && own !== '') return { db: own, from: 'its env RELAY_DB' };
  const shell = context.env.RELAY_DB;
  if (registration.inheritsEnv && shell !== undefined && shell !== '')
    return { db: shell, from: 'RELAY_DB in your shell' };
  return { db: path.join(context.home, '.relay_buffer.db'), from: 'the default' };
}
