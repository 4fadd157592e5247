// Attachments by path read only what the person works on (16.11): regular files inside the session's working
// directory after resolving symlinks, or in a directory allowed with --allow-attach; never /proc, /sys, /dev, never
// the buffer (nor a hard link to it, nor its -wal/-shm), never a FIFO or a directory. Each refusal says how to allow.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';

import { body, connect } from '../helpers/server.js';
import { runCli, spawnClient } from '../helpers/spawn.js';
import { tempDir } from '../helpers/temp.js';

/** A project directory with the buffer beside it, a secret outside it, and a relay whose session works in it. */
async function project() {
  const root = tempDir();
  const work = path.join(root, 'project');
  fs.mkdirSync(work);
  fs.writeFileSync(path.join(work, 'notes.md'), '# notes');
  const secret = path.join(tempDir(), 'id_rsa');
  fs.writeFileSync(secret, 'PRIVATE KEY');
  const relay = await connect('code', path.join(root, 'relay.db'), { cwd: work });
  const attach = async (file: string) => {
    const result = await relay.call('relay_send', {
      message: 'see file',
      to: 'desktop',
      attachments: [{ path: file }],
    });
    return { refused: result.isError === true, error: String(body(result).error ?? '') };
  };
  return { root, work, secret, relay, attach };
}

describe('attachments by path', () => {
  it('reads a regular file inside the working directory, also through a symlink that stays inside', async () => {
    const { work, attach } = await project();
    fs.symlinkSync(path.join(work, 'notes.md'), path.join(work, 'link.md'));
    expect(await attach('notes.md')).toEqual({ refused: false, error: '' });
    expect((await attach(path.join(work, 'link.md'))).refused).toBe(false);
  });

  it('refuses files outside it, by absolute path, by .., and through a symlink pointing out, saying how to allow them', async () => {
    const { work, secret, attach } = await project();
    fs.symlinkSync(secret, path.join(work, 'innocent.txt'));
    fs.symlinkSync(path.dirname(secret), path.join(work, 'dir-link'));
    for (const file of [secret, path.relative(work, secret), 'innocent.txt', path.join('dir-link', 'id_rsa')]) {
      const { refused, error } = await attach(file);
      expect(refused, file).toBe(true);
      expect(error).toMatch(/is outside .*--allow-attach DIR/);
      expect(error).not.toContain('PRIVATE KEY');
    }
  });

  it('reads from a directory allowed with --allow-attach', async () => {
    const { secret, relay, work, attach } = await project();
    relay.deps.files = { cwd: work, allow: [path.dirname(secret)] };
    expect((await attach(secret)).refused).toBe(false);
  });

  it('never attaches /proc, /sys or /dev, even with / allowed', async () => {
    const { relay, work, attach } = await project();
    relay.deps.files = { cwd: work, allow: ['/'] };
    const system = [
      '/proc/self/environ',
      '/proc/self/cmdline',
      '/dev/null',
      '/dev/zero',
      '/sys/kernel/mm/transparent_hugepage/enabled',
    ];
    for (const file of system.filter((f) => fs.existsSync(f))) {
      const { refused, error } = await attach(file);
      expect(refused, file).toBe(true);
      expect(error).toMatch(/system file/);
    }
    fs.symlinkSync('/proc/self/environ', path.join(work, 'env.txt'));
    if (fs.existsSync('/proc/self/environ')) expect((await attach('env.txt')).error).toMatch(/system file/);
  });

  it("never attaches relay's own buffer: as ../relay.db, inside the working directory, by a hard link, nor its -wal", async () => {
    const { root, relay, attach } = await project();
    expect((await attach('../relay.db')).refused).toBe(true);
    relay.deps.files = { cwd: root };
    await relay.store.send({ sender: 'code', message: 'make a WAL' });
    for (const file of ['relay.db', 'relay.db-wal', 'relay.db-shm'].filter((f) => fs.existsSync(path.join(root, f)))) {
      expect((await attach(file)).error, file).toMatch(/own message buffer/);
    }
    fs.linkSync(path.join(root, 'relay.db'), path.join(root, 'copy.txt'));
    expect((await attach('copy.txt')).error).toMatch(/own message buffer/);
  });

  it('refuses what is not a regular file: a directory, a FIFO (without hanging)', async () => {
    const { work, attach } = await project();
    fs.mkdirSync(path.join(work, 'sub'));
    expect((await attach('sub')).error).toMatch(/not a regular file/);
    execFileSync('mkfifo', [path.join(work, 'pipe')]);
    expect((await attach('pipe')).error).toMatch(/not a regular file/);
  });

  it('opens nothing when the working directory is the home directory or /, unless a directory is allowed', async () => {
    const { secret, relay, attach } = await project();
    for (const cwd of ['/', os.homedir()]) {
      relay.deps.files = { cwd };
      const { refused, error } = await attach(secret);
      expect(refused).toBe(true);
      expect(error).toMatch(/home directory or \/.*--allow-attach DIR/);
    }
  });
});

describe('mcp-relay serve --allow-attach', () => {
  it('opens the given directory to attachments by path, and refuses a directory that does not exist', async () => {
    const home = tempDir();
    const work = tempDir();
    const shared = tempDir();
    fs.writeFileSync(path.join(shared, 'plan.md'), '# plan');
    const { client } = await spawnClient(['--client', 'code', '--allow-attach', shared], home, {}, { cwd: work });
    const sent = await client.callTool({
      name: 'relay_send',
      arguments: { message: 'plan', attachments: [{ path: path.join(shared, 'plan.md') }] },
    });
    expect(body(sent as CallToolResult)).toMatchObject({ ok: true });
    const refused = await runCli(['--client', 'code', '--allow-attach', path.join(shared, 'nope')], home);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--allow-attach takes a directory/);
  });
});
