// The shape every MCP client setup writes to shares: one config file, relay's entry at one place in it, started as
// `--client <the client's name>`. A client is one small file (codex.ts, gemini.ts, cursor.ts) that says where its
// file is, in which syntax, and whether it is a GUI app; this plans its one step. Plans only (apply.ts applies).
import { readConfig, type Syntax } from './config-file.js';
import type { JsonPath } from './json-edit.js';
import { guiEntry } from './launcher.js';
import {
  type EntryRule,
  type ServerEntry,
  serverEntryStep,
  type SetupContext,
  type SetupOptions,
  type Step,
} from './steps.js';

export interface McpClient {
  /** The setup target and `--client` kind: 'codex', 'gemini', 'cursor'. */
  name: string;
  /** For titles: "Codex CLI". */
  title: string;
  /** The config file setup edits. */
  file(context: Pick<SetupContext, 'home' | 'env' | 'platform' | 'cwd'>): string;
  syntax: Syntax;
  /** Where relay's entry goes in it. */
  at: JsonPath;
  /** A GUI app starts programs without a shell's PATH (see launcher.ts). */
  gui: boolean;
  /** What to do after setup for the change to take effect. */
  restart: string;
  /** The new file's mode (a config that may hold tokens: 0600). */
  mode?: number;
}

/** `--client NAME [--debug]` (only Desktop's relay notifies, so no --sound). */
export const clientRule = (client: McpClient): EntryRule => ({ kind: client.name, sound: false });

export function clientEntry(client: McpClient, context: SetupContext): ServerEntry {
  const args = ['--client', client.name];
  if (client.gui) return guiEntry(context.launcher, args, context.execPath, context.platform);
  return { command: context.launcher.command, args: [...context.launcher.args, ...args] };
}

export function planClient(client: McpClient, context: SetupContext, options: SetupOptions): Step[] {
  const file = readConfig(client.file(context), client.syntax);
  const what = `relay MCP server (${client.title})`;
  return [
    serverEntryStep(
      file,
      what,
      clientEntry(client, context),
      clientRule(client),
      options,
      client.mode ?? 0o644,
      client.at,
    ),
  ];
}
