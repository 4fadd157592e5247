// `mcp-relay setup code|desktop|codex|gemini|cursor`: wires relay into a client, or (--uninstall) takes out what it
// put in. Plans every change first (so an unparsable file stops the run before anything is written), shows it,
// then applies it (src/setup/apply.ts). The merging rules live in src/setup/; this file only parses flags and prints.
import { spawnSync } from 'node:child_process';

import { which } from '../lib/which.js';
import { resolveSound, SoundError } from '../notify/sound.js';
import { applyPlan } from '../setup/apply.js';
import { type CodeScope, planCode } from '../setup/claude-code.js';
import { MEMORY_INSTRUCTION, planDesktop } from '../setup/claude-desktop.js';
import { CLIENTS } from '../setup/clients.js';
import { ConfigFileError } from '../setup/config-file.js';
import { changed, diffOf } from '../setup/file-change.js';
import { currentLauncher, type Launcher, shellJoin } from '../setup/launcher.js';
import { planClient } from '../setup/mcp-client.js';
import { type Runner, type SetupContext, SetupRunError, type Step } from '../setup/steps.js';
import { UsageError, UserError } from './errors.js';
import { type CliIo, homeOf, println } from './io.js';
import { normaliseOptionalValue } from './notify-options.js';
import { parse } from './options.js';

export const usage = `Usage: mcp-relay setup code [--scope user|project] [--[no-]debug] [--dry-run] [--uninstall] [--force] [--json]
       mcp-relay setup desktop [--sound [NAME] | --no-sound] [--[no-]debug] [--dry-run] [--uninstall] [--force] [--json]
       mcp-relay setup codex|gemini|cursor [--[no-]debug] [--dry-run] [--uninstall] [--force] [--json]

Registers relay with a client, merging into its existing files (never replacing them). Each file is backed up
(<file>.bak-<timestamp>) before it changes; a second run changes nothing. Entries of the Python relay
(mcp-server-relay 1.x) are upgraded. The --sound and --debug of the entry it replaces (the Python relay's, or
setup's own) are kept unless a flag below says otherwise.

  code             register with Claude Code, install the /get command (~/.claude/commands/get.md) and a
                   SessionStart hook in ~/.claude/settings.json that previews unread messages
    --scope user     all projects: \`claude mcp add --scope user\` (or ~/.claude.json without claude) (default)
    --scope project  this project only: .mcp.json in the current directory
  desktop          add relay to claude_desktop_config.json, then print the instruction to give Desktop
    --sound [NAME]   play a sound with each notification (the platform's default without NAME)
    --no-sound       no sound
  codex            add [mcp_servers.relay] to ~/.codex/config.toml ($CODEX_HOME)
  gemini           add relay to ~/.gemini/settings.json ($GEMINI_CLI_HOME)
  cursor           add relay to ~/.cursor/mcp.json
  --debug          the server logs every call to ~/.relay_debug.log (--no-debug: it does not)
  --dry-run        show what would change and write nothing
  --uninstall      remove what setup added (entries edited since are reported and left alone)
  --force          also replace or remove a relay entry, /get command or hook that setup did not write as is
  --json           print the steps as JSON`;

export const options = {
  scope: { type: 'string' },
  sound: { type: 'string' },
  'no-sound': { type: 'boolean' },
  debug: { type: 'boolean' },
  'no-debug': { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  uninstall: { type: 'boolean' },
  force: { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

const TARGETS = ['code', 'desktop', ...Object.keys(CLIENTS)];

const spawnRunner: Runner = (command, args) => {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 120_000 });
  return { code: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? result.error?.message ?? '' };
};

export interface SetupDeps {
  launcher?: Launcher;
  runner?: Runner;
  execPath?: string;
}

export function setupContext(io: CliIo, deps: SetupDeps = {}): SetupContext {
  return {
    home: homeOf(io),
    env: io.env,
    platform: io.platform,
    cwd: io.cwd,
    now: io.now(),
    launcher: deps.launcher ?? currentLauncher(),
    execPath: deps.execPath ?? process.execPath,
    claudePath: which('claude', io.env, io.platform),
    runner: deps.runner ?? spawnRunner,
  };
}

const MARKS: Record<Step['status'], string> = {
  create: '+',
  update: '~',
  remove: '-',
  unchanged: '=',
  conflict: '!',
  kept: '!',
};

export async function run(args: string[], io: CliIo, deps: SetupDeps = {}): Promise<void> {
  const { values, positionals } = parse(normaliseOptionalValue(args, '--sound', options), options, true);
  const target = positionals[0];
  if (target === undefined || !TARGETS.includes(target)) {
    throw new UsageError(
      target === undefined
        ? `say what to set up: ${TARGETS.join(', ')}`
        : `unknown target '${target}' (choose: ${TARGETS.join(', ')})`,
    );
  }
  if (positionals.length > 1) throw new UsageError(`unexpected argument '${positionals[1]}'`);
  if (target !== 'code' && values.scope !== undefined) throw new UsageError('--scope applies to setup code only');
  const sound = values['no-sound'] === true ? '--no-sound' : values.sound !== undefined ? '--sound' : undefined;
  if (target !== 'desktop' && sound !== undefined) {
    throw new UsageError(`${sound} applies to setup desktop only (Desktop notifies for every side)`);
  }
  if (values.sound !== undefined && values['no-sound'] === true)
    throw new UsageError('--sound and --no-sound cannot be used together');
  if (values.debug === true && values['no-debug'] === true)
    throw new UsageError('--debug and --no-debug cannot be used together');
  const scope = values.scope ?? 'user';
  if (scope !== 'user' && scope !== 'project') {
    throw new UsageError(`--scope must be one of: user, project (got '${scope}')`);
  }
  const setupOptions = {
    uninstall: values.uninstall === true,
    force: values.force === true,
    flags: {
      sound: values['no-sound'] === true ? null : values.sound,
      debug: values.debug === true ? true : values['no-debug'] === true ? false : undefined,
    },
  };
  if (values.sound !== undefined && !setupOptions.uninstall) checkSound(values.sound, io);
  const dryRun = values['dry-run'] === true;
  const context = setupContext(io, deps);
  const client = CLIENTS[target];
  const plan = (): Step[] =>
    target === 'code'
      ? planCode(context, scope as CodeScope, setupOptions)
      : target === 'desktop'
        ? planDesktop(context, setupOptions)
        : planClient(client!, context, setupOptions);

  let steps: Step[];
  try {
    steps = plan();
  } catch (error) {
    if (error instanceof ConfigFileError) throw new UserError(error.message);
    throw error;
  }

  let failure: string | undefined;
  if (!dryRun) {
    try {
      applyPlan(steps, plan, context);
    } catch (error) {
      if (error instanceof ConfigFileError || error instanceof SetupRunError) failure = error.message;
      else throw error;
    }
  }
  const conflicts = steps.filter((s) => s.status === 'conflict');

  if (values.json === true) {
    const report = steps.map(({ what, target: file, status, detail, backup, run: commands }) => ({
      what,
      target: file,
      status,
      detail,
      ...(backup ? { backup } : {}),
      ...(commands ? { run: commands } : {}),
    }));
    println(
      io.stdout,
      JSON.stringify({ ok: conflicts.length === 0 && failure === undefined, dryRun, steps: report }, null, 2),
    );
  } else {
    const title =
      target === 'code' ? `Claude Code (${scope} scope)` : target === 'desktop' ? 'Claude Desktop' : client!.title;
    println(
      io.stdout,
      `${dryRun ? 'Dry run, nothing written: ' : ''}${setupOptions.uninstall ? 'removing relay from' : 'setting up relay for'} ${title}`,
    );
    for (const step of steps) {
      const backup = step.backup ? ` (backup: ${step.backup})` : '';
      println(io.stdout, `  ${MARKS[step.status]} ${step.what}: ${step.detail}${backup}`);
      if (dryRun && step.change !== undefined && changed(step.change)) println(io.stdout, indent(diffOf(step.change)));
      if (dryRun)
        for (const command of step.run ?? []) println(io.stdout, `      would run: ${shellJoin(command, io.platform)}`);
    }
    // "Done" only when it is: a step left undone ends in the error below instead.
    if (!dryRun && failure === undefined && conflicts.length === 0) {
      println(io.stdout, closing(target, setupOptions.uninstall, steps));
      const shellDb = io.env.RELAY_DB;
      if (!setupOptions.uninstall && shellDb && target !== 'code' && target !== 'gemini') {
        println(
          io.stdout,
          `Note: RELAY_DB is set here (${shellDb}), but ${title} does not see your shell's environment: its relay uses ` +
            `~/.relay_buffer.db. \`mcp-relay doctor\` checks that every side uses the same buffer.`,
        );
      }
    }
  }
  if (failure !== undefined) throw new UserError(failure);
  if (conflicts.length > 0) {
    throw new UserError(
      `${conflicts.length} step${conflicts.length === 1 ? ' was' : 's were'} left undone (marked !): see above.`,
    );
  }
}

/** The server refuses to start with a sound it cannot play, so setup refuses to register one. */
function checkSound(sound: string, io: CliIo): void {
  try {
    resolveSound(sound === '' ? { kind: 'default' } : { kind: 'named', value: sound }, {
      platform: io.platform,
      env: io.env,
    });
  } catch (error) {
    if (error instanceof SoundError) {
      throw error.reason === 'usage' ? new UsageError(error.message) : new UserError(error.message);
    }
    throw error;
  }
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `      ${line}`)
    .join('\n');
}

function closing(target: string, uninstall: boolean, steps: Step[]): string {
  const nothing = steps.every((s) => s.status === 'unchanged');
  const client = CLIENTS[target];
  if (client !== undefined) return nothing ? 'Nothing to change.' : `Done. ${client.restart}`;
  if (uninstall) {
    return target === 'desktop'
      ? 'Done. Restart Claude Desktop, and remove the "get" instruction from its memory if you gave it one.'
      : 'Done. Restart Claude Code sessions to drop the relay server.';
  }
  if (target === 'desktop') {
    return [
      nothing ? 'Nothing to change.' : 'Done. Restart Claude Desktop, then tell it once:',
      `  ${MEMORY_INSTRUCTION}`,
      'Its prompt menu also offers relay\'s "get" and "status" prompts.',
    ].join('\n');
  }
  return (
    `${nothing ? 'Nothing to change.' : 'Done.'} In Claude Code: /get (or /mcp__relay__get), /get status, /get clear, ` +
    '/get <message>. New sessions show unread messages at start.'
  );
}
