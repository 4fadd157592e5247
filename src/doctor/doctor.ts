// The checks behind `mcp-relay doctor`: each says ok / warn / fail, what it found, and the one command that fixes
// it. Required (fail): Node, the SQLite driver, the database, relay's registration with a client that is present
// (and not the old Python relay, not pointing at an install that is gone), every registered relay on one buffer.
// Optional (warn): notifier and sound player, a client that is not installed, the /get command and the start-up
// hook, a GUI app's command that needs a shell's PATH. Reads only, but for the round trip through the buffer (a
// throw-away mailbox and message, removed again).
import { type Check, type DoctorContext, fail, ok } from './check.js';
import { clientChecks } from './clients.js';
import { codeExtras } from './code-extras.js';
import { programChecks } from './programs.js';
import { databaseChecks, driverCheck } from './store-checks.js';

export type { Check, CheckStatus, DoctorContext } from './check.js';

export async function runChecks(context: DoctorContext): Promise<Check[]> {
  const checks: Check[] = [nodeCheck()];
  // A PostgreSQL buffer needs no SQLite driver: its check names the server's version instead.
  const { isPostgresUrl } = await import('../store/open.js');
  const driver = isPostgresUrl(context.dbPath) ? undefined : await driverCheck(context);
  if (driver !== undefined) checks.push(driver);
  if (driver === undefined || driver.status === 'ok') checks.push(...(await databaseChecks(context)));
  checks.push(...programChecks(context));
  const clients = clientChecks(context);
  const code = clients.findIndex((c) => c.name === 'Claude Code');
  checks.push(...clients.slice(0, code + 1), ...codeExtras(context), ...clients.slice(code + 1));
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
