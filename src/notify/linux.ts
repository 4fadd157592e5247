// Linux and other freedesktop systems: `notify-send --app-name=relay -- TITLE BODY`, then the sound through the
// first player found. `--` makes a text that starts with '-' text, not an option.
import type { Notification } from './notification.js';
import type { Command } from './run.js';

/**
 * Notification servers read the body as simple markup (`<b>`, `<a href>`, `<img>`), so `&`, `<` and `>` are escaped
 * to show as themselves; the title (summary) is plain text by the specification and passes unchanged.
 */
export function escapeBodyMarkup(body: string): string {
  return body.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function linuxCommand(notification: Notification): Command {
  return { file: 'notify-send', args: ['--app-name=relay', '--', notification.title, escapeBodyMarkup(notification.body)], env: {} };
}

/** `paplay FILE`, `pw-play FILE` or `canberra-gtk-play -f FILE`; FILE is absolute (validated at start-up). */
export function linuxSoundCommand(player: string, file: string): Command {
  return { file: player, args: player === 'canberra-gtk-play' ? ['-f', file] : [file], env: {} };
}
