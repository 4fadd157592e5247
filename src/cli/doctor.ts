// `mcp-relay doctor [--json]`: checks an install and prints, for each problem, the one command that fixes it.
// Exit 1 when a required check fails (see src/doctor/doctor.ts for which are required); warnings alone exit 0.
import fs from 'node:fs';

import { type Check, runChecks } from '../doctor/doctor.js';
import { visible } from '../lib/text.js';
import { version } from '../lib/version.js';
import { which } from '../lib/which.js';
import { commandLine, currentLauncher, installedCli } from '../setup/launcher.js';
import { UserError } from './errors.js';
import { type CliIo, println } from './io.js';
import { parse } from './options.js';
import { setupContext, type SetupDeps } from './setup.js';
import { dbOption, dbPath } from './store.js';

export const usage = `Usage: mcp-relay doctor [--db PATH] [--json]

Checks Node.js, the SQLite driver, the database, notifications, and relay's set-up in Claude Code and Claude
Desktop. Prints the command that fixes each problem; exits 1 if a required check fails.

  --db PATH  the message buffer to check (default: $RELAY_DB, else ~/.relay_buffer.db)
  --json     print {"ok": bool, "version", "checks": [{"name", "status": "ok"|"warn"|"fail", "detail", "fix"?}]}`;

export const options = { json: { type: 'boolean' }, ...dbOption } as const;

/** How to run relay in a fix command: `mcp-relay` when that is this very install, else the full launcher. */
function selfCommand(io: CliIo, deps: SetupDeps): string {
  const launcher = deps.launcher ?? currentLauncher();
  const onPath = which('mcp-relay', io.env, io.platform);
  try {
    if (deps.launcher === undefined && onPath !== null && fs.realpathSync(onPath) === fs.realpathSync(installedCli()))
      return 'mcp-relay';
  } catch {
    // fall back to the full command
  }
  return commandLine(launcher, [], io.platform);
}

const LABEL: Record<Check['status'], string> = { ok: 'ok  ', warn: 'warn', fail: 'FAIL' };

export async function run(args: string[], io: CliIo, deps: SetupDeps = {}): Promise<void> {
  const { values } = parse(args, options);
  const context = { ...setupContext(io, deps), dbPath: dbPath(values.db, io), self: selfCommand(io, deps) };
  const checks = await runChecks(context);
  const failed = checks.filter((c) => c.status === 'fail').length;
  const warned = checks.filter((c) => c.status === 'warn').length;
  if (values.json === true) {
    println(io.stdout, JSON.stringify({ ok: failed === 0, version, checks }, null, 2));
  } else {
    println(io.stdout, `mcp-relay ${version} doctor`);
    for (const check of checks) {
      // Details quote config files and session folders: control characters are shown, never sent to the terminal.
      println(io.stdout, `  ${LABEL[check.status]}  ${check.name}: ${visible(check.detail)}`);
      if (check.fix !== undefined && check.status !== 'ok') println(io.stdout, `        fix: ${visible(check.fix)}`);
    }
    const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
    println(
      io.stdout,
      failed === 0
        ? `All required checks pass${warned > 0 ? ` (${plural(warned, 'warning')})` : ''}.`
        : `${plural(failed, 'check')} failed, ${plural(warned, 'warning')}.`,
    );
  }
  if (failed > 0)
    throw new UserError(
      `${failed} required check${failed === 1 ? '' : 's'} failed: run the fix command${failed === 1 ? '' : 's'} above.`,
    );
}
