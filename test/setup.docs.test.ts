// docs/setup.md, `mcp-relay setup --help` and the command overview agree: every flag and every target of setup is
// in all of them, and the page shows the one command name (12.2: `mcp-relay`, never `npx mcp-relay`).
import fs from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { options, usage } from '../src/cli/setup.js';
import { CLIENTS } from '../src/setup/clients.js';
import { root, runCli } from './helpers/spawn.js';
import { tempDir } from './helpers/temp.js';

const page = fs.readFileSync(path.join(root, 'docs', 'setup.md'), 'utf8');
const targets = ['code', 'desktop', ...Object.keys(CLIENTS)];

describe('setup’s documentation', () => {
  it('names every flag of setup in --help and in docs/setup.md', () => {
    for (const flag of Object.keys(options).map((name) => `--${name}`)) {
      expect(usage, flag).toContain(flag);
      expect(page, flag).toContain(`\`${flag}`);
    }
  });

  it('names every target in --help, docs/setup.md and the overview of `mcp-relay --help`', async () => {
    const overview = (await runCli(['--help'], tempDir())).stdout;
    for (const target of targets) {
      expect(usage, target).toMatch(new RegExp(`setup [a-z|]*\\b${target}\\b`));
      expect(page, target).toContain(`setup ${target}`);
      expect(overview, target).toMatch(new RegExp(`setup [a-z|]*\\b${target}\\b`));
    }
  });

  it('shows the one command name: mcp-relay, no npx route that is not on npm yet', () => {
    expect(page).toMatch(/^mcp-relay setup code/m);
    expect(page).not.toMatch(/npx mcp-relay|npx -y mcp-server-relay setup/);
  });
});
