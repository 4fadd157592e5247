// What a doctor check is (ok / warn / fail, what it found, the one command that fixes it) and what every check may
// read. Shared by the check modules; holds no check itself.
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

export const ok = (name: string, detail: string): Check => ({ name, status: 'ok', detail });
export const warn = (name: string, detail: string, fix?: string): Check => ({
  name,
  status: 'warn',
  detail,
  ...(fix ? { fix } : {}),
});
export const fail = (name: string, detail: string, fix: string): Check => ({ name, status: 'fail', detail, fix });
