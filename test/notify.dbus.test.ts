// The real Linux path once: real notify-send, on a private session bus (dbus-run-session), talking to a fake
// org.freedesktop.Notifications service that records what arrives. Needs Debian's libnotify-bin, dbus,
// python3-dbus and python3-gi (.ci/run installs them); without them it skips loudly, except in CI, where it fails.
import { spawn } from 'node:child_process';
import path from 'node:path';

import { describe, expect, it, onTestFinished } from 'vitest';

import { createNotifier, formatNotification } from '../src/notify/index.js';
import { recordingLogger } from './helpers/fakes.js';
import { lineReader } from './helpers/lines.js';
import { missingPrograms, pythonHas, skipWithout } from './helpers/optional.js';
import { root } from './helpers/spawn.js';
import { tempDir } from './helpers/temp.js';

/** What a markup-reading server must be sent for `text` to show as itself. */
const markupEscaped = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

interface Received {
  app_name: string;
  summary: string;
  body: string;
  urgency: number | null;
}

/** Starts the fake service on its own bus; the whole process group (bus daemon included) dies with the test. */
function startService(home: string): { address: Promise<string>; next: () => Promise<Received>; stderr: () => string } {
  const child = spawn(
    'dbus-run-session',
    ['--', PYTHON, path.join(root, 'test', 'fixtures', 'fake-notification-service.py')],
    {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    },
  );
  onTestFinished(() => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const stdout = lineReader(child.stdout);
  const exited = new Promise<never>((_, reject) => {
    child.once('error', (error) =>
      reject(new Error(`cannot start dbus-run-session (apt-get install dbus): ${error.message}`)),
    );
    child.once('exit', (code) => reject(new Error(`the fake notification service exited with ${code}: ${stderr}`)));
  });
  const nextLine = () => {
    return Promise.race([stdout.next(), exited]).then((l) => JSON.parse(l) as Record<string, unknown>);
  };
  return {
    address: nextLine().then((l) => String(l.ready)),
    next: () => nextLine() as unknown as Promise<Received>,
    stderr: () => stderr,
  };
}

const PYTHON = '/usr/bin/python3';
const missing = [
  ...missingPrograms({ 'notify-send': 'libnotify-bin', 'dbus-run-session': 'dbus' }),
  ...(pythonHas(PYTHON, ['dbus', 'gi']) ? [] : [`${PYTHON} with dbus and gi (python3-dbus, python3-gi)`]),
];
const skip = skipWithout(
  'the real notify-send over D-Bus test',
  missing,
  'apt-get install libnotify-bin dbus python3-dbus python3-gi',
);

describe.skipIf(skip)('real notify-send over D-Bus', () => {
  it('delivers exactly the title, the (markup-escaped) body and app name relay to the notification service', async () => {
    const home = tempDir();
    const service = startService(home);
    const address = await service.address;
    const log = recordingLogger();
    const notifier = createNotifier({
      platform: 'linux',
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, DBUS_SESSION_BUS_ADDRESS: address },
      log,
    });

    const text =
      `--urgency=critical "; do shell script "touch PWNED" --\n$(touch PWNED) \`id\` 'q' 🎉 <b>bold</b> & <a href="x"> ` +
      `C:\\new\\table \\101 \\x41 \\`;
    await notifier.notify(
      formatNotification({ from: { kind: 'desktop' }, to: { kind: 'code', name: 'api-server' }, text }),
    );
    // A missing or failing notify-send (apt-get install libnotify-bin) shows here rather than as a timeout below.
    expect(log.lines).toEqual([]);
    expect(await service.next()).toEqual({
      app_name: 'relay',
      summary: 'New message for Code (api-server) from Desktop',
      body: markupEscaped(text),
      urgency: 1,
    });

    // A title that looks like an option is a title too.
    await notifier.notify({ title: '-u critical \\n', body: '-t 1' });
    expect(await service.next()).toEqual({ app_name: 'relay', summary: '-u critical \\n', body: '-t 1', urgency: 1 });
    expect(log.lines).toEqual([]);
  });
});
