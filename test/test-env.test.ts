// The tests' own rule: no spawned relay reaches the person's desktop. Every notifier and sound player a relay could
// start resolves, on the shared test environment's PATH, to a script that does nothing (helpers/spawn.ts).
import { execFileSync } from 'node:child_process';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { which } from '../src/lib/which.js';
import { quietNotifiers, testEnv } from './helpers/spawn.js';
import { tempDir } from './helpers/temp.js';

describe('the shared test environment', () => {
  it('finds only do-nothing notifiers and sound players first on PATH', () => {
    const env = testEnv(tempDir());
    for (const program of ['notify-send', 'osascript', 'powershell.exe', 'paplay', 'pw-play', 'canberra-gtk-play']) {
      expect(which(program, env, 'linux'), program).toBe(path.join(quietNotifiers, program));
      expect(execFileSync(path.join(quietNotifiers, program), ['--', 'title', 'body'], { encoding: 'utf8' })).toBe('');
    }
    // A test's own PATH (recording fakes first) still wins.
    expect(testEnv(tempDir(), { PATH: '/nowhere' }).PATH).toBe('/nowhere');
  });
});
