// What a setup run consists of: steps planned first (every file read and checked, nothing written), then applied
// (apply.ts). Also the one rule, shared by every client, for relay's server entry (`mcpServers.relay`, Codex's
// `mcp_servers.relay`): add it, leave it, update relay's own, upgrade the Python relay's, and never touch an entry
// someone else wrote or edited unless --force says so.
import { isDeepStrictEqual } from 'node:util';

import { type ConfigFile, editRemove, editSet, fileText } from './config-file.js';
import type { FileChange } from './file-change.js';
import { getIn, type JsonPath } from './json-edit.js';
import { type Launcher, relayArgs, shellJoin } from './launcher.js';
import { isPythonRelayEntry, PYTHON_RELAY } from './legacy.js';
import { type ArgsShape, carryFlags, type EntryRule, entryShape, type FlagChoice } from './server-flags.js';

export type { ArgsShape, EntryRule, FlagChoice } from './server-flags.js';

export type StepStatus = 'create' | 'update' | 'remove' | 'unchanged' | 'conflict' | 'kept';

export interface Step {
  /** What this step is about, e.g. "relay MCP server (user scope)". */
  what: string;
  /** The file (or program) it touches. */
  target: string;
  status: StepStatus;
  /** One sentence for the person. */
  detail: string;
  /** The file change to make, if any. */
  change?: FileChange;
  /** Programs to run (e.g. `claude mcp add ...`), each as an argument array. */
  run?: string[][];
  /** Files those programs may rewrite: backed up before they run, so the person's original is always kept. */
  touches?: string[];
  /** Set after applying: the backup made before changing the file. */
  backup?: string | null;
}

export interface SetupOptions {
  uninstall: boolean;
  force: boolean;
  /** The server flags the command line sets (--sound, --debug); what it leaves unsaid the replaced entry keeps. */
  flags?: FlagChoice;
}

/** Runs a program to completion (used for `claude`). */
export type Runner = (command: string, args: string[]) => { code: number | null; stdout: string; stderr: string };

export interface SetupContext {
  home: string;
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  cwd: string;
  now: Date;
  launcher: Launcher;
  /** The node running setup (its folder goes on the PATH of an npx entry for a GUI client). */
  execPath: string;
  /** Absolute path of `claude` when it is on PATH. */
  claudePath: string | null;
  runner: Runner;
}

export interface ServerEntry {
  command: string;
  args: string[];
  [key: string]: unknown;
}

/** Keys Claude Code adds to an entry by itself; they do not make an entry "edited". */
function withoutDefaults(entry: Record<string, unknown>): Record<string, unknown> {
  const rest = { ...entry };
  if (rest.type === 'stdio') delete rest.type;
  if (isDeepStrictEqual(rest.env, {})) delete rest.env;
  return rest;
}

/** `env` as setup writes it for a program started without a shell: PATH alone (see launcher.ts). */
const isSetupEnv = (env: unknown) =>
  env === undefined ||
  (env !== null &&
    typeof env === 'object' &&
    isDeepStrictEqual(Object.keys(env), ['PATH']) &&
    typeof (env as { PATH: unknown }).PATH === 'string');

export function sameEntry(current: unknown, desired: ServerEntry): boolean {
  if (current === null || typeof current !== 'object' || Array.isArray(current)) return false;
  return isDeepStrictEqual(withoutDefaults(current as Record<string, unknown>), withoutDefaults(desired));
}

/** An entry exactly as setup writes it (by any launcher, from any path): relay's own, safe to update or remove. */
export function isSetupEntry(current: unknown, shape: ArgsShape): boolean {
  if (current === null || typeof current !== 'object' || Array.isArray(current)) return false;
  const entry = withoutDefaults(current as Record<string, unknown>);
  if (Object.keys(entry).some((k) => k !== 'command' && k !== 'args' && k !== 'env') || !isSetupEnv(entry.env))
    return false;
  const { command, args } = entry;
  if (typeof command !== 'string' || !Array.isArray(args) || !args.every((a) => typeof a === 'string')) return false;
  const rest = relayArgs(command, args as string[]);
  return rest !== null && shape(rest);
}

export function describeEntry(entry: unknown): string {
  if (entry !== null && typeof entry === 'object' && typeof (entry as ServerEntry).command === 'string') {
    const { command, args } = entry as ServerEntry;
    return shellJoin([command, ...(Array.isArray(args) ? args.map(String) : [])]);
  }
  return JSON.stringify(entry);
}

/** Where relay's entry lives in a client's config: `mcpServers.relay` (JSON clients), `mcp_servers.relay` (Codex). */
export const MCP_SERVERS: JsonPath = ['mcpServers', 'relay'];

/** `desired` with the server flags it gets in place of `current` (see server-flags.ts), and what to say about them. */
export function withCarriedFlags(
  desired: ServerEntry,
  current: unknown,
  rule: EntryRule,
  options: SetupOptions,
): { entry: ServerEntry; note: string } {
  const { args, note } = carryFlags(current, rule, options.flags);
  return { entry: { ...desired, args: [...desired.args, ...args] }, note: note === undefined ? '' : `; ${note}` };
}

/**
 * The step for relay's server entry in a config file (`at`, by default `mcpServers.relay`), `desired` being the
 * entry without its flags (`--sound`, `--debug`: the command line's, else carried over from the entry replaced).
 * An entry of the Python relay is upgraded (replaced, or removed on uninstall) and said so; an edited or foreign
 * entry is a conflict on install and is kept on uninstall, unless forced.
 */
export function serverEntryStep(
  file: ConfigFile,
  what: string,
  desired: ServerEntry,
  rule: EntryRule,
  options: SetupOptions,
  newFileMode = 0o644,
  at: JsonPath = MCP_SERVERS,
): Step {
  const current = getIn(file.data, at);
  const base = { what, target: file.path };
  const label = `${at.join('.')} in ${file.path}`;
  const shape = entryShape(rule);
  const edit = (body: string): FileChange => ({
    path: file.path,
    before: file.text,
    after: fileText(file, body),
    mode: newFileMode,
  });
  const python = isPythonRelayEntry(current);

  if (!options.uninstall) {
    const { entry, note } = withCarriedFlags(desired, current, rule, options);
    if (current === undefined) {
      return {
        ...base,
        status: file.text === null ? 'create' : 'update',
        detail: `add ${label}: ${describeEntry(entry)}`,
        change: edit(editSet(file, file.body, at, entry)),
      };
    }
    if (sameEntry(current, entry)) return { ...base, status: 'unchanged', detail: `${label} is already set` };
    if (python) {
      return {
        ...base,
        status: 'update',
        detail: `upgrade ${PYTHON_RELAY}: replace ${label} (was: ${describeEntry(current)})${note}`,
        change: edit(editSet(file, file.body, at, entry)),
      };
    }
    if (isSetupEntry(current, shape) || options.force) {
      return {
        ...base,
        status: 'update',
        detail: `replace ${label} (was: ${describeEntry(current)})${note}`,
        change: edit(editSet(file, file.body, at, entry)),
      };
    }
    return {
      ...base,
      status: 'conflict',
      detail: `${label} is not what setup writes (${describeEntry(current)}); left as it is. Run again with --force to replace it.`,
    };
  }
  if (current === undefined) return { ...base, status: 'unchanged', detail: `${label} is not there` };
  if (!python && !isSetupEntry(current, shape) && !options.force) {
    return {
      ...base,
      status: 'kept',
      detail: `${label} was changed after setup (${describeEntry(current)}); left in place. Remove it by hand, or run again with --force.`,
    };
  }
  let body = editRemove(file, file.body, at);
  const parent = at.slice(0, -1);
  if (parent.length > 0 && isDeepStrictEqual(getIn(file.syntax.parse(body), parent), {}))
    body = editRemove(file, body, parent);
  const was = python ? ` (${PYTHON_RELAY})` : '';
  return { ...base, status: 'remove', detail: `remove ${label}${was}`, change: removal(file, body, newFileMode) };
}

/** A change that removes what setup added; a file left holding nothing is deleted (its backup is kept). */
export function removal(file: ConfigFile, body: string, mode: number): FileChange {
  // Comments left alone in a file are still the person's: such a file stays.
  const empty = isDeepStrictEqual(file.syntax.parse(body), {}) && !/#|\/\/|\/\*/.test(body);
  return { path: file.path, before: file.text, after: empty ? null : fileText(file, body), mode };
}

export class SetupRunError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SetupRunError';
  }
}
