// The README's quick start, followed literally (issue 12.10): its commands are read from the fenced blocks of
// README.md's "## Quick start" section and run one by one through `sh -c`, as a newcomer types them, in a fresh temp
// HOME with a temp npm prefix (for `npm link`), the real `claude` CLI and Node 22.13+ (what the README asks for) on
// PATH, and a fake notify-send: nothing of the real ~/.claude, ~/.relay_buffer.db or desktop is touched. Then what
// the README promises: `claude mcp list` shows relay connected, and a message sent from Desktop's side (the server
// Desktop's config starts, as Desktop starts it) arrives in a scripted Code session through `/get`.
// Two liberties, both outside the README's commands: `git clone <the repository's URL>` clones this checkout
// instead (offline: its committed HEAD, so commit before running this test on a change), and this checkout's
// node_modules is linked into the clone before `npm install`, which then finds it up to date and only builds (a real
// install downloads ~1 GB of devDependencies: minutes). Runs once per CI run (the real CLI; it picks its own Node).
import fs from 'node:fs';
import path from 'node:path';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { describe, expect, it, onTestFinished } from 'vitest';

import { claude, claudeHome, findClaude, titled } from './helpers/claude.js';
import { fakeBin } from './helpers/fakes.js';
import { contextText, startMessagesApi, toolResult } from './helpers/messages-api.js';
import { requireNode } from './helpers/node-versions.js';
import { run } from './helpers/run.js';
import { root } from './helpers/spawn.js';
import { tempDir } from './helpers/temp.js';

/** The shell commands of README.md's "## Quick start" section, in order (comments and blank lines left out). */
export function quickStartCommands(readme: string): string[] {
  const start = readme.indexOf('\n## Quick start\n');
  if (start < 0) throw new Error('README.md has no "## Quick start" section');
  const next = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, next < 0 ? undefined : next);
  const blocks = [...section.matchAll(/^```(?:sh|bash|shell|console)?\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
  return blocks
    .flatMap((block) => block.split('\n'))
    .map((line) => line.replace(/(^|\s)#.*$/, '').trim())
    .filter((line) => line !== '');
}

/**
 * This checkout's node_modules, for the clone: hard links where the file system allows (a second or two, and as quick
 * to remove), a copy elsewhere.
 */
async function copyNodeModules(to: string): Promise<void> {
  const from = path.join(root, 'node_modules');
  const linked = await run('cp', ['-al', from, to], { cwd: root, env: { PATH: '/usr/bin:/bin' }, timeoutMs: 120_000 });
  if (linked.code === 0) {
    // The one file npm rewrites in place there (the hidden lockfile): the clone's own copy.
    const lock = path.join(to, '.package-lock.json');
    if (fs.existsSync(lock)) {
      fs.rmSync(lock);
      fs.copyFileSync(path.join(from, '.package-lock.json'), lock);
    }
    return;
  }
  fs.rmSync(to, { recursive: true, force: true });
  fs.cpSync(from, to, { recursive: true, verbatimSymlinks: true });
}

const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  repository: { url: string };
};
/** The repository's clone URL as a user types it: https://github.com/OWNER/NAME.git */
const repositoryUrl = pkg.repository.url.replace(/^git\+/, '');

describe("README.md's quick start", () => {
  it('is a clone, npm install, npm link, setup code, setup desktop and doctor, in that order', () => {
    const commands = quickStartCommands(readme);
    const at = (re: RegExp) => commands.findIndex((c) => re.test(c));
    const steps = [
      /^git clone \S+/,
      /^npm install$/,
      /^npm link$/,
      /^mcp-relay setup code$/,
      /^mcp-relay setup desktop$/,
      /^mcp-relay doctor$/,
    ].map(at);
    expect(
      steps.every((i) => i >= 0),
      commands.join('\n'),
    ).toBe(true);
    expect([...steps].sort((a, b) => a - b)).toEqual(steps);
    // It clones this repository, and never runs an npm name nobody owns (issue 12.2).
    expect(commands[steps[0]!]).toMatch(new RegExp(`^git clone ${repositoryUrl.replaceAll('.', '\\.')}( \\S+)?$`));
    expect(commands.filter((c) => /\bnpx mcp-relay\b/.test(c))).toEqual([]);
  });
});

const found = findClaude('latest');
const node = requireNode(22, "the README's quick start (it asks for Node 22.13 or later)", '22.13');
const inGit = fs.existsSync(path.join(root, '.git'));
if (!inGit) process.stderr.write("\n!! SKIPPING the README's quick start: this checkout is not a git clone\n\n");

describe.skipIf(found.missing !== undefined || node === null || !inGit)(
  titled("README.md's quick start, followed literally", found),
  () => {
    it('gets a newcomer from a clone to a message from Desktop in a Code session', { timeout: 360_000 }, async () => {
      const where = claudeHome(found.claude!, { node: node!.path });
      const prefix = tempDir('relay-npm-prefix-');
      const fakes = fakeBin();
      fakes.add('notify-send');
      const env: Record<string, string> = {
        ...where.env,
        PATH: [path.join(prefix, 'bin'), fakes.bin, where.env.PATH].join(':'),
        npm_config_prefix: prefix,
        npm_config_nodedir: '/usr',
        // No npm chatter with the registry beyond what the commands need.
        npm_config_update_notifier: 'false',
        npm_config_audit: 'false',
        npm_config_fund: 'false',
      };
      let cwd = where.home;
      const transcript: string[] = [];
      for (const command of quickStartCommands(readme)) {
        let line = command;
        const clone = /^git clone (\S+)( \S+)?$/.exec(command);
        if (clone !== null) {
          expect(clone[1]).toBe(repositoryUrl);
          line = `git clone '${root}'${clone[2] ?? ` ${path.basename(repositoryUrl, '.git')}`}`;
        }
        const cd = /^cd (\S+)$/.exec(command);
        if (cd !== null) {
          cwd = path.resolve(cwd, cd[1]!);
          continue;
        }
        if (command === 'npm install') await copyNodeModules(path.join(cwd, 'node_modules'));
        const result = await run('sh', ['-c', line], { cwd, env, timeoutMs: 240_000 });
        transcript.push(`$ ${command}\n${result.stdout}${result.stderr}`);
        expect(result.code, transcript.join('\n')).toBe(0);
      }
      const log = transcript.join('\n');
      expect(log).toMatch(/All required checks pass/);
      expect(log).not.toMatch(/^\s*(fail|error)\b/m);

      // `mcp-relay` came from `npm link`, into the temp prefix.
      expect(fs.realpathSync(path.join(prefix, 'bin', 'mcp-relay'))).toBe(
        fs.realpathSync(path.join(cwd, 'dist', 'cli.js')),
      );

      const project = path.join(where.home, 'parser');
      fs.mkdirSync(project);
      const list = await claude(where, ['mcp', 'list'], { cwd: project, env });
      expect(list.stdout).toMatch(/^relay: .*dist\/cli\.js --client code - [✓✔] Connected$/m);

      // Desktop's side: the server its config starts, started as Desktop starts it, sends to Code.
      const desktopConfig = /\S+claude_desktop_config\.json/.exec(log)?.[0];
      expect(desktopConfig, log).toBeDefined();
      const server = (
        JSON.parse(fs.readFileSync(desktopConfig!, 'utf8')) as {
          mcpServers: { relay: { command: string; args: string[]; env?: Record<string, string> } };
        }
      ).mcpServers.relay;
      const transport = new StdioClientTransport({
        command: server.command,
        args: server.args,
        env: { HOME: where.home, PATH: env.PATH!, ...server.env },
        stderr: 'pipe',
      });
      const desktop = new Client({ name: 'claude-ai', version: '0' });
      onTestFinished(async () => {
        await desktop.close().catch(() => {});
        if (transport.pid !== null) {
          try {
            process.kill(transport.pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }
      });
      await desktop.connect(transport);
      const sent = await desktop.callTool({ name: 'relay_send', arguments: { message: 'Review parser.ts please' } });
      expect(sent.isError, JSON.stringify(sent)).toBeFalsy();
      await desktop.close();

      // The Code session: the start-up hook shows it, and /get fetches it.
      const api = await startMessagesApi({ tool: 'relay_fetch' });
      onTestFinished(() => api.close());
      const session = await claude(where, ['-p', '/get', '--output-format', 'json'], {
        cwd: project,
        env: { ...env, ANTHROPIC_BASE_URL: api.url },
        timeoutMs: 120_000,
      });
      expect(session.code, session.stdout + session.stderr).toBe(0);
      const turns = api.turns();
      expect(contextText(turns[0]!)).toContain(
        'relay: 1 unread message for this Code session (run /get to read them):\n1. from Desktop: "Review parser.ts please"',
      );
      expect(JSON.parse(toolResult(turns.at(-1)!, 'relay_fetch')!)).toMatchObject({
        ok: true,
        messages: [{ from: 'desktop', message: 'Review parser.ts please' }],
      });
    });
  },
);
