// Claude Desktop set-up: `mcpServers.relay` in claude_desktop_config.json at the platform's path. Plans one step;
// steps.ts applies it. Desktop has no slash commands or hooks: it gets the prompts and a memory instruction.
import path from 'node:path';

import { readJson } from './config-file.js';
import {
  type ArgsShape,
  type ServerEntry,
  serverEntryStep,
  type SetupContext,
  type SetupOptions,
  type Step,
} from './steps.js';

export const MEMORY_INSTRUCTION = 'Remember: when I say "get" or "/get" alone, fetch my messages with relay_fetch.';

/** macOS ~/Library/Application Support/Claude, Windows %APPDATA%\Claude, Linux $XDG_CONFIG_HOME/Claude (~/.config). */
export function desktopConfigDir(context: Pick<SetupContext, 'home' | 'env' | 'platform'>): string {
  const { home, env, platform } = context;
  if (platform === 'darwin') return path.posix.join(home, 'Library', 'Application Support', 'Claude');
  if (platform === 'win32')
    return path.win32.join(env.APPDATA || path.win32.join(home, 'AppData', 'Roaming'), 'Claude');
  return path.posix.join(env.XDG_CONFIG_HOME || path.posix.join(home, '.config'), 'Claude');
}

export function desktopConfigFile(context: Pick<SetupContext, 'home' | 'env' | 'platform'>): string {
  const dir = desktopConfigDir(context);
  return (context.platform === 'win32' ? path.win32 : path.posix).join(dir, 'claude_desktop_config.json');
}

/** `--client desktop`, optionally followed by `--sound` or `--sound NAME`: every shape setup writes. */
export const desktopShape: ArgsShape = (rest) =>
  rest[0] === '--client' &&
  rest[1] === 'desktop' &&
  (rest.length === 2 ||
    (rest[2] === '--sound' && (rest.length === 3 || (rest.length === 4 && !rest[3]!.startsWith('-')))));

/** sound: undefined = no sound; '' = the platform's default sound; else that sound. */
export function desktopEntry(context: SetupContext, sound: string | undefined): ServerEntry {
  const soundArgs = sound === undefined ? [] : sound === '' ? ['--sound'] : ['--sound', sound];
  return { command: context.launcher.command, args: [...context.launcher.args, '--client', 'desktop', ...soundArgs] };
}

export function planDesktop(context: SetupContext, sound: string | undefined, options: SetupOptions): Step[] {
  const file = readJson(desktopConfigFile(context));
  return [
    serverEntryStep(file, 'relay MCP server (Claude Desktop)', desktopEntry(context, sound), desktopShape, options),
  ];
}
