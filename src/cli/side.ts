// Which side a terminal command acts for, the same way in every command that takes one: `--as KIND` or `--for KIND`
// (one flag under two names), and the session: `--name`, else $RELAY_NAME, else the name a session started in this
// directory gets (the directory's name for Code), as the server and the SessionStart preview pick it.
import { defaultSessionName } from '../server/session.js';
import type { Reader } from '../store/store.js';
import { UsageError } from './errors.js';
import type { CliIo } from './io.js';
import { clientKind, type FlagDoc, sessionName } from './options.js';

export const sideFlags = {
  as: { type: 'string', arg: 'KIND', help: 'the side: desktop, code, ... (default: code); --for is the same' },
  for: { type: 'string', arg: 'KIND', help: 'the same as --as' },
  name: {
    type: 'string',
    arg: 'NAME',
    help: "the session (default: $RELAY_NAME, else the name a session started here gets: the directory's for Code)",
  },
} as const satisfies Record<string, FlagDoc>;

interface SideValues {
  as?: string | undefined;
  for?: string | undefined;
  name?: string | undefined;
}

/** The kind of --as / --for (code unless given); both given must agree. */
export function sideKind(values: SideValues, fallback = 'code'): string {
  const as = clientKind('--as', values.as);
  const forKind = clientKind('--for', values.for);
  if (as !== null && forKind !== null && as !== forKind) {
    throw new UsageError(`--as and --for name the same side; give one of them (got ${as} and ${forKind})`);
  }
  return as ?? forKind ?? fallback;
}

/** The session name the command acts as: --name, else $RELAY_NAME, else this directory's session name. */
export function sideName(values: SideValues, kind: string, io: Pick<CliIo, 'env' | 'cwd'>): string {
  const given = values.name !== undefined ? '--name' : 'RELAY_NAME';
  return sessionName(given, values.name ?? io.env.RELAY_NAME, kind) ?? defaultSessionName(kind, io.cwd);
}

/** The reader a command reads as: the kind's shared mailbox and this session's own, as relay_fetch reads them. */
export function sideReader(values: SideValues, io: Pick<CliIo, 'env' | 'cwd'>): Reader {
  const kind = sideKind(values);
  return { kind, name: sideName(values, kind, io) };
}
