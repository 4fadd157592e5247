// The Claude Code conveniences beside the MCP registration: the /get command (~/.claude/commands/get.md) and the
// SessionStart hook that previews unread messages (~/.claude/settings.json); and the Python relay's versions of
// both (its get.md, its `python3 …/relay-preview.py` hook and that script), which setup replaces. Plans steps only.
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';

import { type ConfigFile, editRemove, editSet, fileText, readJson, readText } from './config-file.js';
import type { FileChange } from './file-change.js';
import { classifyGetCommand, getCommandText } from './get-command.js';
import { getIn } from './json-edit.js';
import { commandLine, relayArgs, shellSplit } from './launcher.js';
import { isPythonGetCommand, isPythonPreviewHook, isPythonPreviewScript, PYTHON_RELAY } from './legacy.js';
import { removal, type SetupContext, type SetupOptions, type Step } from './steps.js';

/** The SessionStart sources the preview runs for: a new session, a resumed one, and after /clear. */
export const HOOK_MATCHER = 'startup|resume|clear';
export const PREVIEW_ARGS = ['preview', '--for', 'code'] as const;

type Where = Pick<SetupContext, 'home' | 'env'>;

export function claudeDir(context: Where): string {
  return context.env.CLAUDE_CONFIG_DIR || path.join(context.home, '.claude');
}

export const settingsFile = (context: Where) => path.join(claudeDir(context), 'settings.json');
export const getCommandFile = (context: Where) => path.join(claudeDir(context), 'commands', 'get.md');
export const pythonPreviewScript = (context: Where) => path.join(claudeDir(context), 'scripts', 'relay-preview.py');

export function hookCommand(context: SetupContext): string {
  return commandLine(context.launcher, PREVIEW_ARGS, context.platform);
}

/** True when a hook's command runs relay's preview (by any launcher, from any path). */
export function isPreviewCommand(command: unknown): boolean {
  if (typeof command !== 'string') return false;
  const words = shellSplit(command);
  if (words === null || words.length === 0) return false;
  const rest = relayArgs(words[0]!, words.slice(1));
  return rest !== null && isDeepStrictEqual(rest, [...PREVIEW_ARGS]);
}

export function getCommandStep(context: SetupContext, options: SetupOptions): Step {
  const file = readText(getCommandFile(context));
  const desired = getCommandText();
  const base = { what: '/get command', target: file.path };
  const python = file.text !== null && isPythonGetCommand(file.text);
  const kind = file.text === null ? null : python ? 'python' : classifyGetCommand(file.text);
  // relay's own unedited file holds nothing of the user's: no backup needed when it is replaced or removed.
  const change = (after: string | null): FileChange => ({
    path: file.path,
    before: file.text,
    after,
    mode: 0o644,
    backup: kind !== 'ours',
  });
  if (!options.uninstall) {
    if (kind === null) return { ...base, status: 'create', detail: `create ${file.path}`, change: change(desired) };
    if (file.text === desired) return { ...base, status: 'unchanged', detail: `${file.path} is up to date` };
    if (kind === 'python') {
      return {
        ...base,
        status: 'update',
        detail: `upgrade ${PYTHON_RELAY}'s /get: rewrite ${file.path}`,
        change: change(desired),
      };
    }
    if (kind === 'ours' || options.force) {
      return { ...base, status: 'update', detail: `rewrite ${file.path}`, change: change(desired) };
    }
    return {
      ...base,
      status: 'conflict',
      detail:
        kind === 'edited'
          ? `${file.path} was edited after setup; left as it is. Run again with --force to replace it.`
          : `${file.path} exists and is not relay's; left as it is (relay's prompt /mcp__relay__get works anyway). ` +
            `Move it away, or run again with --force.`,
    };
  }
  if (kind === null) return { ...base, status: 'unchanged', detail: `${file.path} is not there` };
  if (kind === 'ours' || kind === 'python' || (kind === 'edited' && options.force)) {
    const was = kind === 'python' ? ` (${PYTHON_RELAY}'s)` : '';
    return { ...base, status: 'remove', detail: `delete ${file.path}${was}`, change: change(null) };
  }
  return {
    ...base,
    status: 'kept',
    detail:
      kind === 'edited'
        ? `${file.path} was edited after setup; left in place (--force deletes it).`
        : `${file.path} is not relay's; left in place.`,
  };
}

interface FoundHook {
  group: number;
  hook: number;
  command: string;
  /** Exactly {type: "command", command}: as setup writes it. */
  plain: boolean;
  python: boolean;
}

const SESSION_START = ['hooks', 'SessionStart'] as const;

/** relay's preview hooks (and the Python relay's) in SessionStart; null when SessionStart is not a list. */
function relayHooks(data: unknown): FoundHook[] | null {
  const groups = getIn(data, SESSION_START);
  if (groups === undefined) return [];
  if (!Array.isArray(groups)) return null;
  const found: FoundHook[] = [];
  groups.forEach((group: unknown, g) => {
    const hooks = getIn(group, ['hooks']);
    if (!Array.isArray(hooks)) return;
    hooks.forEach((hook: unknown, h) => {
      const command = getIn(hook, ['command']);
      if (getIn(hook, ['type']) !== 'command') return;
      const python = isPythonPreviewHook(command);
      if (python || isPreviewCommand(command)) {
        const plain = Object.keys(hook as object).every((k) => k === 'type' || k === 'command');
        found.push({ group: g, hook: h, command: command as string, plain, python });
      }
    });
  });
  return found;
}

/** Removes hooks (last first, so earlier indices stay valid), then the containers that removal left empty. */
function withoutHooks(file: ConfigFile, body: string, hooks: FoundHook[]): string {
  const parse = (text: string) => file.syntax.parse(text);
  for (const f of [...hooks].sort((a, b) => b.group - a.group || b.hook - a.hook)) {
    body = editRemove(file, body, [...SESSION_START, f.group, 'hooks', f.hook]);
    const group = getIn(parse(body), [...SESSION_START, f.group]);
    const rest = Object.keys(group as object).filter((k) => k !== 'matcher' && k !== 'hooks');
    if (isDeepStrictEqual(getIn(group, ['hooks']), []) && rest.length === 0) {
      body = editRemove(file, body, [...SESSION_START, f.group]);
    }
  }
  if (isDeepStrictEqual(getIn(parse(body), SESSION_START), [])) body = editRemove(file, body, SESSION_START);
  if (isDeepStrictEqual(getIn(parse(body), ['hooks']), {})) body = editRemove(file, body, ['hooks']);
  return body;
}

export function hookStep(context: SetupContext, options: SetupOptions): Step {
  const file = readJson(settingsFile(context));
  const desired = hookCommand(context);
  const base = { what: 'SessionStart hook', target: file.path };
  const edit = (body: string): FileChange => ({
    path: file.path,
    before: file.text,
    after: fileText(file, body),
    mode: 0o644,
  });
  const found = relayHooks(file.data);
  if (found === null) {
    return {
      ...base,
      status: options.uninstall ? 'kept' : 'conflict',
      detail: `hooks.SessionStart in ${file.path} is not a list; left as it is: fix it, then run setup again.`,
    };
  }
  const python = found.filter((f) => f.python);
  const upgrade = python.length > 0 ? ` (replacing ${PYTHON_RELAY}'s python3 relay-preview.py hook)` : '';
  if (!options.uninstall) {
    if (python.length === 0 && found.some((f) => f.command === desired)) {
      return { ...base, status: 'unchanged', detail: `the preview hook in ${file.path} is already set` };
    }
    // The Python relay's hooks go first; then relay's own hook is updated, kept, or added.
    const body = withoutHooks(file, file.body, python);
    const ours = relayHooks(file.syntax.parse(body)) ?? [];
    if (ours.some((f) => f.command === desired)) {
      return {
        ...base,
        status: 'update',
        detail: `remove the old hook from ${file.path}${upgrade}`,
        change: edit(body),
      };
    }
    const first = ours[0];
    if (first !== undefined) {
      const at = [...SESSION_START, first.group, 'hooks', first.hook, 'command'];
      return {
        ...base,
        status: 'update',
        detail: `update the preview hook in ${file.path} to run: ${desired}${upgrade}`,
        change: edit(editSet(file, body, at, desired)),
      };
    }
    const groups = getIn(file.syntax.parse(body), SESSION_START);
    const group = { matcher: HOOK_MATCHER, hooks: [{ type: 'command', command: desired }] };
    const added = Array.isArray(groups)
      ? editSet(file, body, [...SESSION_START, groups.length], group)
      : editSet(file, body, SESSION_START, [group]);
    return {
      ...base,
      status: file.text === null ? 'create' : 'update',
      detail: `add a SessionStart hook to ${file.path}: ${desired}${upgrade}`,
      change: edit(added),
    };
  }
  if (found.length === 0) return { ...base, status: 'unchanged', detail: `no relay hook in ${file.path}` };
  const removable = found.filter((f) => f.plain || f.python || options.force);
  const kept = found.length - removable.length;
  if (removable.length === 0) {
    return {
      ...base,
      status: 'kept',
      detail: `the relay hook in ${file.path} was edited after setup; left in place (--force removes it).`,
    };
  }
  const note = kept > 0 ? ` (${kept} edited one left in place)` : '';
  return {
    ...base,
    status: 'remove',
    detail: `remove the relay hook from ${file.path}${note}`,
    change: removal(file, withoutHooks(file, file.body, removable), 0o644),
  };
}

/** The Python relay's preview script, once its hook is gone: removed (backed up). No step when it is not there. */
export function pythonScriptSteps(context: SetupContext): Step[] {
  const file = readText(pythonPreviewScript(context));
  if (file.text === null || !isPythonPreviewScript(file.text)) return [];
  return [
    {
      what: `${PYTHON_RELAY}'s preview script`,
      target: file.path,
      status: 'remove',
      detail: `delete ${file.path} (relay's own preview hook replaces it)`,
      change: { path: file.path, before: file.text, after: null, mode: 0o644 },
    },
  ];
}
