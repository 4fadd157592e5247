// Default file locations, resolved against the current HOME (tests point HOME at a temp directory).
import os from 'node:os';
import path from 'node:path';

export function defaultDbPath(env: NodeJS.ProcessEnv = process.env, home: string = os.homedir()): string {
  const fromEnv = env.RELAY_DB;
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : path.join(home, '.relay_buffer.db');
}

export function debugLogPath(home: string = os.homedir()): string {
  return path.join(home, '.relay_debug.log');
}
