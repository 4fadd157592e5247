// The server's notification flags through the built CLI: defaults, --sound validation at start-up, exit codes.
import fs from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { fakeBin } from './helpers/fakes.js';
import { initialize, runCli } from './helpers/spawn.js';
import { tempDir } from './helpers/temp.js';

/** XDG_DATA_DIRS holding a freedesktop theme with message.oga, or an empty one. */
function soundData(withMessage: boolean): { dir: string; message: string } {
  const dir = tempDir();
  const stereo = path.join(dir, 'sounds', 'freedesktop', 'stereo');
  fs.mkdirSync(stereo, { recursive: true });
  const message = path.join(stereo, 'message.oga');
  if (withMessage) fs.writeFileSync(message, 'OggS');
  return { dir, message };
}

describe.runIf(process.platform === 'linux')('notification flags (Linux)', () => {
  it('says at start-up whether this process notifies: on for desktop, off for code, --notify/--no-notify override', async () => {
    const home = tempDir();
    const fakes = fakeBin();
    fakes.add('notify-send');
    fakes.add('paplay');
    const { dir, message } = soundData(true);
    const env = { PATH: `${fakes.bin}:${process.env.PATH ?? '/usr/bin:/bin'}`, XDG_DATA_DIRS: dir };
    const log = path.join(home, '.relay_debug.log');
    for (const args of [
      ['--client', 'desktop'],
      ['--client', 'code'],
      ['--client', 'code', '--notify', '--sound'],
      ['--client', 'desktop', '--no-notify'],
    ]) {
      const result = await runCli([...args, '--debug'], home, env, `${initialize}\n`);
      expect(result.code).toBe(0);
    }
    const lines = fs
      .readFileSync(log, 'utf8')
      .split('\n')
      .filter((l) => l.includes('notifications '));
    expect(lines.map((l) => l.replace(/^.*relay debug: /, ''))).toEqual([
      `notifications on: freedesktop notifications: notify-send (${fakes.bin}/notify-send); no sound`,
      'notifications off',
      `notifications on: freedesktop notifications: notify-send (${fakes.bin}/notify-send); sound ${message} via paplay`,
      'notifications off',
    ]);
  });

  it('refuses a bad --sound at start-up: an unknown name exits 2, a missing file or default sound exits 1', async () => {
    const home = tempDir();
    const empty = { XDG_DATA_DIRS: soundData(false).dir };
    const unknown = await runCli(['--client', 'desktop', '--sound', 'trumpet'], home, empty);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.split('\n')[0]).toMatch(
      /^mcp-relay: --sound must be a sound file or a freedesktop sound name .* \(got 'trumpet'\)$/,
    );
    const missing = await runCli(['--client', 'desktop', '--sound=/no/such/sound.oga'], home, empty);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('mcp-relay: --sound: /no/such/sound.oga does not exist\n');
    const noDefault = await runCli(['--client', 'desktop', '--sound'], home, empty);
    expect(noDefault.code).toBe(1);
    expect(noDefault.stderr.split('\n')[0]).toMatch(
      /^mcp-relay: --sound: the default sound .* is not installed; install the sound-theme-freedesktop package or pass --sound FILE$/,
    );
    const both = await runCli(['--notify', '--no-notify'], home);
    expect(both.code).toBe(2);
    expect(both.stderr.split('\n')[0]).toBe('mcp-relay: --notify and --no-notify cannot be used together');
    for (const result of [unknown, missing, noDefault, both]) expect(result.stdout).toBe('');
  });
});
