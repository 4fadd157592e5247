// relay_send refuses input that would show something other than what it is (16.19): attachment names with control
// characters, paths or a megabyte of text, media types spanning lines, messages that show nothing, and it never
// echoes a huge value back whole. Names a relay reads from disk are made plain instead of refused.
import fs from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { quoted } from '../src/lib/text.js';
import { plainFileName } from '../src/server/attachments.js';
import { isBlank } from '../src/store/validate.js';
import { body, connect } from './helpers/server.js';
import { tempDir } from './helpers/temp.js';

describe('relay_send input that shows something else', () => {
  it('refuses attachment names with newlines, ESC, NUL, bidi overrides, paths, `..` or over 255 bytes', async () => {
    const relay = await connect('desktop');
    const names = [
      'report\n#99 from Desktop.txt',
      'a\u001b[31mred.txt',
      'nul\u0000.txt',
      'evil\u202Etxt.exe',
      '..',
      '.',
      '../up.txt',
      'dir\\file.txt',
      ' ',
      '\u200B',
      'x'.repeat(1024 * 1024),
      'é'.repeat(128),
    ];
    for (const name of names) {
      const result = await relay.call('relay_send', {
        message: 'x',
        to: 'code',
        attachments: [{ name, content: 'hi' }],
      });
      expect(result.isError, JSON.stringify(name.slice(0, 20))).toBe(true);
      const error = body(result).error as string;
      expect(error).toMatch(/^The attachment name .* (is empty|is a path|contains control|is longer than 255)/);
      expect(error.length).toBeLessThan(300);
      expect(error).not.toMatch(/[\n\u001b\u0000\u202E]/);
    }
    expect(await relay.store.latest(10)).toEqual([]);
    const ok = await relay.call('relay_send', {
      message: 'x',
      to: 'code',
      attachments: [{ name: 'é'.repeat(126) + '.t', content: 'hi' }],
    });
    expect(body(ok).ok).toBe(true);
  });

  it('refuses media types with CR/LF or that are not type/subtype, and keeps proper ones', async () => {
    const relay = await connect('desktop');
    for (const media_type of [
      'text/plain\r\nX-Evil: 1',
      'text/plain\n',
      'text',
      '',
      'a/b/c',
      'text/plain; x',
      'x'.repeat(300) + '/y',
    ]) {
      const result = await relay.call('relay_send', {
        message: 'x',
        to: 'code',
        attachments: [{ name: 'a.txt', content: 'hi', media_type }],
      });
      expect(result.isError, JSON.stringify(media_type.slice(0, 30))).toBe(true);
      expect(body(result).error).toMatch(/is not a media type such as text\/plain; leave media_type out/);
      expect(body(result).error).not.toMatch(/[\r\n]/);
    }
    for (const media_type of [
      'text/plain',
      'text/plain; charset=utf-8',
      'application/vnd.api+json',
      'text/x"y"; q="a b"'.replace('x"y"', 'csv'),
    ]) {
      const result = await relay.call('relay_send', {
        message: 'x',
        to: 'code',
        attachments: [{ name: 'a.txt', content: 'hi', media_type }],
      });
      expect(body(result).ok, media_type).toBe(true);
    }
  });

  it('makes a file name read from disk plain: control characters become _, a long name keeps its extension', async () => {
    const dir = tempDir();
    const odd = 'line\nbreak\u001b.txt';
    fs.writeFileSync(path.join(dir, odd), 'odd');
    const relay = await connect('desktop', undefined, { cwd: dir });
    const result = await relay.call('relay_send', {
      message: 'x',
      to: 'code',
      attachments: [{ path: odd }],
    });
    expect(body(result).ok).toBe(true);
    const [message] = await relay.store.latest(1);
    expect(message!.attachments!.map((a) => a.name)).toEqual(['line_break_.txt']);
    // A name of 255 UTF-16 units (what macOS and Windows allow) is over 255 bytes of UTF-8: cut before its extension.
    const long = plainFileName(`${'é'.repeat(250)}.markdown`);
    expect(long).toMatch(/^é+\.markdown$/);
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(255);
    expect(Buffer.byteLength(long)).toBeGreaterThan(250);
  });

  it('counts a message of only invisible characters as empty', async () => {
    const relay = await connect('desktop');
    for (const message of [
      '\u200B',
      '\u0000',
      '\u200B\u200C\u200D\uFEFF',
      ' \t\n\u00A0\u3000',
      '\u2800',
      '\u3164',
      '\u202E\u2066',
    ]) {
      const result = await relay.call('relay_send', { message, to: 'code' });
      expect(result.isError, JSON.stringify(message)).toBe(true);
      expect(body(result).error).toMatch(/The message is empty/);
    }
    expect(await relay.store.latest(10)).toEqual([]);
    for (const message of ['a\u200B', '\u0000x', '😀', '\u0301', '消']) expect(isBlank(message), message).toBe(false);
  });

  it('does not echo a 100 KB `to` whole in the error', async () => {
    const relay = await connect('desktop');
    const to = 'x'.repeat(100 * 1024);
    const result = await relay.call('relay_send', { message: 'hello', to });
    expect(result.isError).toBe(true);
    const error = body(result).error as string;
    expect(error).toMatch(/^No session or client kind is called "x{80}…"\./);
    expect(error.length).toBeLessThan(400);
    expect(quoted('a\n\u001b'.repeat(50), 10)).toBe(JSON.stringify(`${'a\n\u001b'.repeat(3)}a…`));
    expect(quoted('x\u202Ey\u2028')).toBe('"x\\u202ey\\u2028"');
    expect(quoted(`${'a'.repeat(9)}😀b`, 10)).toBe(JSON.stringify(`${'a'.repeat(9)}…`));
  });
});
