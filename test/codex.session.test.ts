// A whole Codex session, offline: Codex honours a custom model provider (`base_url`, Responses API), so a small
// scripted stand-in answers its first turn with a call to relay's `relay_send` and ends the next turn when the tool
// result comes back. The message must reach Desktop's mailbox, sent by a `codex` session, through what
// `setup codex` wrote (beside the provider tables the test put in config.toml first).
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

import { describe, expect, it, onTestFinished } from 'vitest';

import { write } from './helpers/files.js';
import { repeatPass } from './helpers/node-versions.js';
import { run } from './helpers/run.js';
import { quietNotifiers, root, runCli } from './helpers/spawn.js';
import { tempDir } from './helpers/temp.js';

const codex = path.join(root, 'node_modules', '.bin', 'codex');
const available = fs.existsSync(codex);
if (!available && process.env.CI) throw new Error('@openai/codex must be installed in CI (a devDependency: npm ci)');
const title = available
  ? 'a whole Codex session with a scripted model'
  : 'a whole Codex session with a scripted model (SKIPPED: @openai/codex is not installed; run `npm install`)';

interface ToolGroup {
  type: string;
  name?: string;
  tools?: { name: string }[];
}

/** The scripted Responses API: records every request body; calls relay_send once, then ends the turn. */
async function scriptedModel(message: string) {
  const requests: { tools?: ToolGroup[]; input?: { type: string; output?: string }[] }[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (req.method !== 'POST' || !req.url?.endsWith('/responses')) {
        res.writeHead(404).end('{}');
        return;
      }
      const request = JSON.parse(body) as (typeof requests)[number];
      requests.push(request);
      const answered = (request.input ?? []).some((item) => item.type === 'function_call_output');
      const n = requests.length;
      const item = answered
        ? { type: 'message', role: 'assistant', id: `msg_${n}`, content: [{ type: 'output_text', text: 'Sent.' }] }
        : {
            type: 'function_call',
            id: `fc_${n}`,
            call_id: `call_${n}`,
            namespace: 'mcp__relay',
            name: 'relay_send',
            arguments: JSON.stringify({ message }),
          };
      const usage = { input_tokens: 1, output_tokens: 1, total_tokens: 2 };
      const events = [
        { type: 'response.created', response: { id: `resp_${n}` } },
        { type: 'response.output_item.done', output_index: 0, item },
        { type: 'response.completed', response: { id: `resp_${n}`, usage } },
      ];
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(events.map((e) => `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`).join(''));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, requests };
}

describe.skipIf(!available || repeatPass('a whole Codex session'))(title, () => {
  it(
    'sends to Desktop through relay_send from a Codex session set up by `setup codex`',
    { timeout: 120_000 },
    async () => {
      const home = tempDir();
      const model = await scriptedModel('The tests pass on main.');
      const config = path.join(home, '.codex', 'config.toml');
      write(
        config,
        [
          '# a scripted stand-in for the model',
          'model = "scripted"',
          'model_provider = "scripted"',
          '',
          '[model_providers.scripted]',
          'name = "scripted"',
          `base_url = "${model.url}"`,
          'wire_api = "responses"',
          '',
        ].join('\n'),
      );
      const setup = await runCli(['setup', 'codex'], home, { PATH: '' });
      expect(setup.code).toBe(0);

      const session = await run(codex, ['exec', '--skip-git-repo-check', 'tell Desktop the tests pass'], {
        cwd: home,
        env: {
          HOME: home,
          PATH: [path.dirname(process.execPath), quietNotifiers, '/usr/bin', '/bin'].join(':'),
          NO_COLOR: '1',
        },
        timeoutMs: 90_000,
      });
      expect(session.code, session.stdout + session.stderr).toBe(0);
      // The model saw relay's tools as one namespace, and got relay_send's result back.
      const relay = model.requests[0]!.tools!.find((t) => t.name === 'mcp__relay');
      expect(relay?.type).toBe('namespace');
      expect(relay?.tools?.map((t) => t.name)).toContain('relay_send');
      const result = model.requests[1]!.input!.find((i) => i.type === 'function_call_output');
      expect(result?.output).toContain('"ok":true');

      const fetched = await runCli(['fetch', '--for', 'desktop', '--json'], home, { PATH: '' });
      const messages = JSON.parse(fetched.stdout) as { messages: { sender: string; message: string }[] };
      expect(messages.messages).toMatchObject([{ sender: 'codex', message: 'The tests pass on main.' }]);
    },
  );
});
