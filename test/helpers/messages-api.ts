// A scripted stand-in for the Anthropic Messages API on 127.0.0.1, for whole `claude -p` sessions offline
// (Claude Code honours ANTHROPIC_BASE_URL). Given the tool a test names, the "model" calls it: through ToolSearch
// first when Claude Code has deferred its schema (tool search), then the tool itself with the test's input, and ends
// the turn once the tool's result comes back. Requests without tools (Claude Code's side calls: titles, summaries)
// get a one-word answer. Every request body is recorded, so a test can read what the model was given.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Script {
  /** The tool to call, by its MCP name (`relay_fetch`): matched against Claude Code's `mcp__<server>__relay_fetch`. */
  tool?: string;
  input?: Record<string, unknown>;
  /** The text that ends the turn. */
  text?: string;
}

export interface MessagesRequest {
  model: string;
  system?: string | { type: string; text: string }[];
  messages: { role: string; content: string | ContentBlock[] }[];
  tools?: { name: string; description?: string; input_schema?: unknown; defer_loading?: boolean }[];
  stream?: boolean;
}

export interface ContentBlock {
  type: string;
  text?: string;
  id?: string;
  name?: string;
  input?: unknown;
  tool_use_id?: string;
  content?: unknown;
}

export interface ScriptedApi {
  url: string;
  /** Every /v1/messages request body, in order. */
  requests: MessagesRequest[];
  /** The requests of the session itself (those that offer tools), in order. */
  turns(): MessagesRequest[];
  close(): Promise<void>;
}

type Reply = { blocks: ContentBlock[]; stop: 'end_turn' | 'tool_use' };

const blocksOf = (request: MessagesRequest): ContentBlock[] =>
  request.messages.flatMap((m) => (typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : m.content));

/** The model's next move in a session that offers tools. */
export function nextMove(request: MessagesRequest, script: Script): Reply {
  const done: Reply = { blocks: [{ type: 'text', text: script.text ?? 'Done.' }], stop: 'end_turn' };
  if (script.tool === undefined) return done;
  const everything = JSON.stringify(request);
  const target = new RegExp(`mcp__[A-Za-z0-9_-]+__${script.tool}\\b`).exec(everything)?.[0];
  if (target === undefined)
    return { blocks: [{ type: 'text', text: `No tool ${script.tool} was offered.` }], stop: 'end_turn' };
  const called = blocksOf(request)
    .filter((b) => b.type === 'tool_use')
    .map((b) => b.name);
  const turn = called.length + 1;
  const use = (name: string, input: unknown): Reply => ({
    blocks: [{ type: 'tool_use', id: `toolu_${turn}`, name, input }],
    stop: 'tool_use',
  });
  if (called.includes(target)) return done;
  const offered = (request.tools ?? []).some((t) => t.name === target);
  if (!offered && !called.includes('ToolSearch')) return use('ToolSearch', { query: `select:${target}` });
  return use(target, script.input ?? {});
}

function writeSse(res: http.ServerResponse, model: string, reply: Reply): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const event = (type: string, data: Record<string, unknown>) =>
    res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
  const usage = { input_tokens: 1, output_tokens: 1 };
  event('message_start', {
    message: { id: 'msg_scripted', type: 'message', role: 'assistant', model, content: [], stop_reason: null, usage },
  });
  reply.blocks.forEach((block, index) => {
    if (block.type === 'text') {
      event('content_block_start', { index, content_block: { type: 'text', text: '' } });
      event('content_block_delta', { index, delta: { type: 'text_delta', text: block.text } });
    } else {
      event('content_block_start', {
        index,
        content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} },
      });
      event('content_block_delta', {
        index,
        delta: { type: 'input_json_delta', partial_json: JSON.stringify(block.input) },
      });
    }
    event('content_block_stop', { index });
  });
  event('message_delta', { delta: { stop_reason: reply.stop, stop_sequence: null }, usage: { output_tokens: 1 } });
  event('message_stop', {});
  res.end();
}

export async function startMessagesApi(script: Script): Promise<ScriptedApi> {
  const requests: MessagesRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = req.url ?? '';
      if (req.method !== 'POST' || !url.startsWith('/v1/messages')) {
        res
          .writeHead(404, { 'content-type': 'application/json' })
          .end('{"type":"error","error":{"type":"not_found_error","message":"not here"}}');
        return;
      }
      const request = JSON.parse(Buffer.concat(chunks).toString('utf8')) as MessagesRequest;
      if (url.startsWith('/v1/messages/count_tokens')) {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"input_tokens":1}');
        return;
      }
      requests.push(request);
      const reply: Reply = request.tools?.length
        ? nextMove(request, script)
        : { blocks: [{ type: 'text', text: 'ok' }], stop: 'end_turn' };
      if (request.stream) return writeSse(res, request.model, reply);
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          id: 'msg_scripted',
          type: 'message',
          role: 'assistant',
          model: request.model,
          content: reply.blocks,
          stop_reason: reply.stop,
          usage: { input_tokens: 1, output_tokens: 1 },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    turns: () => requests.filter((r) => (r.tools?.length ?? 0) > 0),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** All text a request puts before the model: system prompt and every message's text and tool results. */
export function contextText(request: MessagesRequest): string {
  const system =
    typeof request.system === 'string' ? request.system : (request.system ?? []).map((b) => b.text).join('\n');
  const parts = blocksOf(request).map((b) => (b.type === 'tool_result' ? JSON.stringify(b.content) : (b.text ?? '')));
  return [system, ...parts].join('\n');
}

/** The text of the tool_result for the call of `tool` (by its full or MCP name), or undefined. */
export function toolResult(request: MessagesRequest, tool: string): string | undefined {
  const blocks = blocksOf(request);
  const use = blocks.find((b) => b.type === 'tool_use' && (b.name === tool || b.name?.endsWith(`__${tool}`)));
  const result = blocks.find((b) => b.type === 'tool_result' && b.tool_use_id === use?.id);
  if (result === undefined) return undefined;
  const content = result.content;
  return typeof content === 'string' ? content : (content as ContentBlock[]).map((b) => b.text ?? '').join('');
}
