// What relay costs in a model's context, in bytes (a budget is behaviour, not a timing): the instructions every
// client loads at start, the six tool definitions clients without tool search load with them, and a fetch result's
// bytes around each message. Also that the words a model searches tools with are in the names and descriptions.
import { describe, expect, it } from 'vitest';

import { MAX_INSTRUCTIONS_BYTES } from '../src/server/instructions.js';
import {
  CLAUDE_CODE_PREFIX,
  definitionBytes,
  fetchOverheadBytes,
  MAX_DEFINITION_BYTES,
  MAX_FETCH_OVERHEAD_BYTES,
} from '../src/server/tools/budget.js';
import { slimSchema } from '../src/server/tools/definitions.js';
import { body, connect } from './helpers/server.js';

const longName = 'a-rather-long-session-name-x1234'; // as long as a session name gets (32 characters)

describe('instructions', () => {
  it(`stay within ${MAX_INSTRUCTIONS_BYTES} bytes for every kind of session`, async () => {
    const variants = [
      await connect('desktop'),
      await connect('code', undefined, { name: longName }),
      await connect('cursor', undefined, { name: longName }),
      await connect(null),
      await connect('code', undefined, { name: longName, push: { channel: true, perMinute: 10 } }),
      await connect('code', undefined, { name: longName, observe: true }),
    ];
    for (const relay of variants) {
      const text = relay.client.getInstructions() ?? '';
      expect(Buffer.byteLength(text), text).toBeLessThanOrEqual(MAX_INSTRUCTIONS_BYTES);
    }
  });

  it('name the tool for each job and send replies to relay messages back through relay, not SendMessage', async () => {
    const text = (await connect('code', undefined, { name: 'parser' })).client.getInstructions() ?? '';
    expect(text).toContain('You are Claude Code session "parser"');
    for (const tool of ['relay_fetch', 'relay_send', 'relay_sessions', 'relay_search', 'relay_attachment'])
      expect(text).toContain(tool);
    expect(text).toMatch(/relay_send[^.]*reply_to[^.]*never SendMessage/);
    for (const word of ['Claude Desktop', 'Codex', 'Cursor', 'Gemini', 'on other machines', 'files', '/get'])
      expect(text).toContain(word);
  });
});

describe('tool definitions as a model receives them', () => {
  it(`are at most ${MAX_DEFINITION_BYTES} bytes for all six, under Claude Code's names too`, async () => {
    for (const kind of ['desktop', 'code', 'cursor']) {
      const { tools } = await (await connect(kind)).client.listTools();
      expect(tools).toHaveLength(6);
      expect(definitionBytes(tools, CLAUDE_CODE_PREFIX), kind).toBeLessThanOrEqual(MAX_DEFINITION_BYTES);
    }
  });

  it('carry no $schema line and no integer bounds of ±2^53-1, and keep output schemas and annotations', async () => {
    const { tools } = await (await connect('code')).client.listTools();
    const wire = JSON.stringify(tools);
    expect(wire).not.toContain('$schema');
    expect(wire).not.toContain(String(Number.MAX_SAFE_INTEGER));
    for (const tool of tools) {
      expect(tool.outputSchema, tool.name).toMatchObject({ type: 'object' });
      expect(tool.annotations, tool.name).toBeDefined();
    }
    const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
    // Bounds that mean something stay.
    expect(byName.relay_send!.inputSchema.properties!.reply_to).toMatchObject({ type: 'integer', exclusiveMinimum: 0 });
    expect(byName.relay_fetch!.inputSchema.properties!.reader).toMatchObject({ type: ['string', 'null'] });
  });

  it('show `sender` only to a process started without --client, and still take and check it from the others', async () => {
    const listed = async (kind: string | null) =>
      (await (await connect(kind)).client.listTools()).tools.find((t) => t.name === 'relay_send')!;
    expect(Object.keys((await listed('code')).inputSchema.properties!)).not.toContain('sender');
    expect(Object.keys((await listed(null)).inputSchema.properties!)).toContain('sender');
    // Only a process without --client lists it, and there it has no default: relay_send without it is refused.
    const unnamed = await connect(null);
    expect(JSON.stringify((await listed(null)).inputSchema.properties!.sender)).not.toMatch(/default/i);
    expect((await unnamed.call('relay_send', { message: 'x' })).isError).toBe(true);
    const code = await connect('code');
    expect((await code.call('relay_send', { message: 'x', sender: 'cursor' })).isError).toBe(true);
    await code.call('relay_send', { message: 'as Desktop', sender: 'desktop' });
    expect(await code.store.latest(1)).toMatchObject([{ sender: 'desktop', message: 'as Desktop' }]);
  });

  it('use the words a model searches for', async () => {
    const { tools } = await (await connect('code')).client.listTools();
    const text = (name: string) => {
      const tool = tools.find((t) => t.name === name)!;
      return `${tool.name} ${tool.description}`;
    };
    for (const word of ['send', 'Desktop', 'reply', 'files', 'SendMessage']) expect(text('relay_send')).toContain(word);
    for (const word of ['fetch', 'messages', 'Desktop', 'get']) expect(text('relay_fetch')).toContain(word);
    for (const word of ['sessions', 'Desktop', 'connected']) expect(text('relay_sessions')).toContain(word);
    expect(text('relay_search')).toContain('messages');
    expect(text('relay_attachment')).toContain('file');
  });

  it('slimSchema keeps what constrains and drops only noise', () => {
    const schema = {
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      properties: {
        n: { type: 'integer', minimum: Number.MIN_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER },
        m: { type: 'integer', minimum: 0, maximum: 10 },
        s: { anyOf: [{ type: 'string' }, { type: 'null' }], description: 'x' },
        u: { anyOf: [{ type: 'string', minLength: 1 }, { type: 'null' }] },
      },
    };
    expect(slimSchema(schema)).toEqual({
      type: 'object',
      properties: {
        n: { type: 'integer' },
        m: { type: 'integer', minimum: 0, maximum: 10 },
        s: { type: ['string', 'null'], description: 'x' },
        u: { anyOf: [{ type: 'string', minLength: 1 }, { type: 'null' }] },
      },
    });
  });
});

describe('a fetch result', () => {
  it(`costs at most ${MAX_FETCH_OVERHEAD_BYTES} bytes per message beyond its text`, async () => {
    const desktop = await connect('desktop');
    const code = await connect('code', desktop.dbFile, { name: longName });
    // Ids in the hundreds, as in a buffer in use.
    for (let i = 0; i < 120; i++) await code.call('relay_send', { message: `old ${i}`, to: 'desktop' });
    await desktop.call('relay_fetch', { limit: 20 });
    // The longest ordinary case: replies (reply_to set) from Desktop to the shared Code mailbox ("to": "code")
    // and to a named session, from a Code session with a long name.
    const last = body(await code.call('relay_send', { message: 'Ready for review' })) as { id: number };
    for (const size of [1, 5]) {
      for (let i = 0; i < size; i++) {
        await desktop.call('relay_send', {
          message: `Please review parser.ts (${i})`,
          reply_to: last.id,
          ...(i % 2 === 0 ? { to: 'code' } : {}),
        });
        await code.call('relay_send', { message: `Done ${i}`, reply_to: last.id });
      }
      await desktop.call('relay_fetch', { limit: 20 });
      const result = await code.call('relay_fetch', { limit: size });
      const text = (result.content[0] as { text: string }).text;
      const { messages } = JSON.parse(text) as { messages: { message: string; reply_to?: number }[] };
      expect(messages).toHaveLength(size);
      expect(fetchOverheadBytes(text, messages), text).toBeLessThanOrEqual(MAX_FETCH_OVERHEAD_BYTES);
    }
  });

  it('leaves read times out of a marking fetch and keeps them in a peek', async () => {
    const desktop = await connect('desktop');
    const code = await connect('code', desktop.dbFile);
    await desktop.call('relay_send', { message: 'hello', to: code.deps.identity.name! });
    const peek = body(await code.call('relay_fetch', { reader: null })) as { messages: Record<string, unknown>[] };
    expect(peek.messages[0]).toMatchObject({ message: 'hello', read_by_desktop_at: null, read_by_code_at: null });
    const fetched = body(await code.call('relay_fetch')) as { messages: Record<string, unknown>[] };
    // Addressed to this session by name: no `to`.
    expect(fetched.messages[0]).toEqual({
      id: expect.any(Number),
      sender: 'desktop',
      from: 'desktop',
      timestamp: expect.any(String),
      message: 'hello',
    });
  });
});
