// `mcp-relay [serve]`: one flag table, one mode check, one default-buffer rule, and a server that says what it is
// when a person starts it in a terminal.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { describe, expect, it, onTestFinished } from 'vitest';

import { connectNotice } from '../src/cli/connect.js';
import { UsageError } from '../src/cli/errors.js';
import { checkMode, flags, type ServeValues } from '../src/cli/serve/flags.js';
import { TERMINAL_NOTICE } from '../src/cli/serve/stdio.js';
import { spawnHttpServe } from './helpers/http.js';
import { killIfAlive } from './helpers/process.js';
import { cliPath, initialize, runCli, testEnv } from './helpers/spawn.js';
import { tempDir } from './helpers/temp.js';

const given = (name: string): ServeValues => {
  const flag = flags[name as keyof typeof flags];
  const value = flag.type === 'boolean' ? true : 'multiple' in flag ? ['x'] : 'x';
  return { [name]: value } as ServeValues;
};

describe('the serve flag table', () => {
  it('checks every flag against the mode in one place: stdio flags refused with --http, HTTP flags without it', () => {
    const names = Object.keys(flags) as (keyof typeof flags)[];
    expect(names.filter((n) => flags[n].mode === 'stdio').length).toBeGreaterThan(5);
    for (const name of names) {
      const mode = flags[name].mode;
      const withHttp = { ...given(name), http: true };
      const without = given(name);
      if (mode === 'both') {
        expect(checkMode(withHttp)).toBe('http');
        expect(checkMode(without)).toBe('stdio');
      } else if (mode === 'stdio') {
        expect(() => checkMode(withHttp), name).toThrow(
          new UsageError(`--${name} is for stdio: ${flags[name].notOverHttp}`),
        );
        expect(checkMode(without)).toBe('stdio');
      } else if (name !== 'http') {
        expect(() => checkMode(without), name).toThrow(new UsageError(`--${name} needs --http`));
        expect(checkMode(withHttp)).toBe('http');
      }
    }
  });

  it('documents every flag of the table in serve --help', async () => {
    const help = await runCli(['serve', '--help'], tempDir());
    expect(help.code).toBe(0);
    for (const name of Object.keys(flags)) expect(help.stdout).toContain(`--${name}`);
  });

  it('finds the default buffer by the same rule as every other command: $RELAY_DB, else ~/.relay_buffer.db', async () => {
    const home = tempDir();
    const elsewhere = path.join(tempDir(), 'chosen.db');
    await runCli(['--client', 'code'], home, { RELAY_DB: elsewhere }, `${initialize}\n`);
    expect(fs.existsSync(elsewhere)).toBe(true);
    expect(fs.existsSync(path.join(home, '.relay_buffer.db'))).toBe(false);
    await runCli(['--client', 'code'], home, {}, `${initialize}\n`);
    expect(fs.existsSync(path.join(home, '.relay_buffer.db'))).toBe(true);
    const status = JSON.parse((await runCli(['status', '--json'], home, { RELAY_DB: elsewhere })).stdout);
    expect(status.database).toBe(elsewhere);
  });
});

describe('saying what is happening', () => {
  it('on a terminal, says once on stderr that it is an MCP server waiting for a client, and how to use relay', async () => {
    const home = tempDir();
    // script(1) gives the server a pseudo-terminal as stdin; Ctrl-C through it stops the server.
    const child = spawn('script', ['-qec', `exec "${process.execPath}" "${cliPath}" --client code`, '/dev/null'], {
      env: testEnv(home),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    onTestFinished(() => killIfAlive(child.pid));
    let output = '';
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.replace(/\r?\n/g, '').includes(TERMINAL_NOTICE)) resolve();
      });
    });
    child.stdin.write('\x03');
    expect(await exited).toBe(0);
    expect(output.split(TERMINAL_NOTICE.slice(0, 30)).length).toBe(2);
  });

  it('says the same of mcp-relay connect on a terminal', async () => {
    const url = 'http://127.0.0.1:9/mcp';
    const notice = connectNotice(new URL(url));
    const child = spawn('script', ['-qec', `exec "${process.execPath}" "${cliPath}" connect ${url}`, '/dev/null'], {
      env: testEnv(tempDir()),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    onTestFinished(() => killIfAlive(child.pid));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    let output = '';
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.replace(/\r?\n/g, '').includes(notice)) resolve();
      });
    });
    child.stdin.write('\x03');
    await exited;
    expect(output.split(notice.slice(0, 30)).length).toBe(2);
  });

  it('prints nothing of the kind when a client starts it (stdin is a pipe)', async () => {
    const result = await runCli(['--client', 'code'], tempDir(), {}, `${initialize}\n`);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
  });

  it('says that a --sound without notifications is ignored', async () => {
    const home = tempDir();
    const code = await runCli(['--client', 'code', '--sound'], home, {}, `${initialize}\n`);
    expect(code.code).toBe(0);
    expect(code.stderr).toMatch(/--sound is ignored: notifications are off \(.*add --notify\)/);
    const quiet = await runCli(['--client', 'desktop', '--no-notify', '--sound', 'glass'], home, {}, `${initialize}\n`);
    expect(quiet.stderr).toMatch(/--sound is ignored: notifications are off\n/);
    // The bridge too (its notifications are this machine's, as a local relay's are).
    const bridge = await runCli(['connect', 'http://127.0.0.1:9/mcp', '--client', 'code', '--sound'], home);
    expect(bridge.stderr).toMatch(/--sound is ignored: notifications are off \(.*add --notify\)/);
  });
});

describe('--debug names what the buffer runs on (17.1)', () => {
  const backend = /\((SQLite \d+\.\d+\.\d+ via (node:sqlite|better-sqlite3))\)/;

  it('over stdio: the SQLite version and the driver chosen in this process', async () => {
    const home = tempDir();
    const result = await runCli(['--client', 'code', '--debug'], home, {}, `${initialize}\n`);
    expect(result.code).toBe(0);
    const log = fs.readFileSync(path.join(home, '.relay_debug.log'), 'utf8');
    expect(log).toMatch(new RegExp(`serving as code .* on ${path.join(home, '.relay_buffer.db')} ${backend.source}`));
    // The same driver as doctor names (both come from the one driver choice).
    const doctor = JSON.parse((await runCli(['doctor', '--json'], home)).stdout);
    const driver = doctor.checks.find((c: { name: string }) => c.name === 'SQLite driver');
    expect(log).toContain(`via ${/^(\S+) loads/.exec(driver.detail)![1]}`);
  });

  it('over HTTP', async () => {
    const home = tempDir();
    const served = await spawnHttpServe(['--debug'], home);
    expect(served.stderr()).toMatch(new RegExp(`relay .* on ${path.join(home, '.relay_buffer.db')} ${backend.source}`));
  });
});
