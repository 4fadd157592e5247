// relay_attachment always advances (16.13): every call with length >= 1 and offset < size returns at least one byte;
// binary is sliced by bytes, text at whole characters (at least one). A client paging through never loops.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { sliceEnd } from '../src/server/tools/attachment.js';
import { body, connect } from './helpers/server.js';

type Slice = { data: string; encoding: 'utf8' | 'base64'; length: number; next_offset: number | null };

async function attached(content: string, options: { name: string; encoding?: 'base64' }) {
  const desktop = await connect('desktop');
  const code = await connect('code', desktop.dbFile);
  const sent = body(
    await desktop.call('relay_send', {
      message: 'file',
      attachments: [{ name: options.name, content, ...(options.encoding ? { encoding: options.encoding } : {}) }],
    }),
  );
  expect(sent.ok).toBe(true);
  const [message] = (body(await code.call('relay_fetch')) as { messages: { attachments: { id: number }[] }[] })
    .messages;
  const id = message!.attachments[0]!.id;
  return (offset: number, length: number) =>
    code.call('relay_attachment', { id, offset, length }).then((r) => body(r) as unknown as Slice);
}

describe('relay_attachment slices', () => {
  it('gives a whole character when asked for fewer bytes than the character has', async () => {
    const read = await attached('é€😀abc', { name: 't.txt' });
    expect(await read(0, 1)).toMatchObject({ data: 'é', length: 2, next_offset: 2, encoding: 'utf8' });
    expect(await read(2, 2)).toMatchObject({ data: '€', length: 3, next_offset: 5 });
    expect(await read(5, 1)).toMatchObject({ data: '😀', length: 4, next_offset: 9 });
    expect(await read(9, 1)).toMatchObject({ data: 'a', length: 1, next_offset: 10 });
    expect(await read(11, 1)).toMatchObject({ data: 'c', length: 1, next_offset: null });
  });

  it('slices binary by bytes, whatever the bytes look like', async () => {
    const bytes = Buffer.from([0xff, 0xe2, 0xf0, 0x9f, 0x00, 0xc3]);
    const read = await attached(bytes.toString('base64'), { name: 'b.bin', encoding: 'base64' });
    expect(await read(0, 1)).toMatchObject({
      data: Buffer.from([0xff]).toString('base64'),
      length: 1,
      next_offset: 1,
      encoding: 'base64',
    });
    expect(await read(1, 2)).toMatchObject({
      data: Buffer.from([0xe2, 0xf0]).toString('base64'),
      length: 2,
      next_offset: 3,
    });
  });

  it('advances through a text file that is not valid UTF-8, and from an offset inside a character', async () => {
    const read = await attached(Buffer.from([0xff, 0x61, 0xe2, 0x82]).toString('base64'), {
      name: 'bad.txt',
      encoding: 'base64',
    });
    expect(await read(0, 1)).toMatchObject({ length: 1, next_offset: 1, encoding: 'base64' });
    const euro = await attached('€x', { name: 'e.txt' });
    expect(await euro(1, 1)).toMatchObject({ length: 1, next_offset: 2, encoding: 'base64' });
  });

  it('pages any text back whole with any slice length, each call advancing', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.integer({ min: 1, max: 9 }), (text, length) => {
        const bytes = Buffer.from(text, 'utf8');
        const parts: string[] = [];
        for (let offset = 0; offset < bytes.length;) {
          const slice = sliceEnd(bytes.subarray(offset, offset + length + 3), length, true);
          expect(slice.length).toBeGreaterThan(0);
          parts.push(new TextDecoder('utf-8', { fatal: true }).decode(slice));
          offset += slice.length;
        }
        expect(parts.join('')).toBe(text);
      }),
    );
  });
});
