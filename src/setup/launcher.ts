// How a client should start this relay: the command setup registers, as it works where setup itself runs, and
// without a shell's PATH (Claude Desktop and Cursor are GUI apps: on macOS they do not see nvm, Volta or Homebrew).
// From an npx cache the path is temporary, so the absolute npx beside this node, `-y mcp-server-relay`; from a clone
// or a global install, the absolute node and dist/cli.js. Also recognises any command setup may have written (by
// either form, from any path), so a re-run updates and --uninstall removes only relay's own entries.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PACKAGE = 'mcp-server-relay';

export interface Launcher {
  command: string;
  /** Arguments before relay's own (subcommand and flags). */
  args: string[];
  /** How it was chosen, for messages. */
  via: 'npx' | 'node';
}

/** dist/cli.js of this installation (this code is in a chunk under dist/chunks/ once bundled: one level below). */
export function installedCli(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'cli.js');
}

export function launcherFor(
  cliPath: string,
  execPath: string,
  platform: NodeJS.Platform = process.platform,
  exists: (file: string) => boolean = fs.existsSync,
): Launcher {
  if (/[\\/]_npx[\\/]/.test(cliPath)) {
    const join = platform === 'win32' ? path.win32.join : path.posix.join;
    const dir = (platform === 'win32' ? path.win32 : path.posix).dirname(execPath);
    const beside = join(dir, platform === 'win32' ? 'npx.cmd' : 'npx');
    const npx = exists(beside) ? beside : 'npx';
    // Native Windows cannot spawn npx.cmd without a shell: Claude's docs give the cmd /c wrapper.
    return platform === 'win32'
      ? { command: 'cmd', args: ['/c', npx, '-y', PACKAGE], via: 'npx' }
      : { command: npx, args: ['-y', PACKAGE], via: 'npx' };
  }
  return { command: execPath, args: [cliPath], via: 'node' };
}

/** The PATH a GUI app starts programs with when it does not inherit a login shell's (macOS launchd, most desktops). */
export function guiPath(platform: NodeJS.Platform): string[] {
  if (platform === 'darwin') return ['/usr/bin', '/bin', '/usr/sbin', '/sbin'];
  if (platform === 'win32') return [];
  return ['/usr/local/bin', '/usr/bin', '/bin'];
}

/**
 * The entry a GUI client (Claude Desktop, Cursor) gets: the launcher's absolute command, and for npx (whose script
 * starts `node` through PATH, as does the package it runs) a PATH that holds this node's folder.
 */
export function guiEntry(
  launcher: Launcher,
  args: readonly string[],
  execPath: string = process.execPath,
  platform: NodeJS.Platform = process.platform,
): { command: string; args: string[]; env?: { PATH: string } } {
  const entry = { command: launcher.command, args: [...launcher.args, ...args] };
  if (launcher.via !== 'npx' || platform === 'win32') return entry;
  const PATH = [path.posix.dirname(execPath), ...guiPath(platform)]
    .filter((d, i, all) => all.indexOf(d) === i)
    .join(':');
  return { ...entry, env: { PATH } };
}

export function currentLauncher(): Launcher {
  return launcherFor(installedCli(), process.execPath);
}

/** The arguments that follow a relay launcher in `command` + `args`, or null if this does not start a relay. */
export function relayArgs(command: string, args: readonly string[]): string[] | null {
  const all = [command, ...args];
  const npxAt = all[0] === 'cmd' && all[1]?.toLowerCase() === '/c' ? 2 : 0;
  const npx = all[npxAt];
  const npxName = npx === undefined ? '' : path.basename(npx.replace(/\\/g, '/'));
  if (/^npx(\.cmd)?$/i.test(npxName) && all[npxAt + 1] === '-y' && all[npxAt + 2] === PACKAGE) {
    return all.slice(npxAt + 3);
  }
  const node = path.basename(command.replace(/\\/g, '/'));
  const script = args[0];
  if (/^node(js)?(\.exe)?$/i.test(node) && script !== undefined && /[\\/]dist[\\/]cli\.js$/.test(script)) {
    return args.slice(1);
  }
  return null;
}

/** The script path of a node launcher (to check it still exists), or null for npx. */
export function launcherScript(command: string, args: readonly string[]): string | null {
  return relayArgs(command, args) !== null && !/^(npx|cmd)/i.test(path.basename(command)) ? (args[0] ?? null) : null;
}

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** One shell word: as is when safe, else single-quoted (POSIX) or double-quoted (Windows). */
export function shellQuote(word: string, platform: NodeJS.Platform = process.platform): string {
  if (word !== '' && SAFE.test(word)) return word;
  if (platform === 'win32') return `"${word.replace(/"/g, '""')}"`;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

export function shellJoin(words: readonly string[], platform: NodeJS.Platform = process.platform): string {
  return words.map((w) => shellQuote(w, platform)).join(' ');
}

/** Splits a command line written by shellJoin (bare words, '...', "..."); null for anything fancier. */
export function shellSplit(line: string): string[] | null {
  const words: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (line[i] === ' ') i++;
    if (i >= line.length) break;
    let word = '';
    while (i < line.length && line[i] !== ' ') {
      const c = line[i]!;
      if (c === "'") {
        const end = line.indexOf("'", i + 1);
        if (end < 0) return null;
        word += line.slice(i + 1, end);
        i = end + 1;
      } else if (c === '"') {
        let end = i + 1;
        for (; end < line.length; end++) {
          if (line[end] === '"' && line[end + 1] === '"') end++;
          else if (line[end] === '"') break;
        }
        if (end >= line.length) return null;
        word += line.slice(i + 1, end).replace(/""/g, '"');
        i = end + 1;
      } else if (c === '\\' && line[i + 1] === "'") {
        word += "'";
        i += 2;
      } else if (/[;&|<>`$()]/.test(c)) {
        return null;
      } else {
        word += c;
        i++;
      }
    }
    words.push(word);
  }
  return words;
}

/** The command line that runs `relay <args>` through this launcher, for hooks and for messages. */
export function commandLine(
  launcher: Launcher,
  args: readonly string[],
  platform: NodeJS.Platform = process.platform,
): string {
  return shellJoin([launcher.command, ...launcher.args, ...args], platform);
}
