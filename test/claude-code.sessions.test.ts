// Whole Claude Code sessions, offline: the real CLI (the latest and the oldest relay supports) after
// `mcp-relay setup code`, talking to a scripted Messages API. What counts is what reaches the model (every request
// body is recorded) and what reaches the other side (the store).
import fs from 'node:fs';
import path from 'node:path';

import { describe, expect, it, onTestFinished } from 'vitest';

import { MAX_INSTRUCTIONS_BYTES } from '../src/server/instructions.js';
import { MAX_DEFINITION_BYTES } from '../src/server/tools/budget.js';
import { claude, type ClaudeCode, claudeHome, findClaude, titled } from './helpers/claude.js';
import { contextText, type Script, startMessagesApi, toolResult } from './helpers/messages-api.js';
import { runCli, spawnClient } from './helpers/spawn.js';

const RELAY_TOOLS = ['relay_attachment', 'relay_clear', 'relay_fetch', 'relay_search', 'relay_send', 'relay_sessions'];

/** A temp HOME set up with `mcp-relay setup code`, a project directory in it, and a scripted API per session. */
async function setUpHome(cli: ClaudeCode) {
  const where = claudeHome(cli);
  const setup = await runCli(['setup', 'code'], where.home, where.env);
  expect(setup.stderr).toBe('');
  expect(setup.code).toBe(0);
  const project = path.join(where.home, 'parser');
  fs.mkdirSync(project);
  /** `claude -p prompt` in the project, its model scripted; resolves with the API's record once the session ends. */
  const session = async (
    prompt: string,
    script: Script,
    extra: { env?: Record<string, string>; args?: string[] } = {},
  ) => {
    const scripted = await startMessagesApi(script);
    onTestFinished(() => scripted.close());
    const result = await claude(where, ['-p', prompt, '--output-format', 'json', ...(extra.args ?? [])], {
      cwd: project,
      env: { ANTHROPIC_BASE_URL: scripted.url, ...extra.env },
      timeoutMs: 90_000,
    });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    return scripted;
  };
  return { where, project, session };
}

const byName = <T extends { name: string }>(list: T[]) => [...list].sort((a, b) => a.name.localeCompare(b.name));

/** What relay serves this project's Code session (as setup registered it): its instructions and tool definitions. */
async function served(where: { home: string; env: Record<string, string> }, project: string) {
  const { client } = await spawnClient(['--client', 'code'], where.home, where.env, { cwd: project });
  const instructions = client.getInstructions() ?? '';
  const { tools } = await client.listTools();
  await client.close();
  return {
    instructions,
    definitions: byName(
      tools.map(({ name, description, inputSchema }) => ({
        name: `mcp__relay__${name}`,
        description,
        input_schema: inputSchema,
      })),
    ),
  };
}

describe.each(['latest', 'oldest'] as const)('Claude Code sessions with relay (%s)', (which) => {
  const found = findClaude(which);
  describe.skipIf(found.missing !== undefined)(titled(`${which} CLI`, found), () => {
    const cli = found.claude!;

    it(
      'shows the start-up preview, expands /get into relay_fetch, and the fetch returns the message',
      { timeout: 120_000 },
      async () => {
        const { where, project, session } = await setUpHome(cli);
        const relay = await served(where, project);
        await runCli(['send', '--as', 'desktop', 'Review parser.ts please'], where.home, where.env);
        const api = await session('/get', { tool: 'relay_fetch' });
        const [first, ...rest] = api.turns();
        const last = rest.at(-1) ?? first!;
        const context = contextText(first!);
        // The SessionStart hook's preview, and /get's text, are in the model's context from the first request on.
        expect(context).toContain(
          'relay: 1 unread message for this Code session (run /get to read them):\n1. from Desktop: "Review parser.ts please"',
        );
        expect(context).toContain('Relay request: ""');
        // relay's instructions are there, whole, as relay serves them to this session, under the server's name.
        expect(relay.instructions).toContain('You are Claude Code session "parser"');
        expect(context).toContain(`## relay\n${relay.instructions}`);
        const sent = (first!.tools ?? []).filter((t) => t.name.startsWith('mcp__relay__'));
        if (which === 'latest') {
          // With tool search (the latest CLI's default) the model gets relay's six names, and no relay schema until
          // it loads one.
          expect(sent).toEqual([]);
          const deferred = /deferred tools[^]*/.exec(context)?.[0] ?? '';
          for (const tool of RELAY_TOOLS) expect(deferred).toContain(`mcp__relay__${tool}`);
        } else {
          // The oldest CLI has no tool search: every relay schema is sent up front, as relay serves it.
          expect(
            byName(sent.map(({ name, description, input_schema }) => ({ name, description, input_schema }))),
          ).toEqual(relay.definitions);
        }
        // The model called relay_fetch, which returned the message, marked read.
        expect(JSON.parse(toolResult(last, 'relay_fetch')!)).toMatchObject({
          ok: true,
          messages: [{ from: 'desktop', message: 'Review parser.ts please' }],
        });
        const after = await runCli(['fetch', '--for', 'code', '--name', 'parser', '--json'], where.home, where.env);
        expect(JSON.parse(after.stdout)).toMatchObject({ messages: [] });
      },
    );

    it(
      'sends to Desktop with relay_send, and without tool search the model gets every relay schema',
      { timeout: 120_000 },
      async () => {
        const { where, project, session } = await setUpHome(cli);
        const relay = await served(where, project);
        const api = await session(
          'Ask Desktop whether to ship the parser',
          { tool: 'relay_send', input: { message: 'Ship the parser today?' } },
          { env: { ENABLE_TOOL_SEARCH: 'false' }, args: ['--allowedTools', 'mcp__relay__relay_send'] },
        );
        const [first] = api.turns();
        const relayTools = (first!.tools ?? []).filter((t) => t.name.startsWith('mcp__relay__'));
        expect(relayTools.map((t) => t.name.replace('mcp__relay__', '')).sort()).toEqual(RELAY_TOOLS);
        const definitions = relayTools.map(({ name, description, input_schema }) => ({
          name,
          description,
          input_schema,
        }));
        // Every schema, exactly as relay serves it, within the budget; and the instructions beside them.
        expect(byName(definitions)).toEqual(relay.definitions);
        expect(Buffer.byteLength(JSON.stringify(definitions))).toBeLessThanOrEqual(MAX_DEFINITION_BYTES);
        expect(JSON.stringify(definitions)).not.toContain('$schema');
        expect(contextText(first!)).toContain(`## relay\n${relay.instructions}`);
        expect(relay.instructions).toContain('relay_send');
        expect(Buffer.byteLength(relay.instructions)).toBeLessThanOrEqual(MAX_INSTRUCTIONS_BYTES);
        // Desktop has it, from this Code session.
        const desktop = await runCli(['fetch', '--for', 'desktop', '--json'], where.home, where.env);
        expect(JSON.parse(desktop.stdout)).toMatchObject({
          messages: [{ from: 'parser', message: 'Ship the parser today?' }],
        });
      },
    );
  });
});
