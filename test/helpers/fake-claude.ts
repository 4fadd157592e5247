// A stand-in for the `claude` CLI in setup tests: a `claude` on PATH (so setup takes the `claude mcp` route) and a
// Runner that does to ~/.claude.json what `claude mcp add/remove --scope user` does, recording every call.
import fs from 'node:fs';
import path from 'node:path';

import type { Runner } from '../../src/setup/steps.js';
import { read, write } from './files.js';

export function fakeClaude(home: string): { runner: Runner; calls: string[][]; env: Record<string, string> } {
  const bin = path.join(home, 'bin');
  write(path.join(bin, 'claude'), '#!/bin/sh\nexit 0\n', 0o755);
  const calls: string[][] = [];
  const runner: Runner = (command, args) => {
    calls.push([path.basename(command), ...args]);
    // Do what `claude mcp add/remove` does to the file, so the next run sees it.
    const file = path.join(home, '.claude.json');
    const config = JSON.parse(read(file));
    if (args[1] === 'add') config.mcpServers.relay = { type: 'stdio', command: args[6], args: args.slice(7), env: {} };
    if (args[1] === 'remove') delete config.mcpServers.relay;
    fs.writeFileSync(file, JSON.stringify(config, null, 2));
    return { code: 0, stdout: '', stderr: '' };
  };
  return { runner, calls, env: { PATH: bin } };
}
