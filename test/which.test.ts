import fs from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { which } from '../src/lib/which.js';
import { tempDir } from './helpers/temp.js';

describe('which', () => {
  it('finds an executable file on PATH and ignores non-executables and directories', () => {
    const a = tempDir();
    const b = tempDir();
    fs.writeFileSync(path.join(a, 'tool'), 'not executable');
    fs.mkdirSync(path.join(a, 'dirtool'));
    fs.writeFileSync(path.join(b, 'tool'), '#!/bin/sh\n', { mode: 0o755 });
    expect(which('tool', { PATH: `${a}:${b}` }, 'linux')).toBe(path.join(b, 'tool'));
    expect(which('dirtool', { PATH: a }, 'linux')).toBeNull();
    expect(which('missing', { PATH: `${a}:${b}` }, 'linux')).toBeNull();
    expect(which(path.join(b, 'tool'), {}, 'linux')).toBe(path.join(b, 'tool'));
  });
});
