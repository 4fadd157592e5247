// The notifier running real child processes: fake notify-send / paplay / osascript / powershell.exe scripts on a
// temp PATH record exactly what reaches them. Nothing here touches the real desktop.
import fs from 'node:fs';
import path from 'node:path';

import { describe, expect, it, onTestFinished } from 'vitest';

import { createNotifier } from '../src/notify/index.js';
import { notifySendBody } from '../src/notify/linux.js';
import { MACOS_SCRIPT } from '../src/notify/macos.js';
import { WINDOWS_ENCODED_SCRIPT } from '../src/notify/windows.js';
import { fakeBin, NASTY, type Recorded, recordingLogger } from './helpers/fakes.js';
import { tempDir } from './helpers/temp.js';

const bytes = (parts: string[]) => parts.map((p) => Buffer.from(p, 'utf8'));

/** Runs the test body with the working directory in a fresh temp dir, where a `touch PWNED` would land. */
function inTempCwd(): string {
  const dir = tempDir('relay-cwd-');
  const before = process.cwd();
  process.chdir(dir);
  onTestFinished(() => process.chdir(before));
  return dir;
}

function expectNoPwned(...dirs: string[]) {
  for (const dir of dirs) expect(fs.readdirSync(dir).filter((f) => f.includes('PWNED'))).toEqual([]);
}

function only(records: Recorded[], program: string): Recorded {
  const mine = records.filter((r) => r.program === program);
  expect(mine).toHaveLength(1);
  return mine[0]!;
}

describe('notifications reach the program as data, byte for byte', () => {
  it('Linux: notify-send gets --app-name=relay -- TITLE BODY, then paplay plays the sound', async () => {
    const cwd = inTempCwd();
    const home = tempDir();
    const fakes = fakeBin();
    fakes.add('notify-send');
    fakes.add('paplay');
    const sound = path.join(home, 'message.oga');
    fs.writeFileSync(sound, 'OggS');
    const log = recordingLogger();
    const notifier = createNotifier({ platform: 'linux', env: { PATH: fakes.bin, HOME: home }, sound, log });
    for (const text of NASTY) {
      const title = text.replace(/\n+/g, ' ');
      await notifier.notify({ title, body: text });
      const records = fakes.take();
      expect(only(records, 'notify-send').argv).toEqual(bytes(['--app-name=relay', '--', title, notifySendBody(text)]));
      expect(only(records, 'paplay').argv).toEqual(bytes([sound]));
    }
    expect(log.lines.filter((l) => l.level !== 'debug')).toEqual([]);
    expectNoPwned(cwd, home);
  });

  it('Linux: without paplay the sound falls back to pw-play, then canberra-gtk-play; with none it is silent', async () => {
    const home = tempDir();
    const sound = path.join(home, 'message.oga');
    fs.writeFileSync(sound, 'OggS');
    const fakes = fakeBin();
    fakes.add('notify-send');
    fakes.add('canberra-gtk-play');
    const env = { PATH: fakes.bin, HOME: home };
    await createNotifier({ platform: 'linux', env, sound }).notify({ title: 't', body: 'b' });
    expect(only(fakes.take(), 'canberra-gtk-play').argv).toEqual(bytes(['-f', sound]));
    fakes.add('pw-play');
    await createNotifier({ platform: 'linux', env, sound }).notify({ title: 't', body: 'b' });
    expect(only(fakes.take(), 'pw-play').argv).toEqual(bytes([sound]));

    const bare = fakeBin();
    bare.add('notify-send');
    const log = recordingLogger();
    const silent = createNotifier({ platform: 'linux', env: { PATH: bare.bin, HOME: home }, sound, log });
    await silent.notify({ title: 't', body: 'b' });
    expect(bare.take().map((r) => r.program)).toEqual(['notify-send']);
    expect(log.lines).toEqual([
      {
        level: 'warn',
        text: 'no sound player found on PATH (paplay, pw-play, canberra-gtk-play): notifications will be silent',
      },
    ]);
    expect(silent.describe()).toContain('no sound (none of paplay, pw-play, canberra-gtk-play on PATH)');
  });

  it('macOS: osascript gets the fixed script and the text only as its last arguments', async () => {
    const cwd = inTempCwd();
    const home = tempDir();
    const fakes = fakeBin();
    fakes.add('osascript');
    const notifier = createNotifier({ platform: 'darwin', env: { PATH: fakes.bin, HOME: home }, sound: 'Blow' });
    for (const text of NASTY) {
      const title = text.replace(/\n+/g, ' ');
      await notifier.notify({ title, body: text });
      const { argv } = only(fakes.take(), 'osascript');
      expect(argv).toEqual(bytes([...MACOS_SCRIPT.flatMap((line) => ['-e', line]), '--', title, text, 'Blow']));
    }
    expectNoPwned(cwd, home);
  });

  it('Windows: powershell.exe gets only the fixed encoded script; the text arrives in RELAY_NOTIFY_*', async () => {
    const cwd = inTempCwd();
    const home = tempDir();
    const fakes = fakeBin();
    fakes.add('powershell.exe');
    const notifier = createNotifier({
      platform: 'win32',
      env: { PATH: fakes.bin, HOME: home },
      sound: 'ms-winsoundevent:Notification.IM',
    });
    for (const text of NASTY) {
      const title = text.replace(/\n+/g, ' ');
      await notifier.notify({ title, body: text });
      const record = only(fakes.take(), 'powershell.exe');
      expect(record.argv).toEqual(
        bytes(['-NoProfile', '-NonInteractive', '-WindowStyle', 'Hidden', '-EncodedCommand', WINDOWS_ENCODED_SCRIPT]),
      );
      expect(record.env).toEqual(bytes([title, text, 'ms-winsoundevent:Notification.IM']));
    }
    expectNoPwned(cwd, home);
  });
});

describe('failures never escape the notifier', () => {
  it('a missing notify-send is reported once, and later notifications are skipped without a word', async () => {
    const log = recordingLogger();
    const notifier = createNotifier({ platform: 'linux', env: { PATH: tempDir() }, log });
    await expect(notifier.notify({ title: 'one', body: 'x' })).resolves.toBeUndefined();
    await expect(notifier.notify({ title: 'two', body: 'y' })).resolves.toBeUndefined();
    expect(log.lines).toEqual([
      {
        level: 'warn',
        text:
          'notify-send not found on PATH; skipping it from now on (install libnotify-bin (Debian, Ubuntu) or libnotify (Fedora, ' +
          'Arch) for desktop notifications)',
      },
    ]);
    expect(notifier.describe()).toMatch(
      /^freedesktop notifications: notify-send not found on PATH, notifications are skipped/,
    );
  });

  it('a failing notify-send is a warning the first time and a debug line after', async () => {
    const fakes = fakeBin();
    fakes.addScript('notify-send', "echo 'Cannot autolaunch D-Bus without X11 $DISPLAY' >&2\nexit 1");
    const log = recordingLogger();
    const notifier = createNotifier({ platform: 'linux', env: { PATH: fakes.bin }, log });
    await notifier.notify({ title: 't', body: 'b' });
    await notifier.notify({ title: 't', body: 'b' });
    const text = 'notify-send exited with code 1: Cannot autolaunch D-Bus without X11 $DISPLAY';
    expect(log.lines).toEqual([
      { level: 'warn', text },
      { level: 'debug', text },
    ]);
  });

  it('a notifier that never finishes is killed, with what it started, and notify() resolves', async () => {
    const fakes = fakeBin();
    const pids = tempDir();
    fakes.addScript('notify-send', `echo $$ > '${pids}/main'\n/bin/sleep 1000 &\necho $! > '${pids}/child'\nwait`);
    const started: number[] = [];
    onTestFinished(() => {
      for (const pid of started) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone, as it should be
        }
      }
    });
    const log = recordingLogger();
    const notifier = createNotifier({ platform: 'linux', env: { PATH: fakes.bin }, log, timeoutMs: 2_000 });
    await expect(notifier.notify({ title: 't', body: 'b' })).resolves.toBeUndefined();
    for (const name of ['main', 'child']) started.push(Number(fs.readFileSync(path.join(pids, name), 'utf8')));
    for (const pid of started) expect(await gone(pid)).toBe(true);
    expect(log.lines).toEqual([{ level: 'warn', text: 'notify-send did not finish within 2000 ms and was stopped' }]);
  });
});

/** Whether the process has ended (a zombie waiting for a reaper counts as ended); waits up to 10 s for it. */
async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 100; i += 1) {
    try {
      process.kill(pid, 0);
    } catch {
      return true;
    }
    let state: string | undefined;
    try {
      state = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0];
    } catch {
      // no /proc (macOS): kill(pid, 0) above is the answer
    }
    if (state === 'Z' || state === 'X') return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}
