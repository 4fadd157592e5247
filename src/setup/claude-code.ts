// Claude Code set-up: the MCP registration (user scope through `claude mcp add`, or ~/.claude.json when claude is
// not on PATH; project scope in ./.mcp.json), the /get command, and the SessionStart hook that previews unread
// messages. Plans steps only; steps.ts applies them. Claude Code's directory is ~/.claude on every platform
// ($CLAUDE_CONFIG_DIR when set, as Claude Code itself does).
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';

import { type FileChange, type JsonFile, jsonText, readJson, readText } from './config-file.js';
import { classifyGetCommand, getCommandText } from './get-command.js';
import { getIn, parseObject, removeIn, setIn } from './json-edit.js';
import { commandLine, relayArgs, shellJoin, shellSplit } from './launcher.js';
import {
  type ArgsShape,
  describeEntry,
  isSetupEntry,
  removal,
  sameEntry,
  type ServerEntry,
  serverEntryStep,
  type SetupContext,
  type SetupOptions,
  type Step,
} from './steps.js';

export type CodeScope = 'user' | 'project';

/** The SessionStart sources the preview runs for: a new session, a resumed one, and after /clear. */
export const HOOK_MATCHER = 'startup|resume|clear';
export const PREVIEW_ARGS = ['preview', '--for', 'code'] as const;

export function claudeDir(context: Pick<SetupContext, 'home' | 'env'>): string {
  return context.env.CLAUDE_CONFIG_DIR || path.join(context.home, '.claude');
}

/** Claude Code's user-scope file (MCP servers among much else). */
export function claudeUserConfig(context: Pick<SetupContext, 'home' | 'env'>): string {
  return context.env.CLAUDE_CONFIG_DIR
    ? path.join(context.env.CLAUDE_CONFIG_DIR, '.claude.json')
    : path.join(context.home, '.claude.json');
}

export const settingsFile = (context: Pick<SetupContext, 'home' | 'env'>) =>
  path.join(claudeDir(context), 'settings.json');
export const getCommandFile = (context: Pick<SetupContext, 'home' | 'env'>) =>
  path.join(claudeDir(context), 'commands', 'get.md');
export const projectConfig = (context: Pick<SetupContext, 'cwd'>) => path.join(context.cwd, '.mcp.json');

const codeShape: ArgsShape = (rest) => isDeepStrictEqual(rest, ['--client', 'code']);

export function codeEntry(context: SetupContext): ServerEntry {
  return { command: context.launcher.command, args: [...context.launcher.args, '--client', 'code'] };
}

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

export function planCode(context: SetupContext, scope: CodeScope, options: SetupOptions): Step[] {
  // Read (and so validate) every file before anything is written.
  const registration = scope === 'project' ? projectStep(context, options) : userStep(context, options);
  return [registration, getCommandStep(context, options), hookStep(context, options)];
}

function projectStep(context: SetupContext, options: SetupOptions): Step {
  return serverEntryStep(
    readJson(projectConfig(context)),
    'relay MCP server (project scope)',
    codeEntry(context),
    codeShape,
    options,
  );
}

function userStep(context: SetupContext, options: SetupOptions): Step {
  const what = 'relay MCP server (user scope)';
  const file = readJson(claudeUserConfig(context));
  if (context.claudePath === null) {
    // Without the claude CLI, write Claude Code's user-scope file the way `claude mcp add --scope user` would.
    const step = serverEntryStep(
      file,
      what,
      { type: 'stdio', ...codeEntry(context), env: {} },
      codeShape,
      options,
      0o600,
    );
    return step.change === undefined
      ? step
      : { ...step, detail: `${step.detail} (claude is not on PATH, so the file is edited directly)` };
  }
  const claude = context.claudePath;
  const current = getIn(file.data, ['mcpServers', 'relay']);
  const desired = codeEntry(context);
  const add = [claude, 'mcp', 'add', '--scope', 'user', 'relay', '--', desired.command, ...desired.args];
  const remove = [claude, 'mcp', 'remove', '--scope', 'user', 'relay'];
  const base = { what, target: 'claude mcp' };
  if (!options.uninstall) {
    if (current === undefined)
      return {
        ...base,
        status: 'create',
        detail: `run: ${shellJoin(['claude', ...add.slice(1)], context.platform)}`,
        run: [add],
      };
    if (sameEntry(current, desired))
      return { ...base, status: 'unchanged', detail: 'relay is already registered with Claude Code (user scope)' };
    if (isSetupEntry(current, codeShape) || options.force) {
      return {
        ...base,
        status: 'update',
        detail: `re-register relay (was: ${describeEntry(current)}): claude mcp remove, then claude mcp add`,
        run: [remove, add],
      };
    }
    return {
      ...base,
      status: 'conflict',
      detail:
        `Claude Code already has a user-scope server named relay that setup did not write (${describeEntry(current)}); left as ` +
        `it is. Run again with --force to replace it.`,
    };
  }
  if (current === undefined)
    return { ...base, status: 'unchanged', detail: 'relay is not registered with Claude Code (user scope)' };
  if (!isSetupEntry(current, codeShape) && !options.force) {
    return {
      ...base,
      status: 'kept',
      detail:
        `the user-scope relay server was changed after setup (${describeEntry(current)}); left in place. Run \`claude mcp remove ` +
        `--scope user relay\`, or run again with --force.`,
    };
  }
  return { ...base, status: 'remove', detail: 'run: claude mcp remove --scope user relay', run: [remove] };
}

function getCommandStep(context: SetupContext, options: SetupOptions): Step {
  const file = readText(getCommandFile(context));
  const desired = getCommandText();
  const base = { what: '/get command', target: file.path };
  const kind = file.text === null ? null : classifyGetCommand(file.text);
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
    if (kind === 'ours' || options.force)
      return { ...base, status: 'update', detail: `rewrite ${file.path}`, change: change(desired) };
    return {
      ...base,
      status: 'conflict',
      detail:
        kind === 'edited'
          ? `${file.path} was edited after setup; left as it is. Run again with --force to replace it.`
          : `${file.path} exists and is not relay's; left as it is (relay's prompt /mcp__relay__get works anyway). Move it away, or ` +
            `run again with --force.`,
    };
  }
  if (kind === null) return { ...base, status: 'unchanged', detail: `${file.path} is not there` };
  if (kind === 'ours' || (kind === 'edited' && options.force))
    return { ...base, status: 'remove', detail: `delete ${file.path}`, change: change(null) };
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
}

function relayHooks(file: JsonFile): FoundHook[] | null {
  const groups = getIn(file.data, ['hooks', 'SessionStart']);
  if (groups === undefined) return [];
  if (!Array.isArray(groups)) return null;
  const found: FoundHook[] = [];
  groups.forEach((group: unknown, g) => {
    const hooks = getIn(group, ['hooks']);
    if (!Array.isArray(hooks)) return;
    hooks.forEach((hook: unknown, h) => {
      const command = getIn(hook, ['command']);
      if (getIn(hook, ['type']) === 'command' && isPreviewCommand(command)) {
        const plain = Object.keys(hook as object).every((k) => k === 'type' || k === 'command');
        found.push({ group: g, hook: h, command: command as string, plain });
      }
    });
  });
  return found;
}

function hookStep(context: SetupContext, options: SetupOptions): Step {
  const file = readJson(settingsFile(context));
  const desired = hookCommand(context);
  const base = { what: 'SessionStart hook', target: file.path };
  const edit = (body: string): FileChange => ({
    path: file.path,
    before: file.text,
    after: jsonText(file, body),
    mode: 0o644,
  });
  const found = relayHooks(file);
  if (found === null) {
    return {
      ...base,
      status: options.uninstall ? 'kept' : 'conflict',
      detail: `hooks.SessionStart in ${file.path} is not a list; left as it is: fix it, then run setup again.`,
    };
  }
  if (!options.uninstall) {
    if (found.some((f) => f.command === desired))
      return { ...base, status: 'unchanged', detail: `the preview hook in ${file.path} is already set` };
    const first = found[0];
    if (first !== undefined) {
      return {
        ...base,
        status: 'update',
        detail: `update the preview hook in ${file.path} to run: ${desired}`,
        change: edit(setIn(file.body, ['hooks', 'SessionStart', first.group, 'hooks', first.hook, 'command'], desired)),
      };
    }
    const groups = getIn(file.data, ['hooks', 'SessionStart']);
    const index = Array.isArray(groups) ? groups.length : 0;
    const group = { matcher: HOOK_MATCHER, hooks: [{ type: 'command', command: desired }] };
    const body =
      index === 0 && groups === undefined
        ? setIn(file.body, ['hooks', 'SessionStart'], [group])
        : setIn(file.body, ['hooks', 'SessionStart', index], group);
    return {
      ...base,
      status: file.text === null ? 'create' : 'update',
      detail: `add a SessionStart hook to ${file.path}: ${desired}`,
      change: edit(body),
    };
  }
  if (found.length === 0) return { ...base, status: 'unchanged', detail: `no relay hook in ${file.path}` };
  const removable = found.filter((f) => f.plain || options.force);
  const kept = found.length - removable.length;
  if (removable.length === 0) {
    return {
      ...base,
      status: 'kept',
      detail: `the relay hook in ${file.path} was edited after setup; left in place (--force removes it).`,
    };
  }
  let body = file.body;
  // Last first, so earlier indices stay valid; then drop containers the removal left empty.
  for (const f of [...removable].reverse()) {
    body = removeIn(body, ['hooks', 'SessionStart', f.group, 'hooks', f.hook]);
    const group = getIn(parseObject(body), ['hooks', 'SessionStart', f.group]);
    const rest = Object.keys(group as object).filter((k) => k !== 'matcher' && k !== 'hooks');
    if (isDeepStrictEqual(getIn(group, ['hooks']), []) && rest.length === 0)
      body = removeIn(body, ['hooks', 'SessionStart', f.group]);
  }
  if (isDeepStrictEqual(getIn(parseObject(body), ['hooks', 'SessionStart']), []))
    body = removeIn(body, ['hooks', 'SessionStart']);
  if (isDeepStrictEqual(getIn(parseObject(body), ['hooks']), {})) body = removeIn(body, ['hooks']);
  const note = kept > 0 ? ` (${kept} edited one left in place)` : '';
  return {
    ...base,
    status: 'remove',
    detail: `remove the relay hook from ${file.path}${note}`,
    change: removal(file, body, 0o644),
  };
}
