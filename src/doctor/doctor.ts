// The checks behind `mcp-relay doctor`: each says ok / warn / fail, what it found, and the one command that fixes
// it. Required (fail): Node, the SQLite driver, the database, relay's registration with a Claude that is present,
// and setup's own files pointing at an install that still exists. Optional (warn): notifier and sound player,
// a Claude app that is not installed, the /get command and the start-up hook. Reads only; never writes.
import fs from 'node:fs';
import path from 'node:path';

import { which } from '../lib/which.js';
import { LINUX_PLAYERS } from '../notify/sound.js';
import {
  claudeDir,
  claudeUserConfig,
  getCommandFile,
  isPreviewCommand,
  projectConfig,
  settingsFile,
} from '../setup/claude-code.js';
import { desktopConfigDir, desktopConfigFile } from '../setup/claude-desktop.js';
import { ConfigFileError, readJson, readText } from '../setup/config-file.js';
import { classifyGetCommand } from '../setup/get-command.js';
import { getIn } from '../setup/json-edit.js';
import { launcherScript, shellSplit } from '../setup/launcher.js';
import { isPythonRelayEntry, PYTHON_RELAY } from '../setup/legacy.js';
import type { SetupContext } from '../setup/steps.js';

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface Check {
  name: string;
  status: CheckStatus;
  detail: string;
  /** The one command (or action) that fixes it. */
  fix?: string;
}

export interface DoctorContext extends SetupContext {
  dbPath: string;
  /** How the person runs relay, for fix commands: e.g. `mcp-relay` or `npx -y mcp-server-relay`. */
  self: string;
}

const ok = (name: string, detail: string): Check => ({ name, status: 'ok', detail });
const warn = (name: string, detail: string, fix?: string): Check => ({
  name,
  status: 'warn',
  detail,
  ...(fix ? { fix } : {}),
});
const fail = (name: string, detail: string, fix: string): Check => ({ name, status: 'fail', detail, fix });

export async function runChecks(context: DoctorContext): Promise<Check[]> {
  const checks: Check[] = [nodeCheck()];
  const driver = await driverCheck(context);
  checks.push(driver);
  if (driver.status === 'ok') checks.push(await databaseCheck(context));
  checks.push(...programChecks(context));
  const code = codeRegistration(context);
  const desktop = desktopRegistration(context);
  checks.push(code, ...codeExtras(context), desktop);
  if (code.status === 'warn' && desktop.status === 'warn') {
    checks.push(
      fail('clients', 'relay is registered with neither Claude Code nor Claude Desktop', `${context.self} setup code`),
    );
  }
  return checks;
}

function nodeCheck(): Check {
  const major = Number(process.versions.node.split('.')[0]);
  return major >= 20
    ? ok('Node.js', `v${process.versions.node}`)
    : fail(
        'Node.js',
        `v${process.versions.node} is too old; relay needs Node.js 20 or newer`,
        'install Node.js 20 or newer (https://nodejs.org)',
      );
}

function packageRoot(context: DoctorContext): string {
  return path.resolve(path.dirname(context.launcher.args[0] ?? '.'), '..');
}

async function driverCheck(context: DoctorContext): Promise<Check> {
  try {
    const { driverSqliteVersion } = await import('../store/sqlite/inspect.js');
    return ok('SQLite driver', `better-sqlite3 loads (SQLite ${driverSqliteVersion()})`);
  } catch (error) {
    return fail(
      'SQLite driver',
      `better-sqlite3 does not load: ${(error as Error).message.split('\n')[0]}`,
      `cd "${packageRoot(context)}" && npm rebuild better-sqlite3`,
    );
  }
}

async function databaseCheck(context: DoctorContext): Promise<Check> {
  const name = 'database';
  const file = context.dbPath;
  const { isPostgresUrl } = await import('../store/open.js');
  if (isPostgresUrl(file)) return postgresCheck(name, file);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    return ok(name, `${file} does not exist yet (it is created with the first message)`);
  }
  const { openSqliteStore } = await import('../store/sqlite/store.js');
  const { inspectSqlite } = await import('../store/sqlite/inspect.js');
  const { RelayError } = await import('../store/store.js');
  const { describeUnread, relayStatus } = await import('../lib/status.js');
  let summary: string;
  try {
    // Opening is what every relay process does first: it checks the file and upgrades an older schema.
    const store = openSqliteStore(file, { busyTimeoutMs: 2_000 });
    try {
      const status = await relayStatus(store);
      summary = `${status.total} message${status.total === 1 ? '' : 's'} (unread: ${describeUnread(status.unread)})`;
    } finally {
      await store.close();
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const code = error instanceof RelayError ? error.code : undefined;
    const fix =
      code === 'unwritable'
        ? `chmod u+rw "${file}"`
        : code === 'newer_schema'
          ? 'npm install -g mcp-server-relay@latest'
          : `mv "${file}" "${file}.broken"   (relay starts a new buffer)`;
    return fail(name, message, fix);
  }
  const facts = inspectSqlite(file);
  const mode = (stat.mode & 0o777).toString(8).padStart(4, '0');
  const detail =
    `${file}: mode ${mode}, journal ${facts.journalMode}, schema ${facts.schemaVersion}/${facts.knownSchemaVersion}, ` +
    `${summary}`;
  if ((stat.mode & 0o077) !== 0) return warn(name, `${detail}; other users can read it`, `chmod 600 "${file}"`);
  if (facts.journalMode.toLowerCase() !== 'wal')
    return warn(
      name,
      `${detail}; expected journal wal`,
      `${context.self} status   (any relay command switches it to WAL)`,
    );
  return ok(name, detail);
}

/** A PostgreSQL store: reachable, relay's schema in place (opening migrates it), and what it holds. */
async function postgresCheck(name: string, url: string): Promise<Check> {
  const { openStore } = await import('../store/open.js');
  const { describeUnread, relayStatus } = await import('../lib/status.js');
  try {
    const store = await openStore(url);
    try {
      const status = await relayStatus(store);
      return ok(
        name,
        `${store.location}: ${status.total} message${status.total === 1 ? '' : 's'} (unread: ${describeUnread(status.unread)})`,
      );
    } finally {
      await store.close();
    }
  } catch (error) {
    // The store's errors name the URL without its password.
    return fail(
      name,
      error instanceof Error ? error.message : String(error),
      'check the URL, the password, and that PostgreSQL is running and reachable',
    );
  }
}

/** The programs the notifier (src/notify) uses on this platform. Optional: relay works without notifications. */
function programChecks(context: DoctorContext): Check[] {
  const find = (program: string) => which(program, context.env, context.platform);
  if (context.platform === 'darwin') {
    // osascript shows the notification and plays its sound.
    return [
      find('osascript')
        ? ok('notifier', 'osascript (with sound)')
        : warn('notifier', 'osascript not found; notifications are off'),
    ];
  }
  if (context.platform === 'win32') {
    const shell = find('powershell.exe');
    return [
      shell
        ? ok('notifier', `${shell} (with sound)`)
        : warn('notifier', 'powershell.exe not found; notifications are off'),
    ];
  }
  const player = LINUX_PLAYERS.find((p) => find(p) !== null);
  return [
    find('notify-send')
      ? ok('notifier', 'notify-send')
      : warn('notifier', 'notify-send not found; notifications are off', 'sudo apt-get install libnotify-bin'),
    player
      ? ok('sound player', player)
      : warn(
          'sound player',
          `none of ${LINUX_PLAYERS.join(', ')} found; --sound plays nothing`,
          'sudo apt-get install pulseaudio-utils',
        ),
  ];
}

/** What is wrong with a registered entry (a command setup wrote pointing at an install that is gone), or null. */
function entryProblem(entry: unknown): string | null {
  if (isPythonRelayEntry(entry)) return `it is the old relay (${PYTHON_RELAY}): run setup to upgrade`;
  const command = getIn(entry, ['command']);
  const args = getIn(entry, ['args']);
  if (typeof command !== 'string') return 'it has no command';
  const list = Array.isArray(args) ? args.map(String) : [];
  const script = launcherScript(command, list);
  if (script !== null && !fs.existsSync(script)) return `it runs ${script}, which no longer exists`;
  return null;
}

function codeInstalled(context: DoctorContext): boolean {
  return context.claudePath !== null || fs.existsSync(claudeDir(context));
}

function codeRegistration(context: DoctorContext): Check {
  const name = 'Claude Code';
  const fixSetup = `${context.self} setup code`;
  if (context.claudePath !== null) {
    const result = context.runner(context.claudePath, ['mcp', 'get', 'relay']);
    if (result.code !== 0)
      return fail(name, 'relay is not registered with Claude Code (`claude mcp get relay` found nothing)', fixSetup);
    const status = /Status:\s*(.+)/.exec(result.stdout)?.[1]?.trim() ?? 'unknown';
    const scope = /Scope:\s*(.+)/.exec(result.stdout)?.[1]?.trim() ?? '';
    if (/connected/i.test(status) && !/fail|not/i.test(status))
      return ok(name, `registered${scope ? ` (${scope})` : ''}; ${status}`);
    return fail(name, `registered, but Claude Code cannot start it: ${status}`, `${fixSetup} --force`);
  }
  const places: [string, string[]][] = [
    [claudeUserConfig(context), ['mcpServers', 'relay']],
    [claudeUserConfig(context), ['projects', context.cwd, 'mcpServers', 'relay']],
    [projectConfig(context), ['mcpServers', 'relay']],
  ];
  for (const [file, at] of places) {
    let entry: unknown;
    try {
      entry = getIn(readJson(file).data, at);
    } catch (error) {
      if (error instanceof ConfigFileError) return fail(name, error.message, `fix or move ${file}`);
      throw error;
    }
    if (entry === undefined) continue;
    const problem = entryProblem(entry);
    if (problem !== null) return fail(name, `relay is registered in ${file}, but ${problem}`, `${fixSetup} --force`);
    return ok(name, `registered in ${file} (claude is not on PATH, so the connection was not tried)`);
  }
  if (!codeInstalled(context)) return warn(name, 'Claude Code not found (no claude on PATH, no ~/.claude)');
  return fail(name, 'relay is not registered with Claude Code', fixSetup);
}

/** The /get command and the start-up hook: conveniences (the prompts work without them), so warnings. */
function codeExtras(context: DoctorContext): Check[] {
  if (!codeInstalled(context)) return [];
  const fixSetup = `${context.self} setup code`;
  const checks: Check[] = [];
  const command = readText(getCommandFile(context));
  if (command.text === null)
    checks.push(warn('/get command', `${command.path} is missing (/mcp__relay__get still works)`, fixSetup));
  else {
    const kind = classifyGetCommand(command.text);
    checks.push(
      kind === 'foreign'
        ? warn('/get command', `${command.path} is not relay's (/mcp__relay__get still works)`)
        : ok('/get command', `${command.path}${kind === 'edited' ? ' (edited by you)' : ''}`),
    );
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
    .map((h: unknown) => getIn(h, ['command']))
    .filter(isPreviewCommand) as string[];
  const first = commands[0];
  if (first === undefined) {
    checks.push(
      warn(
        'start-up hook',
        `no relay SessionStart hook in ${settings} (new sessions will not preview unread messages)`,
        fixSetup,
      ),
    );
  } else {
    const words = shellSplit(first) ?? [];
    const script = launcherScript(words[0] ?? '', words.slice(1));
    checks.push(
      script !== null && !fs.existsSync(script)
        ? fail('start-up hook', `the SessionStart hook runs ${script}, which no longer exists`, fixSetup)
        : ok('start-up hook', `${settings}: ${first}`),
    );
  }
  return checks;
}

function desktopRegistration(context: DoctorContext): Check {
  const name = 'Claude Desktop';
  let file: string;
  let entry: unknown;
  try {
    file = desktopConfigFile(context);
  } catch (error) {
    if (error instanceof ConfigFileError)
      return fail(name, error.message, 'open Claude Desktop > Settings > Developer > Edit Config once');
    throw error;
  }
  try {
    entry = getIn(readJson(file).data, ['mcpServers', 'relay']);
  } catch (error) {
    if (error instanceof ConfigFileError) return fail(name, error.message, `fix or move ${file}`);
    throw error;
  }
  if (entry === undefined) {
    if (!fs.existsSync(desktopConfigDir(context)))
      return warn(name, `Claude Desktop not found (no ${desktopConfigDir(context)})`);
    return fail(name, `relay is not in ${file}`, `${context.self} setup desktop`);
  }
  const problem = entryProblem(entry);
  if (problem !== null)
    return fail(name, `relay is in ${file}, but ${problem}`, `${context.self} setup desktop --force`);
  return ok(name, `registered in ${file} (restart Desktop after changes)`);
}
