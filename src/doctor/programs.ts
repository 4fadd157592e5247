// The notifier's programs on this platform. Optional: relay works without notifications, so only warnings.
import { which } from '../lib/which.js';
import { LINUX_PLAYERS } from '../notify/sound.js';
import { type Check, type DoctorContext, ok, warn } from './check.js';

/** The programs the notifier (src/notify) uses on this platform. Optional: relay works without notifications. */
export function programChecks(context: DoctorContext): Check[] {
  const find = (program: string) => which(program, context.env, context.platform);
  if (context.platform === 'darwin') {
    // osascript shows the notification and plays its sound.
    return [
      find('osascript')
        ? ok('notifier', 'osascript (with sound)')
        : warn('notifier', 'osascript not found; notifications are off'),
    ];
  }
  if (context.platform === 'win32') {
    const shell = find('powershell.exe');
    return [
      shell
        ? ok('notifier', `${shell} (with sound)`)
        : warn('notifier', 'powershell.exe not found; notifications are off'),
    ];
  }
  const player = LINUX_PLAYERS.find((p) => find(p) !== null);
  return [
    find('notify-send')
      ? ok('notifier', 'notify-send')
      : warn('notifier', 'notify-send not found; notifications are off', 'sudo apt-get install libnotify-bin'),
    player
      ? ok('sound player', player)
      : warn(
          'sound player',
          `none of ${LINUX_PLAYERS.join(', ')} found; --sound plays nothing`,
          'sudo apt-get install pulseaudio-utils',
        ),
  ];
}
