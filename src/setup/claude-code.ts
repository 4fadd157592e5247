// Claude Code set-up: the MCP registration (user scope through `claude mcp add`, or ~/.claude.json when claude is
// not on PATH; project scope in ./.mcp.json), then the /get command and the preview hook (claude-extras.ts). The
// Python relay's registrations in this project (./.mcp.json, the local scope in ~/.claude.json) are upgraded too,
// and with relay's Claude Code plugin enabled nothing is registered beside it. Plans steps only (apply.ts applies
// them). Claude Code's directory is ~/.claude on every platform ($CLAUDE_CONFIG_DIR when set, as Claude Code does).
import path from 'node:path';

import { getCommandStep, hookStep, pythonScriptSteps, settingsFile } from './claude-extras.js';
import { enabledRelayPlugin, type RelayPlugin } from './claude-plugin.js';
import { readJson } from './config-file.js';
import { getIn } from './json-edit.js';
import { shellJoin } from './launcher.js';
import { isPythonRelayEntry, PYTHON_RELAY } from './legacy.js';
import { entryShape } from './server-flags.js';
import {
  describeEntry,
  type EntryRule,
  isSetupEntry,
  sameEntry,
  type ServerEntry,
  serverEntryStep,
  type SetupContext,
  type SetupOptions,
  type Step,
  withCarriedFlags,
} from './steps.js';

export { claudeDir, getCommandFile, hookCommand, isPreviewCommand, settingsFile } from './claude-extras.js';

export type CodeScope = 'user' | 'project';

/** Claude Code's user-scope file (MCP servers among much else). */
export function claudeUserConfig(context: Pick<SetupContext, 'home' | 'env'>): string {
  return context.env.CLAUDE_CONFIG_DIR
    ? path.join(context.env.CLAUDE_CONFIG_DIR, '.claude.json')
    : path.join(context.home, '.claude.json');
}

export const projectConfig = (context: Pick<SetupContext, 'cwd'>) => path.join(context.cwd, '.mcp.json');

/** `--client code [--debug]` (only Desktop's relay notifies, so no --sound). */
export const codeRule: EntryRule = { kind: 'code', sound: false };
const codeShape = entryShape(codeRule);

export function codeEntry(context: SetupContext): ServerEntry {
  return { command: context.launcher.command, args: [...context.launcher.args, '--client', 'code'] };
}

export function planCode(context: SetupContext, scope: CodeScope, options: SetupOptions): Step[] {
  // Read (and so validate) every file before anything is written.
  const plugin = enabledRelayPlugin(context);
  if (plugin !== null && !options.uninstall) return besidePlugin(context, scope, plugin);
  const registration = scope === 'project' ? projectStep(context, options) : userStep(context, options);
  const pluginStays: Step[] =
    plugin === null
      ? []
      : [
          {
            what: 'relay plugin',
            target: plugin.installPath,
            status: 'unchanged',
            detail: `relay's Claude Code plugin (${plugin.id}) stays: \`claude plugin uninstall ${plugin.id}\` removes it`,
          },
        ];
  return [
    ...pluginStays,
    registration,
    ...(scope === 'user' ? pythonElsewhere(context, options) : []),
    getCommandStep(context, options),
    hookStep(context, options),
    ...pythonScriptSteps(context),
    ...pythonInDesktopFolder(context),
  ];
}

/**
 * On Windows the Python relay's --setup-code wrote Claude Code's files into %APPDATA%\Claude (Claude Desktop's
 * folder): its get.md, its preview hook in a settings.json there, and the script. They are taken out (backed up).
 */
function pythonInDesktopFolder(context: SetupContext): Step[] {
  if (context.platform !== 'win32') return [];
  const appData = context.env.APPDATA || path.win32.join(context.home, 'AppData', 'Roaming');
  const dir = (appData.includes('\\') ? path.win32 : path.posix).join(appData, 'Claude');
  const there = { ...context, env: { ...context.env, CLAUDE_CONFIG_DIR: dir } };
  const out = { uninstall: true, force: false };
  const python = (step: Step) => step.status === 'remove' && step.detail.includes(PYTHON_RELAY);
  const hook = hookStep(there, out);
  return [
    ...[getCommandStep(there, out)].filter(python),
    ...(hook.status === 'remove' ? [{ ...hook, what: `${PYTHON_RELAY}'s hook in Claude Desktop's folder` }] : []),
    ...pythonScriptSteps(there),
  ];
}

function projectStep(context: SetupContext, options: SetupOptions): Step {
  return serverEntryStep(
    readJson(projectConfig(context)),
    'relay MCP server (project scope)',
    codeEntry(context),
    codeRule,
    options,
  );
}

/**
 * The Python relay registered in this project, where its README told people to put it (./.mcp.json) or in the
 * local scope: Claude Code prefers those to the user scope, so they would go on starting the old relay.
 */
function pythonElsewhere(context: SetupContext, options: SetupOptions): Step[] {
  const steps: Step[] = [];
  const project = readJson(projectConfig(context));
  if (isPythonRelayEntry(getIn(project.data, ['mcpServers', 'relay']))) {
    steps.push(serverEntryStep(project, `${PYTHON_RELAY} (project scope)`, codeEntry(context), codeRule, options));
  }
  const user = readJson(claudeUserConfig(context));
  const local = ['projects', context.cwd, 'mcpServers', 'relay'];
  if (isPythonRelayEntry(getIn(user.data, local))) {
    const desired = { type: 'stdio', ...codeEntry(context), env: {} };
    steps.push(serverEntryStep(user, `${PYTHON_RELAY} (local scope)`, desired, codeRule, options, 0o600, local));
  }
  return steps;
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
      codeRule,
      options,
      0o600,
    );
    return step.change === undefined
      ? step
      : { ...step, detail: `${step.detail} (claude is not on PATH, so the file is edited directly)` };
  }
  const claude = context.claudePath;
  const current = getIn(file.data, ['mcpServers', 'relay']);
  const { entry: desired, note } = withCarriedFlags(codeEntry(context), current, codeRule, options);
  const add = [claude, 'mcp', 'add', '--scope', 'user', 'relay', '--', desired.command, ...desired.args];
  const remove = [claude, 'mcp', 'remove', '--scope', 'user', 'relay'];
  // `claude mcp add` rewrites more than its own entry (settings.json among them): those are backed up first.
  const base = { what, target: 'claude mcp', touches: [claudeUserConfig(context), settingsFile(context)] };
  const python = isPythonRelayEntry(current);
  if (!options.uninstall) {
    if (current === undefined) {
      return {
        ...base,
        status: 'create',
        detail: `run: ${shellJoin(['claude', ...add.slice(1)], context.platform)}`,
        run: [add],
      };
    }
    if (sameEntry(current, desired)) {
      return { ...base, status: 'unchanged', detail: 'relay is already registered with Claude Code (user scope)' };
    }
    if (python || isSetupEntry(current, codeShape) || options.force) {
      const was = python
        ? `upgrade ${PYTHON_RELAY} (was: ${describeEntry(current)})`
        : `re-register relay (was: ${describeEntry(current)})`;
      return {
        ...base,
        status: 'update',
        detail: `${was}: claude mcp remove, then claude mcp add${note}`,
        run: [remove, add],
      };
    }
    return {
      ...base,
      status: 'conflict',
      detail:
        `Claude Code already has a user-scope server named relay that setup did not write (${describeEntry(current)}); ` +
        `left as it is. Run again with --force to replace it.`,
    };
  }
  if (current === undefined) {
    return { ...base, status: 'unchanged', detail: 'relay is not registered with Claude Code (user scope)' };
  }
  if (!python && !isSetupEntry(current, codeShape) && !options.force) {
    return {
      ...base,
      status: 'kept',
      detail:
        `the user-scope relay server was changed after setup (${describeEntry(current)}); left in place. ` +
        `Run \`claude mcp remove --scope user relay\`, or run again with --force.`,
    };
  }
  return { ...base, status: 'remove', detail: 'run: claude mcp remove --scope user relay', run: [remove] };
}

/**
 * relay's plugin is enabled: it brings the server, /get and the preview hook. What setup wrote before is taken out
 * (so nothing runs twice), the Python relay's too; anything else named relay is reported as a second registration.
 */
function besidePlugin(context: SetupContext, scope: CodeScope, plugin: RelayPlugin): Step[] {
  const out = { uninstall: true, force: false };
  const registration = scope === 'project' ? projectStep(context, out) : userStep(context, out);
  const note = `relay's Claude Code plugin (${plugin.id}) is enabled and carries the server, /relay:get and the preview hook`;
  const steps = [
    registration,
    ...(scope === 'user' ? pythonElsewhere(context, out) : []),
    getCommandStep(context, out),
    hookStep(context, out),
  ];
  const marked = steps.map((step): Step => {
    if (step.status === 'remove') return { ...step, detail: `${step.detail}: ${note}, so this would be a second one` };
    if (step.status === 'kept') {
      return { ...step, detail: `${step.detail} Beside ${plugin.id} it is a second registration: remove one of them.` };
    }
    return step;
  });
  const head: Step = {
    what: 'relay plugin',
    target: plugin.installPath,
    status: 'unchanged',
    detail: `${note}; nothing to register beside it`,
  };
  return [head, ...marked, ...pythonScriptSteps(context)];
}
