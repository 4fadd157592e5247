// 12.8 and 12.9: the terminal commands agree with each other and with the sessions, and speak a person's words.
import fs from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { body } from './helpers/server.js';
import { runCli, spawnClient } from './helpers/spawn.js';
import { tempDir } from './helpers/temp.js';

type Messages = { messages: { message: string }[] };

describe('the commands agree', () => {
  it('fetch in a project directory reads that directory’s Code session mailbox, as preview and status count it', async () => {
    const home = tempDir();
    const project = path.join(home, 'billing');
    fs.mkdirSync(project);
    const code = await spawnClient(['--client', 'code'], home, {}, { cwd: project });
    await runCli(['send', '--as', 'desktop', 'one'], home);
    await runCli(['send', '--as', 'desktop', 'two'], home);
    const here = { cwd: project };
    const preview = await runCli(['preview', '--for', 'code'], home, {}, undefined, here);
    expect(preview.stdout).toMatch(/^relay: 2 unread messages for this Code session/);
    const status = await runCli(['status'], home, {}, undefined, here);
    expect(status.stdout).toContain('unread: 0 for Desktop, 2 for Code');
    expect(status.stdout).toContain('live sessions: billing (Code, 2 unread)');
    const fetched = await runCli(['fetch'], home, {}, undefined, here);
    expect(fetched.stdout).toMatch(/^#1 from Desktop, .*:\n {2}one\n\n#2 from Desktop, .*:\n {2}two\n$/);
    // What the terminal read, the session no longer gets.
    const left = body((await code.client.callTool({ name: 'relay_fetch', arguments: {} })) as never) as Messages;
    expect(left.messages).toEqual([]);
    expect((await runCli(['fetch'], home, {}, undefined, here)).stdout).toBe(
      'No unread messages for billing (Code).\n',
    );
  });

  it('takes --as and --for as one flag in every command with a side, and refuses the two disagreeing', async () => {
    const home = tempDir();
    expect((await runCli(['send', '--for', 'desktop', '--name', 'laptop', 'from the laptop'], home)).code).toBe(0);
    const asCode = JSON.parse((await runCli(['fetch', '--as', 'code', '--peek', '--json'], home)).stdout) as Messages;
    const forCode = JSON.parse((await runCli(['fetch', '--for', 'code', '--peek', '--json'], home)).stdout) as Messages;
    expect(asCode.messages.map((m) => m.message)).toEqual(['from the laptop']);
    expect(forCode).toEqual(asCode);
    expect((await runCli(['preview', '--as', 'code'], home)).stdout).toContain(
      '1. from laptop (Desktop): "from the laptop"',
    );
    const both = await runCli(['fetch', '--as', 'code', '--for', 'desktop'], home);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--as and --for name the same side; give one of them (got code and desktop)');
  });

  it('lists live sessions with mcp-relay sessions, for people and for scripts', async () => {
    const home = tempDir();
    expect((await runCli(['sessions'], home)).stdout).toBe('No live sessions.\n');
    const project = path.join(home, 'api');
    fs.mkdirSync(project);
    await spawnClient(['--client', 'code'], home, {}, { cwd: project });
    await spawnClient(['--client', 'desktop'], home);
    await runCli(['send', '--as', 'desktop', '--to', 'api', 'for api'], home);
    const table = (await runCli(['sessions'], home)).stdout.trimEnd().split('\n');
    expect(table[0]).toMatch(/^NAME +KIND +UNREAD +LAST SEEN +DIRECTORY$/);
    expect(table.slice(1).map((l) => l.split(/ {2,}/).slice(0, 3))).toEqual([
      ['api', 'code', '1'],
      ['desktop', 'desktop', '0'],
    ]);
    expect(table[1]).toContain(project);
    const json = JSON.parse((await runCli(['sessions', '--json'], home)).stdout);
    expect(json).toMatchObject({
      ok: true,
      sessions: [{ name: 'api', kind: 'code', cwd: project, unread: 1 }, { name: 'desktop' }],
    });
  });

  it('searches the history from a terminal, read messages too, marking nothing', async () => {
    const home = tempDir();
    await runCli(['send', '--as', 'desktop', 'the parser regex fails on line 47'], home);
    await runCli(['send', '--as', 'code', 'fixed the parser'], home);
    await runCli(['fetch', '--as', 'code', '--name', 'x'], home);
    const found = await runCli(['search', 'parser'], home);
    expect(found.code).toBe(0);
    expect(found.stdout).toMatch(
      /^#2 from Code to Desktop, .*:\n {2}fixed the \[parser\]\n\n#1 from Desktop to Code, .*:\n {2}the \[parser\] regex/,
    );
    expect(
      JSON.parse((await runCli(['search', 'regex', '--json'], home)).stdout).hits.map((h: { id: number }) => h.id),
    ).toEqual([1]);
    expect((await runCli(['search', 'nowhere'], home)).stdout).toBe('Nothing found for nowhere.\n');
    expect((await runCli(['search'], home)).code).toBe(2);
    expect(JSON.parse((await runCli(['status', '--json'], home)).stdout).unread.desktop).toBe(1);
  });
});

describe('saying what is happening, in terminal words', () => {
  it('status --db in a directory that does not exist says sending would fail there, not "not created yet"', async () => {
    const home = tempDir();
    const missing = path.join(home, 'no', 'such', 'dir', 'relay.db');
    const status = await runCli(['status', '--db', missing], home);
    expect(status.stdout).toContain(`database: ${missing} (its directory does not exist, so sending would fail`);
    expect(status.stdout).not.toContain('not created yet');
    expect(JSON.parse((await runCli(['status', '--db', missing, '--json'], home)).stdout)).toMatchObject({
      exists: false,
      directoryExists: false,
    });
    expect((await runCli(['status'], home)).stdout).toContain('(not created yet: it appears with the first message)');
    expect(fs.existsSync(path.join(home, 'no'))).toBe(false);
  });

  it('words errors and results for the terminal: no tool arguments, no "(next to fetch)"', async () => {
    const home = tempDir();
    const empty = await runCli(['send', '   '], home);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toBe(
      'mcp-relay: Nothing to send: the message is empty. Give the text as an argument, with --file, or on standard input.\n',
    );
    const sent = await runCli(['send', '--as', 'desktop', 'hi'], home);
    expect(sent.stdout).toBe("Sent #1 (2 bytes) to Code's shared mailbox (the next Code session to fetch gets it).\n");
  });

  it('says what to do in terminal words for every refusal a person can meet (no tool arguments, no attaching)', async () => {
    const home = tempDir();
    const failures = {
      tooLarge: await runCli(['send', 'x'.repeat(70_000)], home),
      nobody: await runCli(['send', '--to', 'nobdy', 'hi'], home),
      everyone: await runCli(['send', '--to', '*', 'hi'], home),
      noWords: await runCli(['search', '!!'], home),
      empty: await runCli(['send', ''], home),
    };
    expect(failures.tooLarge.stderr).toBe(
      'mcp-relay: The message is 70,000 bytes of UTF-8; the limit is 65,536. ' +
        'Send a part of it (e.g. through `tail -c 60000`), or split it into several messages.\n',
    );
    expect(failures.nobody.stderr).toBe(
      'mcp-relay: No session or client kind is called "nobdy". No session is live right now. ' +
        'Send to a kind ("desktop", "code"), or to "*" for everyone.\n',
    );
    expect(failures.noWords.stderr).toBe(
      'mcp-relay: The search query has no words to look for: give one or more words.\n',
    );
    for (const [what, result] of Object.entries(failures)) {
      expect(result.code, what).toBe(1);
      // A tool's argument names (`message`, `to`, `reader`), its names, attachments and "(next to fetch)" are for
      // models; a person at a terminal has flags and text.
      expect(result.stderr, what).not.toMatch(
        /`(message|to|reader|sender|path|content)`|relay_\w+|next to fetch|attach/,
      );
    }
  });
});
