// macOS: `osascript` running a FIXED AppleScript whose `on run argv` handler reads title, body and sound from its
// arguments. The text is only ever an argument: it is never pasted into the script, so no quoting can break out.
import type { Notification } from './notification.js';
import type { Command } from './run.js';

/**
 * The whole script, one `-e` per line. It reads its inputs from the END of argv, so it is right whether or not
 * osascript passes the `--` (which stops it reading a text that starts with '-' as one of its own options) through.
 */
export const MACOS_SCRIPT: readonly string[] = [
  'on run argv',
  'set theTitle to item -3 of argv',
  'set theBody to item -2 of argv',
  'set theSound to item -1 of argv',
  'if theSound is "" then',
  'display notification theBody with title theTitle',
  'else',
  'display notification theBody with title theTitle sound name theSound',
  'end if',
  'end run',
];

/** `osascript -e … -- TITLE BODY SOUND` (SOUND is '' for none). */
export function macosCommand(notification: Notification, sound: string | null): Command {
  return {
    file: 'osascript',
    args: [...MACOS_SCRIPT.flatMap((line) => ['-e', line]), '--', notification.title, notification.body, sound ?? ''],
    env: {},
  };
}
