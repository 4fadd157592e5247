// Claude Desktop set-up: `mcpServers.relay` in claude_desktop_config.json where the app reads it, with a command
// that starts without a shell's PATH. Plans one step (apply.ts applies it). Desktop has no slash commands or hooks:
// it gets the prompts and a memory instruction.
//
// Where the file is (one rule for setup, --uninstall and doctor): macOS ~/Library/Application Support/Claude, Linux
// $XDG_CONFIG_HOME/Claude (~/.config). Windows: the Microsoft Store (MSIX) app reads
// %LOCALAPPDATA%\Packages\Claude_<id>\LocalCache\Roaming\Claude, preferred wherever such a package folder exists;
// an installer-based app reads %APPDATA%\Claude. With several package folders, the one holding a config wins; when
// none or more than one does, setup says so and writes nothing rather than guess.
import fs from 'node:fs';
import path from 'node:path';

import { resolveSound, SoundError } from '../notify/sound.js';
import { ConfigFileError, readJson } from './config-file.js';
import { guiEntry } from './launcher.js';
import {
  type EntryRule,
  type ServerEntry,
  serverEntryStep,
  type SetupContext,
  type SetupOptions,
  type Step,
} from './steps.js';

export const MEMORY_INSTRUCTION = 'Remember: when I say "get" or "/get" alone, fetch my messages with relay_fetch.';
export const DESKTOP_CONFIG = 'claude_desktop_config.json';

type Where = Pick<SetupContext, 'home' | 'env' | 'platform'>;

/** Joins in the style of `base` (Windows paths on Windows, and the POSIX temp folders tests stand in with). */
function joinLike(base: string, ...parts: string[]): string {
  return (base.includes('\\') ? path.win32 : path.posix).join(base, ...parts);
}

export interface DesktopLocation {
  /** The folder of claude_desktop_config.json. */
  dir: string;
  file: string;
  layout: 'macos' | 'linux' | 'msix' | 'classic';
  /** Every place a Windows Desktop may read from (for doctor's stale-copy check); the chosen one first. */
  candidates: string[];
}

/** The Windows candidates: each MSIX package's folder, then the classic %APPDATA%\Claude. */
function windowsCandidates(context: Where): { msix: string[]; classic: string } {
  const { home, env } = context;
  const local = env.LOCALAPPDATA || joinLike(home, 'AppData', 'Local');
  const roaming = env.APPDATA || joinLike(home, 'AppData', 'Roaming');
  const packages = joinLike(local, 'Packages');
  let names: string[] = [];
  try {
    names = fs.readdirSync(packages).filter((name) => /^Claude_/i.test(name));
  } catch {
    // no Packages folder: no MSIX app
  }
  return {
    msix: names.sort().map((name) => joinLike(packages, name, 'LocalCache', 'Roaming', 'Claude')),
    classic: joinLike(roaming, 'Claude'),
  };
}

/** Where Claude Desktop reads its config here; throws ConfigFileError when that cannot be told. */
export function desktopLocation(context: Where): DesktopLocation {
  const { home, env, platform } = context;
  const at = (dir: string, layout: DesktopLocation['layout'], candidates: string[] = [dir]): DesktopLocation => ({
    dir,
    file: joinLike(dir, DESKTOP_CONFIG),
    layout,
    candidates,
  });
  if (platform === 'darwin') return at(path.posix.join(home, 'Library', 'Application Support', 'Claude'), 'macos');
  if (platform !== 'win32')
    return at(path.posix.join(env.XDG_CONFIG_HOME || path.posix.join(home, '.config'), 'Claude'), 'linux');
  const { msix, classic } = windowsCandidates(context);
  const all = [...msix, classic];
  const others = (dir: string) => [dir, ...all.filter((d) => d !== dir)];
  if (msix.length === 0) return at(classic, 'classic', [classic]);
  if (msix.length === 1) return at(msix[0]!, 'msix', others(msix[0]!));
  const holding = msix.filter((dir) => fs.existsSync(joinLike(dir, DESKTOP_CONFIG)));
  if (holding.length === 1) return at(holding[0]!, 'msix', others(holding[0]!));
  const list = msix.map((d) => `  ${d}`).join('\n');
  throw new ConfigFileError(
    msix[0]!,
    holding.length === 0
      ? `Claude Desktop is installed as more than one Microsoft Store package here, and none has a ${DESKTOP_CONFIG} yet:\n${list}\n` +
          `Open Claude Desktop once, then Settings > Developer > Edit Config (that creates the file where the app reads it), ` +
          `and run setup again. Nothing was written.`
      : `Claude Desktop has a ${DESKTOP_CONFIG} in more than one Microsoft Store package here:\n${list}\n` +
          `setup cannot tell which one the app reads: open Settings > Developer > Edit Config in Claude Desktop to see its file, ` +
          `remove the other package's folder, and run setup again. Nothing was written.`,
  );
}

/** The folder setup writes to (see desktopLocation). */
export function desktopConfigDir(context: Where): string {
  return desktopLocation(context).dir;
}

export function desktopConfigFile(context: Where): string {
  return desktopLocation(context).file;
}

/** Why relay could not play `sound` here (it refuses to start with such a sound), or undefined. */
function soundProblem(sound: string, context: SetupContext): string | undefined {
  try {
    resolveSound(sound === '' ? { kind: 'default' } : { kind: 'named', value: sound }, context);
    return undefined;
  } catch (error) {
    if (error instanceof SoundError) return error.message;
    throw error;
  }
}

/** `--client desktop [--sound [NAME]] [--debug]`: Desktop's relay notifies for every side, so it takes --sound. */
export function desktopRule(context: SetupContext): EntryRule {
  return { kind: 'desktop', sound: true, soundProblem: (sound) => soundProblem(sound, context) };
}

export function desktopEntry(context: SetupContext): ServerEntry {
  return guiEntry(context.launcher, ['--client', 'desktop'], context.execPath, context.platform);
}

export function planDesktop(context: SetupContext, options: SetupOptions): Step[] {
  const location = desktopLocation(context);
  const step = serverEntryStep(
    readJson(location.file),
    'relay MCP server (Claude Desktop)',
    desktopEntry(context),
    desktopRule(context),
    options,
  );
  return [
    location.layout === 'msix' ? { ...step, what: 'relay MCP server (Claude Desktop, Microsoft Store app)' } : step,
  ];
}
