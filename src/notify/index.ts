// createNotifier: picks the platform's commands, runs them one notification at a time, and turns every failure into
// a log line (a missing program once, then silence). It never throws and never rejects: a notification is a
// courtesy, and must not take the server or a tool call down with it. It does not decide WHAT to notify.
import type { Logger } from '../lib/log.js';
import { silentLogger } from '../lib/log.js';
import { which } from '../lib/which.js';
import { linuxCommand, linuxSoundCommand } from './linux.js';
import { macosCommand } from './macos.js';
import { boundNotification, type Notification, type Notifier } from './notification.js';
import { type Command, runCommand } from './run.js';
import { LINUX_PLAYERS } from './sound.js';
import { windowsCommand } from './windows.js';

export type { Arrival, Notification, Notifier, Party } from './notification.js';
export { displayName, formatNotification } from './notification.js';
export { resolveSound, type SoundChoice, SoundError } from './sound.js';

export const DEFAULT_NOTIFY_TIMEOUT_MS = 5_000;

export interface NotifierOptions {
  /** Which platform's programs to use (default: this one). */
  platform?: NodeJS.Platform;
  /** The environment children get, and whose PATH finds them (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** A sound already resolved by resolveSound, or null for silent notifications. */
  sound?: string | null;
  log?: Logger;
  /** A child still running after this long is killed (with whatever it started, on POSIX). */
  timeoutMs?: number;
}

const INSTALL_HINTS: Record<string, string> = {
  'notify-send': 'install libnotify-bin (Debian, Ubuntu) or libnotify (Fedora, Arch) for desktop notifications',
  osascript: 'notifications need macOS osascript',
  'powershell.exe': 'notifications need Windows PowerShell',
};

export function createNotifier(options: NotifierOptions = {}): Notifier {
  const platform = options.platform ?? process.platform;
  const env = options.env ?? process.env;
  const sound = options.sound ?? null;
  const log = options.log ?? silentLogger;
  const timeoutMs = options.timeoutMs ?? DEFAULT_NOTIFY_TIMEOUT_MS;

  let program: string;
  let commands: (n: Notification) => Command[];
  let soundText = sound === null ? 'no sound' : `sound ${sound}`;
  if (platform === 'darwin') {
    program = 'osascript';
    commands = (n) => [macosCommand(n, sound)];
  } else if (platform === 'win32') {
    program = 'powershell.exe';
    commands = (n) => [windowsCommand(n, sound)];
  } else {
    program = 'notify-send';
    const player = sound === null ? undefined : LINUX_PLAYERS.find((p) => which(p, env, platform) !== null);
    if (sound !== null && player === undefined) {
      log.warn(`no sound player found on PATH (${LINUX_PLAYERS.join(', ')}): notifications will be silent`);
      soundText = `no sound (none of ${LINUX_PLAYERS.join(', ')} on PATH)`;
    } else if (sound !== null && player !== undefined) {
      soundText = `sound ${sound} via ${player}`;
    }
    commands = (n) => [
      linuxCommand(n),
      ...(sound !== null && player !== undefined ? [linuxSoundCommand(player, sound)] : []),
    ];
  }

  const missing = new Set<string>();
  const reported = new Set<string>();
  /** The first problem of each kind per program is a warning; repeats go to the debug log only. */
  const report = (key: string, text: string) => {
    if (reported.has(key)) log.debug(text);
    else {
      reported.add(key);
      log.warn(text);
    }
  };

  const deliver = async (notification: Notification) => {
    for (const command of commands(boundNotification(notification))) {
      if (missing.has(command.file)) continue;
      const outcome = await runCommand(command, { env, timeoutMs });
      switch (outcome.status) {
        case 'ok':
          break;
        case 'missing':
          missing.add(command.file);
          log.warn(
            `${command.file} not found on PATH; skipping it from now on (${INSTALL_HINTS[command.file] ?? 'no sound'})`,
          );
          break;
        case 'timeout':
          report(`${command.file}:timeout`, `${command.file} did not finish within ${timeoutMs} ms and was stopped`);
          break;
        case 'failed':
          report(`${command.file}:failed`, `${command.file} ${outcome.detail}`);
          break;
      }
    }
  };

  // One notification at a time, in order: a burst of messages never becomes a burst of processes.
  let queue: Promise<void> = Promise.resolve();
  return {
    notify(notification) {
      const next = queue
        .then(() => deliver(notification))
        .catch((error: unknown) => {
          report('unexpected', `notification failed: ${error instanceof Error ? error.message : String(error)}`);
        });
      queue = next;
      return next;
    },
    describe() {
      const where = missing.has(program) ? null : which(program, env, platform);
      const state =
        where === null
          ? `${program} not found on PATH, notifications are skipped (${INSTALL_HINTS[program] ?? ''})`
          : `${program} (${where})`;
      return `${platformLabel(platform)} notifications: ${state}; ${soundText}`;
    },
  };
}

function platformLabel(platform: NodeJS.Platform): string {
  if (platform === 'darwin') return 'macOS';
  if (platform === 'win32') return 'Windows';
  return 'freedesktop';
}
