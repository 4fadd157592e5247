// The MCP prompts `get` and `status` through the SDK client: prompts/list and prompts/get.
import { describe, expect, it } from 'vitest';

import { body, connect } from './helpers/server.js';

const textOf = (result: { messages: { role: string; content: { type: string; text?: string } }[] }): string => {
  expect(result.messages).toHaveLength(1);
  expect(result.messages[0]!.role).toBe('user');
  return result.messages[0]!.content.text ?? '';
};

describe('prompts/list', () => {
  it('offers get (one optional, described argument) and status', async () => {
    const { client } = await connect('code');
    const { prompts } = await client.listPrompts();
    expect(prompts.map((p) => p.name).sort()).toEqual(['get', 'status']);
    const get = prompts.find((p) => p.name === 'get')!;
    expect(get.arguments).toEqual([
      { name: 'request', description: expect.stringMatching(/status.*clear.*send/), required: false },
    ]);
    expect(get.description!.length).toBeLessThanOrEqual(120);
    expect(prompts.find((p) => p.name === 'status')!.arguments ?? []).toEqual([]);
  });
});

describe('prompts/get', () => {
  it('get with no argument tells the model to call relay_fetch', async () => {
    const { client } = await connect('code');
    const text = textOf(await client.getPrompt({ name: 'get', arguments: {} }));
    expect(text).toMatch(/^Call the relay_fetch tool with no arguments to get/);
    expect(Buffer.byteLength(text)).toBeLessThan(400);
    const bare = textOf(await client.getPrompt({ name: 'get' }));
    expect(bare).toBe(text);
  });

  it('get asks for a reader when the process has no fixed side', async () => {
    const { client } = await connect(null);
    expect(textOf(await client.getPrompt({ name: 'get', arguments: {} }))).toContain('pass reader "desktop" or "code"');
  });

  it('get clear names relay_clear; get <message> passes the text through unchanged for relay_send', async () => {
    const { client } = await connect('code');
    expect(textOf(await client.getPrompt({ name: 'get', arguments: { request: 'clear' } }))).toMatch(
      /^Call the relay_clear tool/,
    );
    const message = 'Please review PR #42:\n  - parser.ts "quotes" and `ticks`';
    const send = textOf(await client.getPrompt({ name: 'get', arguments: { request: message } }));
    expect(send).toMatch(/^Call the relay_send tool with "message" set to exactly the text below/);
    expect(send.endsWith(`\n\n${message}`)).toBe(true);
  });

  it('status and get status report the live counts, with no tool call needed', async () => {
    const desktop = await connect('desktop');
    const code = await connect('code', desktop.dbFile);
    await desktop.call('relay_send', { message: 'one' });
    await desktop.call('relay_send', { message: 'two' });
    await code.call('relay_send', { message: 'three' });
    expect(body(await code.call('relay_fetch', { limit: 1 })).ok).toBe(true);
    const status = textOf(await code.client.getPrompt({ name: 'status' }));
    expect(status).toContain('call no tool');
    expect(status).toContain('3 messages in the relay; unread: 1 for Desktop, 1 for Code');
    expect(status).toMatch(/last activity: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d/);
    expect(status).toContain(`database: ${desktop.dbFile}`);
    expect(textOf(await code.client.getPrompt({ name: 'get', arguments: { request: ' Status ' } }))).toBe(status);
  });
});
