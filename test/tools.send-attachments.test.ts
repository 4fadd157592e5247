// relay_send's inline attachments arrive exactly as sent, or are refused (16.14): base64 that does not decode, and
// text with a lone surrogate (which would silently become U+FFFD), store nothing and say what to do.
import { describe, expect, it } from 'vitest';

import { body, connect } from './helpers/server.js';

describe('inline attachment content', () => {
  it('refuses content that is not base64, and stores nothing', async () => {
    const relay = await connect('desktop');
    for (const content of ['!!!not base64***', 'aGk=aGk=', 'a', 'ab=', 'a===', 'aGk *', 'aGk=\u0000']) {
      const result = await relay.call('relay_send', {
        message: 'x',
        to: 'code',
        attachments: [{ name: 'f.bin', content, encoding: 'base64' }],
      });
      expect(result.isError, JSON.stringify(content)).toBe(true);
      expect(body(result).error).toMatch(/"f\.bin" is not valid base64; encode the file's bytes as base64/);
    }
    expect(await relay.store.latest(10)).toEqual([]);
  });

  it('accepts padded, unpadded, URL-safe and line-wrapped base64, byte for byte', async () => {
    const relay = await connect('desktop');
    const bytes = Buffer.from(Array.from({ length: 200 }, (_, i) => (i * 37) & 0xff));
    const wrapped = bytes.toString('base64').replace(/.{76}/g, '$&\n');
    for (const content of [
      bytes.toString('base64'),
      bytes.toString('base64').replace(/=+$/, ''),
      bytes.toString('base64url'),
      wrapped,
    ]) {
      expect(
        body(
          await relay.call('relay_send', {
            message: 'x',
            to: 'code',
            attachments: [{ name: 'f.bin', content, encoding: 'base64' }],
          }),
        ).ok,
      ).toBe(true);
    }
    for (const m of await relay.store.latest(10)) {
      const [file] = m.attachments!;
      expect((await relay.store.attachment(file!.id, 0, 1000))!.data.equals(bytes)).toBe(true);
    }
  });

  it('refuses utf8 content with a lone surrogate instead of storing U+FFFD', async () => {
    const relay = await connect('desktop');
    const result = await relay.call('relay_send', {
      message: 'x',
      to: 'code',
      attachments: [{ name: 'a.txt', content: 'half \ud83d of an emoji' }],
    });
    expect(result.isError).toBe(true);
    expect(body(result).error).toMatch(/invalid Unicode/);
  });
});
