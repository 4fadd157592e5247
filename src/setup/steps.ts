// What a setup run consists of: steps planned first (every file read and checked, nothing written), then applied.
// Also the one rule, shared by every target, for an `mcpServers.relay` entry: add it, leave it, update relay's
// own, and never touch an entry someone else wrote or edited unless --force says so.
import { isDeepStrictEqual } from 'node:util';

import { applyChange, changed, type FileChange, type JsonFile, jsonText } from './config-file.js';
import { getIn, parseObject, removeIn, setIn } from './json-edit.js';
import { type Launcher, relayArgs, shellJoin } from './launcher.js';

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
  /** Set after applying: the backup made before changing the file. */
  backup?: string | null;
}

export interface SetupOptions {
  uninstall: boolean;
  force: boolean;
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

export function sameEntry(current: unknown, desired: ServerEntry): boolean {
  if (current === null || typeof current !== 'object' || Array.isArray(current)) return false;
  return isDeepStrictEqual(withoutDefaults(current as Record<string, unknown>), withoutDefaults(desired));
}

/** True when `rest` (the arguments after the launcher) is a shape setup writes for this client. */
export type ArgsShape = (rest: string[]) => boolean;

/** An entry exactly as setup writes it (by any launcher, from any path): relay's own, safe to update or remove. */
export function isSetupEntry(current: unknown, shape: ArgsShape): boolean {
  if (current === null || typeof current !== 'object' || Array.isArray(current)) return false;
  const entry = withoutDefaults(current as Record<string, unknown>);
  if (Object.keys(entry).some((k) => k !== 'command' && k !== 'args')) return false;
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

/**
 * The step for `mcpServers.relay` in a JSON config file. `label` names the place in messages ("mcpServers.relay
 * in ~/.claude.json"). An edited or foreign entry is a conflict on install and is kept on uninstall, unless forced.
 */
export function serverEntryStep(
  file: JsonFile,
  what: string,
  desired: ServerEntry,
  shape: ArgsShape,
  options: SetupOptions,
  newFileMode = 0o644,
): Step {
  const path = ['mcpServers', 'relay'];
  const current = getIn(file.data, path);
  const base = { what, target: file.path };
  const label = `mcpServers.relay in ${file.path}`;
  const edit = (body: string): FileChange => ({
    path: file.path,
    before: file.text,
    after: jsonText(file, body),
    mode: newFileMode,
  });

  if (!options.uninstall) {
    if (current === undefined) {
      return {
        ...base,
        status: file.text === null ? 'create' : 'update',
        detail: `add ${label}: ${describeEntry(desired)}`,
        change: edit(setIn(file.body, path, desired)),
      };
    }
    if (sameEntry(current, desired)) return { ...base, status: 'unchanged', detail: `${label} is already set` };
    if (isSetupEntry(current, shape) || options.force) {
      return {
        ...base,
        status: 'update',
        detail: `replace ${label} (was: ${describeEntry(current)})`,
        change: edit(setIn(file.body, path, desired)),
      };
    }
    return {
      ...base,
      status: 'conflict',
      detail: `${label} is not what setup writes (${describeEntry(current)}); left as it is. Run again with --force to replace it.`,
    };
  }
  if (current === undefined) return { ...base, status: 'unchanged', detail: `${label} is not there` };
  if (!isSetupEntry(current, shape) && !options.force) {
    return {
      ...base,
      status: 'kept',
      detail: `${label} was changed after setup (${describeEntry(current)}); left in place. Remove it by hand, or run again with --force.`,
    };
  }
  let body = removeIn(file.body, path);
  if (isDeepStrictEqual(getIn(parseObject(body), ['mcpServers']), {})) body = removeIn(body, ['mcpServers']);
  return { ...base, status: 'remove', detail: `remove ${label}`, change: removal(file, body, newFileMode) };
}

/** A change that removes what setup added; a file left holding only `{}` is deleted (its backup is kept). */
export function removal(file: JsonFile, body: string, mode: number): FileChange {
  const empty = isDeepStrictEqual(parseObject(body), {});
  return { path: file.path, before: file.text, after: empty ? null : jsonText(file, body), mode };
}

/** Applies every step in order, filling in backups. Runs programs with the runner; a failure stops the run. */
export function applySteps(steps: Step[], context: SetupContext): void {
  for (const step of steps) {
    if (step.change !== undefined && changed(step.change)) step.backup = applyChange(step.change, context.now);
    for (const args of step.run ?? []) {
      const [command, ...rest] = args;
      const result = context.runner(command!, rest);
      if (result.code !== 0) {
        throw new SetupRunError(
          `\`${shellJoin(args)}\` failed (exit ${result.code}): ${(result.stderr || result.stdout).trim()}`,
        );
      }
    }
  }
}

export class SetupRunError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SetupRunError';
  }
}
