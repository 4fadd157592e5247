// `mcp-relay doctor` on a healthy install and on broken ones: every failure comes with the command that fixes it,
// and the exit code says whether a required check failed.
import fs from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { run as doctor } from '../src/cli/doctor.js';
import { run as setup } from '../src/cli/setup.js';
import type { Check } from '../src/doctor/doctor.js';
import { type Launcher, launcherFor } from '../src/setup/launcher.js';
import type { Runner } from '../src/setup/steps.js';
import { openSqliteStore } from '../src/store/sqlite/store.js';
import { write } from './helpers/files.js';
import { fakeIo } from './helpers/io.js';
import { cliPath, runCli } from './helpers/spawn.js';
import { tempDir } from './helpers/temp.js';

// The built CLI of this checkout: a launcher whose script exists, as after a real install.
const launcher: Launcher = launcherFor(cliPath, process.execPath);

async function check(home: string, options: { env?: Record<string, string>; runner?: Runner; args?: string[] } = {}) {
  const io = fakeIo({ home, ...(options.env ? { env: options.env } : {}) });
  let error: Error | undefined;
  try {
    await doctor(['--json', ...(options.args ?? [])], io, {
      launcher,
      ...(options.runner ? { runner: options.runner } : {}),
    });
  } catch (e) {
    error = e as Error;
  }
  const report = JSON.parse(io.out()) as { ok: boolean; checks: Check[] };
  const byName = Object.fromEntries(report.checks.map((c) => [c.name, c]));
  return { report, byName, error };
}

async function healthyHome(): Promise<string> {
  const home = tempDir();
  await setup(['code'], fakeIo({ home }), { launcher });
  await setup(['desktop'], fakeIo({ home }), { launcher });
  const store = openSqliteStore(path.join(home, '.relay_buffer.db'));
  await store.send({ sender: 'desktop', message: 'hello' });
  await store.close();
  return home;
}

describe('doctor', () => {
  it('passes on a healthy install; missing notifier and sound player are only warnings', async () => {
    const home = await healthyHome();
    const { report, byName, error } = await check(home);
    expect(error).toBeUndefined();
    expect(report.ok).toBe(true);
    expect(report.checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(byName['Node.js']).toMatchObject({ status: 'ok', detail: `v${process.versions.node}` });
    expect(byName['SQLite driver']!.detail).toMatch(/^(better-sqlite3|node:sqlite) loads \(SQLite 3\.\d+/);
    expect(byName.database!.status).toBe('ok');
    expect(byName.database!.detail).toMatch(
      /mode 0600, journal wal, schema (\d+)\/\1, 1 message \(unread: 0 for Desktop, 1 for Code\)/,
    );
    expect(byName.notifier).toMatchObject({ status: 'warn', fix: 'sudo apt-get install libnotify-bin' });
    expect(byName['Claude Code']).toMatchObject({ status: 'ok' });
    expect(byName['/get command']).toMatchObject({ status: 'ok' });
    expect(byName['start-up hook']).toMatchObject({ status: 'ok' });
    expect(byName['Claude Desktop']).toMatchObject({ status: 'ok' });
  });

  it('says what is broken and the command that fixes each, and fails', async () => {
    const home = await healthyHome();
    // A relay that moved away, a Desktop config someone broke, a database file that is not a relay buffer.
    const gone: Launcher = {
      command: process.execPath,
      args: [path.join(home, 'old-clone', 'dist', 'cli.js')],
      via: 'node',
    };
    await setup(['code', '--force'], fakeIo({ home }), { launcher: gone });
    const desktopConfig = path.join(home, '.config', 'Claude', 'claude_desktop_config.json');
    fs.writeFileSync(desktopConfig, '{ "mcpServers": ');
    const notes = path.join(home, 'notes.txt');
    fs.writeFileSync(notes, 'plain text, not a database\n'.repeat(50));
    const { report, byName, error } = await check(home, { args: ['--db', notes] });
    expect(error?.message).toBe('4 required checks failed: run the fix commands above.');
    expect(report.ok).toBe(false);
    const self = `${process.execPath} ${cliPath}`;
    expect(byName.database).toMatchObject({
      status: 'fail',
      fix: `mv "${notes}" "${notes}.broken"   (relay starts a new buffer)`,
    });
    expect(byName.database!.detail).toContain('is not an SQLite database');
    expect(byName['Claude Code']).toMatchObject({ status: 'fail', fix: `${self} setup code --force` });
    expect(byName['Claude Code']!.detail).toContain('old-clone/dist/cli.js, which no longer exists');
    expect(byName['start-up hook']).toMatchObject({ status: 'fail', fix: `${self} setup code` });
    expect(byName['Claude Desktop']).toMatchObject({ status: 'fail', fix: `fix or move ${desktopConfig}` });
    for (const failed of report.checks.filter((c) => c.status === 'fail')) expect(failed.fix, failed.name).toBeTruthy();
    expect(fs.readFileSync(notes, 'utf8')).toBe('plain text, not a database\n'.repeat(50));
  });

  it('fails when Claude Code is there but relay is not registered, and when no Claude has relay at all', async () => {
    const home = tempDir();
    fs.mkdirSync(path.join(home, '.claude'));
    const code = await check(home);
    expect(code.byName['Claude Code']).toMatchObject({
      status: 'fail',
      detail: 'relay is not registered with Claude Code',
      fix: `${process.execPath} ${cliPath} setup code`,
    });
    expect(code.byName['start-up hook']!.status).toBe('warn');

    const empty = await check(tempDir());
    expect(empty.byName['Claude Code']!.status).toBe('warn');
    expect(empty.byName['Claude Desktop']!.status).toBe('warn');
    expect(empty.byName.clients).toMatchObject({
      status: 'fail',
      detail: 'relay is registered with neither Claude Code nor Claude Desktop',
    });
    expect(empty.byName.database).toMatchObject({
      status: 'ok',
      detail: expect.stringContaining('does not exist yet'),
    });
  });

  it('asks `claude mcp get relay` when claude is on PATH and reports its status', async () => {
    const home = await healthyHome();
    const bin = path.join(home, 'bin');
    write(path.join(bin, 'claude'), '#!/bin/sh\n', 0o755);
    const answer =
      (stdout: string, code = 0): Runner =>
      (command, args) => {
        expect([path.basename(command), ...args]).toEqual(['claude', 'mcp', 'get', 'relay']);
        return { code, stdout, stderr: '' };
      };
    const connected =
      'relay:\n  Scope: User config (available in all your projects)\n  Status: ✓ Connected\n  Type: stdio\n';
    expect((await check(home, { env: { PATH: bin }, runner: answer(connected) })).byName['Claude Code']).toMatchObject({
      status: 'ok',
      detail: 'registered (User config (available in all your projects)); ✓ Connected',
    });
    const failing = connected.replace('✓ Connected', '✗ Failed to connect');
    expect((await check(home, { env: { PATH: bin }, runner: answer(failing) })).byName['Claude Code']).toMatchObject({
      status: 'fail',
    });
    const missing = await check(home, { env: { PATH: bin }, runner: answer('', 1) });
    expect(missing.byName['Claude Code']).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('not registered'),
    });
  });

  it('exits 1 from the command line when a check fails, 0 when all pass', async () => {
    const broken = tempDir();
    // A PATH with nothing on it: no claude, notifier or player from this machine changes the outcome.
    const nothing = { PATH: tempDir() };
    const result = await runCli(['doctor'], broken, nothing);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/FAIL {2}clients: relay is registered with neither/);
    expect(result.stdout).toMatch(/\n {8}fix: .*setup code\n/);
    expect(result.stderr).toBe('mcp-relay: 1 required check failed: run the fix command above.\n');
    const healthy = await healthyHome();
    expect((await runCli(['doctor'], healthy, nothing)).code).toBe(0);
  });
});
