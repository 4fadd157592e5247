// Linux and other freedesktop systems: `notify-send --app-name=relay -- TITLE BODY`, then the sound through the
// first player found. `--` makes a text that starts with '-' text, not an option.
import type { Notification } from './notification.js';
import type { Command } from './run.js';

/**
 * The body argument for notify-send, so that the server shows the text itself:
 * - notification servers read the body as simple markup (`<b>`, `<a href>`, `<img>`), so `&`, `<` and `>` are
 *   escaped (the summary is plain text by the specification and passes unchanged);
 * - notify-send runs the body (not the summary) through g_strcompress, which turns `\n`, `\t`, `\101` into
 *   characters and drops other backslashes, so every backslash is doubled.
 */
export function notifySendBody(body: string): string {
  return body.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\\/g, '\\\\');
}

export function linuxCommand(notification: Notification): Command {
  return {
    file: 'notify-send',
    args: ['--app-name=relay', '--', notification.title, notifySendBody(notification.body)],
    env: {},
  };
}

/** `paplay FILE`, `pw-play FILE` or `canberra-gtk-play -f FILE`; FILE is absolute (validated at start-up). */
export function linuxSoundCommand(player: string, file: string): Command {
  return { file: player, args: player === 'canberra-gtk-play' ? ['-f', file] : [file], env: {} };
}
