// The Claude Code conveniences: the /get command and the start-up hook (the prompts work without them, so their
// absence is a warning). relay's plugin brings its own; the Python relay's versions are named for an upgrade.
import fs from 'node:fs';

import { claudeDir, getCommandFile, isPreviewCommand, settingsFile } from '../setup/claude-code.js';
import { enabledRelayPlugin } from '../setup/claude-plugin.js';
import { ConfigFileError, readJson, readText } from '../setup/config-file.js';
import { classifyGetCommand } from '../setup/get-command.js';
import { getIn } from '../setup/json-edit.js';
import { launcherScript, shellSplit } from '../setup/launcher.js';
import { isPythonGetCommand, isPythonPreviewHook } from '../setup/legacy.js';
import { type Check, type DoctorContext, fail, ok, warn } from './check.js';

export function codeInstalled(context: DoctorContext): boolean {
  return context.claudePath !== null || fs.existsSync(claudeDir(context));
}

const OLD = 'the old relay (mcp-server-relay 1.x)';

export function codeExtras(context: DoctorContext): Check[] {
  if (!codeInstalled(context)) return [];
  const fixSetup = `${context.self} setup code`;
  const plugin = enabledRelayPlugin(context);
  const checks: Check[] = [];
  const command = readText(getCommandFile(context));
  if (command.text === null) {
    if (plugin === null)
      checks.push(warn('/get command', `${command.path} is missing (/mcp__relay__get still works)`, fixSetup));
  } else if (isPythonGetCommand(command.text)) {
    checks.push(fail('/get command', `${command.path} is ${OLD}'s: run setup to upgrade`, fixSetup));
  } else {
    const kind = classifyGetCommand(command.text);
    if (kind === 'foreign')
      checks.push(warn('/get command', `${command.path} is not relay's (/mcp__relay__get still works)`));
    else if (plugin !== null) {
      checks.push(
        warn('/get command', `${command.path} is setup's, beside the plugin ${plugin.id} which has its own`, fixSetup),
      );
    } else checks.push(ok('/get command', `${command.path}${kind === 'edited' ? ' (edited by you)' : ''}`));
  }
  const settings = settingsFile(context);
  let groups: unknown;
  try {
    groups = getIn(readJson(settings).data, ['hooks', 'SessionStart']);
  } catch (error) {
    if (error instanceof ConfigFileError)
      return [...checks, fail('start-up hook', error.message, `fix or move ${settings}`)];
    throw error;
  }
  const commands = (Array.isArray(groups) ? groups : [])
    .flatMap((g: unknown) => {
      const hooks = getIn(g, ['hooks']);
      return Array.isArray(hooks) ? hooks : [];
    })
    .map((h: unknown) => getIn(h, ['command']));
  if (commands.some(isPythonPreviewHook)) {
    checks.push(fail('start-up hook', `${settings} runs ${OLD}'s relay-preview.py: run setup to upgrade`, fixSetup));
    return checks;
  }
  const first = commands.filter(isPreviewCommand)[0] as string | undefined;
  if (first === undefined) {
    if (plugin !== null) checks.push(ok('start-up hook', `the plugin ${plugin.id} brings it`));
    else {
      checks.push(
        warn(
          'start-up hook',
          `no relay SessionStart hook in ${settings} (new sessions will not preview unread messages)`,
          fixSetup,
        ),
      );
    }
    return checks;
  }
  const words = shellSplit(first) ?? [];
  const script = launcherScript(words[0] ?? '', words.slice(1));
  if (script !== null && !fs.existsSync(script)) {
    checks.push(fail('start-up hook', `the SessionStart hook runs ${script}, which no longer exists`, fixSetup));
  } else if (plugin !== null) {
    checks.push(
      warn(
        'start-up hook',
        `${settings} has setup's preview hook beside the plugin ${plugin.id}'s: previews show twice`,
        fixSetup,
      ),
    );
  } else checks.push(ok('start-up hook', `${settings}: ${first}`));
  return checks;
}
