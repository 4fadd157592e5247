// Bad input, through a real client (the SDK Client over stdio) and as raw bytes written to the relay's stdin: each
// gets an error (a tool error, or a JSON-RPC error as JSON-RPC 2.0 says) or is ignored where the spec says so, and
// the server stays up and answers the next valid request.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';

import { DEFAULT_MAX_LINE_BYTES } from '../../src/transport/stdio.js';
import { initialize, type RawProcess, spawnClient, spawnRaw } from '../helpers/spawn.js';
import { tempDir } from '../helpers/temp.js';

const text = (result: CallToolResult) => (result.content[0] as { text: string }).text;

describe('bad tool arguments from the SDK Client over stdio', () => {
  it('answers each with a tool error that names the problem, and keeps serving', async () => {
    const { client } = await spawnClient(['--client', 'desktop', '--no-notify'], tempDir());
    const call = async (name: string, args: Record<string, unknown>) =>
      (await client.callTool({ name, arguments: args })) as CallToolResult;
    const cases: [label: string, tool: string, args: Record<string, unknown>, error: RegExp][] = [
      ['message of the wrong type', 'relay_send', { message: 42 }, /message/],
      ['missing message', 'relay_send', {}, /message/],
      ['unknown sender', 'relay_send', { message: 'x', sender: 'cursor' }, /sender/],
      ['limit as a string', 'relay_fetch', { limit: '5' }, /limit/],
      ['limit null', 'relay_fetch', { limit: null }, /limit/],
      ['unread_only as a string', 'relay_fetch', { unread_only: 'yes' }, /unread_only/],
      ['unknown reader', 'relay_fetch', { reader: 'everyone' }, /reader/],
      ['empty message', 'relay_send', { message: '' }, /empty/],
      [
        '10 MB message',
        'relay_send',
        { message: 'x'.repeat(10 * 1024 * 1024) },
        /10,485,760 bytes of UTF-8; the limit is 65,536/,
      ],
      // The client JSON-encodes a lone surrogate as a \ud800 escape; the relay refuses to store ill-formed text.
      ['lone surrogate', 'relay_send', { message: 'a\ud800b' }, /lone surrogate/],
      ['unknown tool', 'relay_teleport', {}, /no tool called relay_teleport; relay's tools are relay_send/],
    ];
    for (const [label, tool, args, error] of cases) {
      const result = await call(tool, args);
      expect(result.isError, label).toBe(true);
      // Every one, the SDK's own argument checks included, in the relay's {ok:false, error} shape.
      const out = JSON.parse(text(result)) as { ok: boolean; error: string };
      expect(out.ok, label).toBe(false);
      expect(out.error, label).toMatch(error);
    }
    expect(JSON.parse(text(await call('relay_send', { message: 'still serving' })))).toMatchObject({ ok: true });
  });

  it('clamps out-of-range limits and passes NUL bytes through unchanged', async () => {
    const { client } = await spawnClient(['--client', 'desktop', '--no-notify'], tempDir());
    const call = async (name: string, args: Record<string, unknown>) =>
      JSON.parse(text((await client.callTool({ name, arguments: args })) as CallToolResult)) as {
        ok: boolean;
        messages: { message: string }[];
      };
    for (let i = 0; i < 25; i++) await call('relay_send', { message: `m${i}` });
    const peek = async (limit: number) => (await call('relay_fetch', { reader: null, limit })).messages.length;
    expect(await peek(1e308)).toBe(20);
    expect(await peek(-1e308)).toBe(1);
    expect(await peek(Number.MAX_SAFE_INTEGER + 2)).toBe(20);
    expect(await peek(2.5)).toBe(2);

    const withNul = 'before\u0000after\u0000';
    await call('relay_clear', {});
    await call('relay_send', { message: withNul });
    expect((await call('relay_fetch', { reader: 'code' })).messages.map((m) => m.message)).toEqual([withNul]);
  });

  it('answers an unknown resource with a JSON-RPC error', async () => {
    const { client } = await spawnClient(['--client', 'code'], tempDir());
    await expect(client.readResource({ uri: 'messages://nope' })).rejects.toMatchObject({ code: -32602 });
    await expect(client.readResource({ uri: 'file:///etc/passwd' })).rejects.toMatchObject({ code: -32602 });
    expect((await client.readResource({ uri: 'messages://latest' })).contents).toHaveLength(1);
  });
});

describe('malformed JSON-RPC written straight to stdin', () => {
  const line = (value: unknown) => `${JSON.stringify(value)}\n`;
  const call = (id: number, name: string, args: Record<string, unknown>) =>
    line({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } });

  async function started(): Promise<RawProcess> {
    const raw = spawnRaw(['--client', 'code'], tempDir());
    raw.send(`${initialize}\n`);
    await raw.next();
    raw.send(line({ jsonrpc: '2.0', method: 'notifications/initialized' }));
    return raw;
  }

  it('answers garbage, truncated JSON, wrong versions, batches and unreadable ids with errors, and keeps serving', async () => {
    const raw = await started();
    const answers: [input: string, reply: Record<string, unknown>][] = [
      ['this is not json\n', { id: null, error: { code: -32700 } }],
      ['{"jsonrpc":"2.0","id":5,"method":"tools/li\n', { id: null, error: { code: -32700 } }],
      [`${'['.repeat(1 << 20)}\n`, { id: null, error: { code: -32700 } }],
      [`${'['.repeat(200_000)}${']'.repeat(200_000)}\n`, { id: null, error: { code: -32600 } }],
      ['{"jsonrpc":"1.0","id":6,"method":"tools/list"}\n', { id: 6, error: { code: -32600 } }],
      [line({ jsonrpc: '2.0', id: { nested: 1 }, method: 'tools/list' }), { id: null, error: { code: -32600 } }],
      [line({ jsonrpc: '2.0', id: 1.5, method: 'tools/list' }), { id: null, error: { code: -32600 } }],
      ['{"jsonrpc":"2.0","id":1e400,"method":"tools/list"}\n', { id: null, error: { code: -32600 } }],
      [
        line([
          { jsonrpc: '2.0', id: 11, method: 'tools/list' },
          { jsonrpc: '2.0', id: 12, method: 'tools/list' },
        ]),
        { id: null, error: { code: -32600, message: expect.stringMatching(/batches are not supported/) } },
      ],
      ['[]\n', { id: null, error: { code: -32600 } }],
      ['5\n', { id: null, error: { code: -32600 } }],
      ['null\n', { id: null, error: { code: -32600 } }],
      [line({ jsonrpc: '2.0', method: 5 }), { id: null, error: { code: -32600 } }],
      [line({ jsonrpc: '2.0', id: 7, method: 'no/such/method' }), { id: 7, error: { code: -32601 } }],
      // The SDK answers a request whose params fail its schema with -32603 (JSON-RPC would say -32602).
      [
        line({ jsonrpc: '2.0', id: 8, method: 'tools/call', params: { arguments: {} } }),
        { id: 8, error: { code: -32603 } },
      ],
      [
        line({ jsonrpc: '2.0', id: 9, method: 'resources/read', params: { uri: 'messages://nope' } }),
        { id: 9, error: { code: -32602 } },
      ],
    ];
    for (const [input, reply] of answers) {
      raw.send(input);
      expect(await raw.next(), input.slice(0, 60)).toMatchObject({ jsonrpc: '2.0', ...reply });
    }
    // Responses to requests the relay never made, blank lines and CRLF endings are not answered.
    raw.send(line({ jsonrpc: '2.0', id: 99, result: 5 }));
    raw.send(line({ jsonrpc: '2.0', id: 98, result: {} }));
    raw.send('\n\r\n   \n');
    raw.send(call(10, 'relay_send', { message: 'still alive' }).replace('\n', '\r\n'));
    expect(await raw.next()).toMatchObject({ id: 10, result: { structuredContent: { ok: true } } });
    expect(raw.child.exitCode).toBeNull();
  });

  it('refuses lone surrogates written as \\u escapes, keeps valid pairs, and replaces invalid UTF-8 bytes', async () => {
    const raw = await started();
    const send = (id: number, escaped: string) =>
      `{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":{"name":"relay_send","arguments":{"message":"${escaped}"}}}\n`;
    for (const [id, escaped] of [
      [1, 'a\\ud800b'],
      [2, '\\udc00'],
      [3, 'end\\ud83d'],
    ] as const) {
      raw.send(send(id, escaped));
      expect(await raw.next()).toMatchObject({
        id,
        result: { isError: true, structuredContent: { ok: false, error: expect.stringMatching(/lone surrogate/) } },
      });
    }
    raw.send(send(4, 'rocket \\ud83d\\ude80'));
    expect(await raw.next()).toMatchObject({ id: 4, result: { structuredContent: { ok: true } } });
    // Bytes that are not UTF-8 (0xff, a truncated sequence) decode to U+FFFD, as every JSON reader does.
    const [before, after] = send(5, 'bad:\u0001').split('\u0001') as [string, string];
    raw.send(Buffer.concat([Buffer.from(before), Buffer.from([0xff, 0xe2, 0x82]), Buffer.from(after)]));
    expect(await raw.next()).toMatchObject({ id: 5, result: { structuredContent: { ok: true } } });
    raw.send(call(6, 'relay_fetch', { reader: null, limit: 2 }));
    const fetched = (await raw.next()) as { result: { structuredContent: { messages: { message: string }[] } } };
    expect(fetched.result.structuredContent.messages.map((m) => m.message)).toEqual(['rocket 🚀', 'bad:\ufffd\ufffd']);
  });

  it('answers a line over the transport limit with an error for its id, and stays up', async () => {
    const raw = await started();
    const huge = call(42, 'relay_send', { message: 'y'.repeat(DEFAULT_MAX_LINE_BYTES + 1024) });
    for (let i = 0; i < huge.length; i += 1 << 20) raw.send(huge.slice(i, i + (1 << 20)));
    const reply = (await raw.next()) as { id: number; error: { code: number; message: string } };
    expect(reply.id).toBe(42);
    expect(reply.error.code).toBe(-32600);
    expect(reply.error.message).toMatch(/Request too large: .* exceeds the relay's limit of 67,108,864 bytes/);
    raw.send(call(43, 'relay_send', { message: 'after the flood' }));
    expect(await raw.next()).toMatchObject({ id: 43, result: { structuredContent: { ok: true } } });
    expect(raw.child.exitCode).toBeNull();
  });
});
