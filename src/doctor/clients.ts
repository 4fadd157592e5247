// relay's registrations, client by client, and what commonly goes wrong with them: not registered where the app is;
// the old Python relay; a command pointing at an install that is gone; a GUI app's command found only through a
// shell's PATH; two registrations in one Claude Code (the plugin beside setup's entry); and, the commonest real
// fault, the relays of different clients on different buffers, so the two sides never see each other's messages.
import fs from 'node:fs';
import path from 'node:path';

import { which } from '../lib/which.js';
import { desktopLocation } from '../setup/claude-desktop.js';
import { CLIENTS } from '../setup/clients.js';
import { getIn } from '../setup/json-edit.js';
import { guiPath, launcherScript } from '../setup/launcher.js';
import { isPythonRelayEntry } from '../setup/legacy.js';
import { type Check, type DoctorContext, fail, ok, warn } from './check.js';
import { codeInstalled } from './code-extras.js';
import { registeredDb, type Registration, registrations } from './registrations.js';

export function clientChecks(context: DoctorContext): Check[] {
  const { found, unreadable } = registrations(context);
  const checks: Check[] = [];
  const setup = (target: string) => `${context.self} setup ${target}`;
  const titles: Record<string, string> = { code: 'Claude Code', desktop: 'Claude Desktop' };
  for (const [target, client] of Object.entries(CLIENTS)) titles[target] = client.title;

  for (const [target, title] of Object.entries(titles)) {
    const broken = unreadable.find((u) => u.client.startsWith(title));
    if (broken !== undefined) {
      // A broken file of an optional client (Codex, Gemini, Cursor) is theirs to fix: a warning, not a failure.
      const optional = target !== 'code' && target !== 'desktop';
      checks.push((optional ? warn : fail)(title, broken.message, `fix or move ${broken.file}`));
      continue;
    }
    const mine = found.filter((r) => r.target === target);
    const active = mine.filter((r) => r.plugin === undefined || r.plugin.enabled);
    if (active.length > 0) {
      // The files first: `claude mcp get` calls the old Python relay "Connected" too, and it must be upgraded.
      const found = registered(title, active, context);
      const ask = target === 'code' && context.claudePath !== null && found.status === 'ok';
      checks.push(ask ? claudeSays(context, active) : found);
    } else checks.push(missing(title, target, context));
    if (target === 'code' && active.length > 1) {
      checks.push(
        warn(
          'Claude Code: registered twice',
          `${active.map((r) => r.client).join(' and ')} each start relay; Claude Code uses one and hides the other`,
          active.some((r) => r.plugin)
            ? `${setup('code')}   (with the plugin enabled, it takes out setup's own entry)`
            : undefined,
        ),
      );
    }
    for (const r of active) {
      const gui = r.gui ? shellPathProblem(r, context) : null;
      if (gui !== null) checks.push(warn(`${title}: command`, gui, setup(target)));
    }
  }
  checks.push(
    sameBuffer(
      found.filter((r) => r.plugin === undefined || r.plugin.enabled),
      context,
    ),
  );
  const anyClaude = checks.some(
    (c) => (c.name === 'Claude Code' || c.name === 'Claude Desktop') && c.status !== 'warn',
  );
  if (!anyClaude)
    checks.push(fail('clients', 'relay is registered with neither Claude Code nor Claude Desktop', setup('code')));
  return checks;
}

/** What is wrong with a registered entry (the old relay, a command or script that is gone), or null. */
export function entryProblem(entry: unknown): string | null {
  if (isPythonRelayEntry(entry)) return 'it is the old relay (mcp-server-relay 1.x): run setup to upgrade';
  const command = getIn(entry, ['command']);
  const args = getIn(entry, ['args']);
  if (typeof command !== 'string') return 'it has no command';
  const list = Array.isArray(args) ? args.map(String) : [];
  if (path.isAbsolute(command) && !command.includes('${') && !fs.existsSync(command))
    return `it runs ${command}, which no longer exists`;
  const script = launcherScript(command, list);
  if (script !== null && !script.includes('${') && !fs.existsSync(script))
    return `it runs ${script}, which no longer exists`;
  return null;
}

function registered(title: string, active: Registration[], context: DoctorContext): Check {
  for (const r of active) {
    const problem = entryProblem(r.entry);
    const target = r.target;
    if (problem !== null) {
      const force = problem.startsWith('it is the old relay') ? '' : ' --force';
      return fail(title, `relay is registered in ${r.file}, but ${problem}`, `${context.self} setup ${target}${force}`);
    }
  }
  const where = active.map((r) => (r.plugin ? `plugin ${r.plugin.id}` : r.file)).join(', ');
  const note =
    title === 'Claude Code'
      ? ' (claude is not on PATH, so the connection was not tried)'
      : title === 'Claude Desktop'
        ? ' (restart Desktop after changes)'
        : '';
  return ok(title, `registered in ${where}${note}`);
}

/**
 * `claude mcp get relay`: Claude Code's own view, with a real connection check. relay's plugin alone is a good
 * registration: Claude Code names its server `plugin:<plugin>:relay`, so that is the one asked about then.
 */
function claudeSays(context: DoctorContext, active: Registration[] = []): Check {
  const name = 'Claude Code';
  const fixSetup = `${context.self} setup code`;
  const plugin = active.every((r) => r.plugin !== undefined) ? active[0]?.plugin : undefined;
  const server = plugin === undefined ? 'relay' : `plugin:${plugin.id.split('@')[0]}:relay`;
  const result = context.runner(context.claudePath!, ['mcp', 'get', server]);
  if (result.code !== 0)
    return fail(
      name,
      `relay is not registered with Claude Code (\`claude mcp get ${server}\` found nothing)`,
      fixSetup,
    );
  const status = /Status:\s*(.+)/.exec(result.stdout)?.[1]?.trim() ?? 'unknown';
  const scope = /Scope:\s*(.+)/.exec(result.stdout)?.[1]?.trim() ?? '';
  if (/connected/i.test(status) && !/fail|not/i.test(status))
    return ok(
      name,
      plugin ? `the plugin ${plugin.id}; ${status}` : `registered${scope ? ` (${scope})` : ''}; ${status}`,
    );
  return fail(name, `registered, but Claude Code cannot start it: ${status}`, `${fixSetup} --force`);
}

function missing(title: string, target: string, context: DoctorContext): Check {
  const fix = `${context.self} setup ${target}`;
  if (target === 'code') {
    if (context.claudePath !== null) return claudeSays(context);
    return codeInstalled(context)
      ? fail(title, 'relay is not registered with Claude Code', fix)
      : warn(title, 'Claude Code not found (no claude on PATH, no ~/.claude)');
  }
  if (target === 'desktop') {
    const { dir, file } = desktopLocation(context);
    return fs.existsSync(dir)
      ? fail(title, `relay is not in ${file}`, fix)
      : warn(title, `Claude Desktop not found (no ${dir})`);
  }
  // Codex, Gemini, Cursor: relay beside them is optional.
  return ok(title, `not registered (\`${fix}\` adds it)`);
}

/**
 * A GUI app starts its servers without a login shell's PATH: a bare `npx` found only through the shell's PATH, or
 * an absolute script whose `#!/usr/bin/env node` finds node only there, fails with `spawn npx ENOENT` or "env: node".
 */
function shellPathProblem(r: Registration, context: DoctorContext): string | null {
  const command = getIn(r.entry, ['command']);
  if (typeof command !== 'string' || context.platform === 'win32') return null;
  const own = getIn(r.entry, ['env', 'PATH']);
  const guiEnv = { PATH: typeof own === 'string' ? own : guiPath(context.platform).join(':') };
  if (!path.isAbsolute(command)) {
    if (which(command, guiEnv, context.platform) !== null) return null;
    const shell = which(command, context.env, context.platform);
    return shell === null
      ? `${r.client} runs \`${command}\`, which is not on any PATH here`
      : `${r.client} runs \`${command}\`, found only through your shell's PATH (${shell}); the app does not see that PATH`;
  }
  let head: string;
  try {
    head = fs.readFileSync(command, 'utf8').slice(0, 200);
  } catch {
    return null;
  }
  const env = /^#!\s*\/usr\/bin\/env\s+(?:-S\s+)?(\S+)/.exec(head)?.[1];
  if (env === undefined || which(env, guiEnv, context.platform) !== null) return null;
  return `${r.client} runs ${command}, which starts \`${env}\` through PATH; the app's PATH (${guiEnv.PATH}) has no ${env}`;
}

/** The commonest real fault: two clients' relays on two buffers. Every registration should resolve to one. */
function sameBuffer(found: Registration[], context: DoctorContext): Check {
  const name = 'same buffer';
  if (found.length === 0) return ok(name, 'no relay is registered yet');
  const uses = found.map((r) => ({ r, ...registeredDb(r, context) }));
  const problems: string[] = [];
  for (const u of uses) {
    if (u.db.startsWith('~')) problems.push(`${u.r.client}: ${u.db} starts with ~, which no shell expands there`);
    else if (!path.isAbsolute(u.db) && !/^postgres(ql)?:/.test(u.db))
      problems.push(`${u.r.client}: ${u.db} is relative to a folder the app chooses`);
  }
  const dbs = [...new Set(uses.map((u) => u.db))];
  const list = uses.map((u) => `${u.r.client} uses ${u.db} (${u.from})`).join('; ');
  const fix =
    context.env.RELAY_DB !== undefined
      ? 'RELAY_DB is set in your shell, and GUI apps and Codex do not see it: unset it, or give every entry the same --db'
      : 'give every entry the same --db (or none, for ~/.relay_buffer.db), then restart the clients';
  if (dbs.length > 1) {
    const also = problems.length > 0 ? `. Also: ${problems.join('; ')}` : '';
    return fail(
      name,
      `the registered relays use different buffers, so they never see each other's messages: ${list}${also}`,
      fix,
    );
  }
  if (problems.length > 0) return warn(name, problems.join('; '), fix);
  if (dbs[0] !== context.dbPath) {
    return warn(
      name,
      `every registered relay uses ${dbs[0]}, but this shell's relay commands use ${context.dbPath}`,
      fix,
    );
  }
  return ok(name, `every registered relay (${uses.length}) uses ${dbs[0]}`);
}
