// `--sound [NAME]`: the platform defaults (as in the Python relay), and turning a value into something a platform
// can play, validated once at start-up. Reads the file system to check names and files; never plays anything.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** What the user asked for: no --sound, a bare --sound (the platform default), or --sound NAME. */
export type SoundChoice = { kind: 'off' } | { kind: 'default' } | { kind: 'named'; value: string };

/** Why a --sound value was refused: 'usage' for an unknown name (exit 2), 'file' for a file that is not there (exit 1). */
export class SoundError extends Error {
  constructor(
    readonly reason: 'usage' | 'file',
    message: string,
  ) {
    super(message);
    this.name = 'SoundError';
  }
}

/** The sounds in /System/Library/Sounds on every macOS release since 10.x. */
export const MACOS_SOUNDS = [
  'Basso',
  'Blow',
  'Bottle',
  'Frog',
  'Funk',
  'Glass',
  'Hero',
  'Morse',
  'Ping',
  'Pop',
  'Purr',
  'Sosumi',
  'Submarine',
  'Tink',
] as const;
export const MACOS_DEFAULT_SOUND = 'Blow';

/** The toast sounds a non-looping Windows notification can play. */
export const WINDOWS_SOUNDS = [
  'Notification.Default',
  'Notification.IM',
  'Notification.Mail',
  'Notification.Reminder',
  'Notification.SMS',
] as const;
export const WINDOWS_EVENT_PREFIX = 'ms-winsoundevent:';
export const WINDOWS_DEFAULT_SOUND = `${WINDOWS_EVENT_PREFIX}Notification.Default`;

/** The freedesktop sound-theme name the Python relay played (/usr/share/sounds/freedesktop/stereo/message.oga). */
export const LINUX_DEFAULT_SOUND_NAME = 'message';
/** Players tried in this order; the first found on PATH plays the sound. */
export const LINUX_PLAYERS = ['paplay', 'pw-play', 'canberra-gtk-play'] as const;
const SOUND_EXTENSIONS = ['.oga', '.ogg', '.wav'];

export interface SoundContext {
  platform: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
}

/**
 * The sound to play, or null for none: a macOS sound name, an absolute file path (Linux, or a .wav on Windows), or a
 * Windows `ms-winsoundevent:` URI. Throws a SoundError whose message is one sentence starting with `--sound`.
 */
export function resolveSound(choice: SoundChoice, context: SoundContext): string | null {
  if (choice.kind === 'off') return null;
  const env = context.env ?? process.env;
  const value = choice.kind === 'default' ? null : choice.value;
  switch (context.platform) {
    case 'darwin':
      return value === null ? MACOS_DEFAULT_SOUND : macosSound(value, env);
    case 'win32':
      return value === null ? WINDOWS_DEFAULT_SOUND : windowsSound(value);
    default:
      return linuxSound(value, env);
  }
}

function macosSound(value: string, env: NodeJS.ProcessEnv): string {
  const wanted = value.toLowerCase();
  const known = MACOS_SOUNDS.find((s) => s.toLowerCase() === wanted);
  if (known !== undefined) return known;
  // `display notification ... sound name` also finds sounds the user added to ~/Library/Sounds or /Library/Sounds.
  const home = env.HOME ?? os.homedir();
  for (const dir of [path.join(home, 'Library', 'Sounds'), '/Library/Sounds']) {
    for (const entry of listDir(dir)) {
      const base = path.parse(entry).name;
      if (base.toLowerCase() === wanted) return base;
    }
  }
  throw new SoundError('usage', `--sound must be a macOS sound name: ${MACOS_SOUNDS.join(', ')} (got '${value}')`);
}

function windowsSound(value: string): string {
  const name = value.toLowerCase().startsWith(WINDOWS_EVENT_PREFIX) ? value.slice(WINDOWS_EVENT_PREFIX.length) : value;
  const known = WINDOWS_SOUNDS.find(
    (s) => s.toLowerCase() === name.toLowerCase() || s.toLowerCase() === `notification.${name.toLowerCase()}`,
  );
  if (known !== undefined) return `${WINDOWS_EVENT_PREFIX}${known}`;
  if (looksLikeFile(value, ['.wav'])) {
    const file = readableFile(value);
    if (!file.toLowerCase().endsWith('.wav'))
      throw new SoundError('usage', `--sound must be a .wav file on Windows (got '${value}')`);
    return file;
  }
  throw new SoundError(
    'usage',
    `--sound must be one of ${WINDOWS_SOUNDS.map((s) => WINDOWS_EVENT_PREFIX + s).join(', ')} or a .wav file (got '${value}')`,
  );
}

function linuxSound(value: string | null, env: NodeJS.ProcessEnv): string {
  if (value === null) {
    const found = themeSound(LINUX_DEFAULT_SOUND_NAME, env);
    if (found !== null) return found;
    throw new SoundError(
      'file',
      `--sound: the default sound (${path.join('/usr/share/sounds/freedesktop/stereo', `${LINUX_DEFAULT_SOUND_NAME}.oga`)}) is not ` +
        `installed; install the sound-theme-freedesktop package or pass --sound FILE`,
    );
  }
  if (looksLikeFile(value, SOUND_EXTENSIONS)) return readableFile(value);
  const found = themeSound(value, env);
  if (found !== null) return found;
  throw new SoundError(
    'usage',
    `--sound must be a sound file or a freedesktop sound name such as 'message' or 'bell' found under ${soundDirs(env).join(' or ')} ` +
      `(got '${value}')`,
  );
}

/** A value with a path separator or a sound file extension, or that names an existing file, is a file. */
function looksLikeFile(value: string, extensions: string[]): boolean {
  if (value.includes('/') || value.includes(path.sep)) return true;
  if (extensions.some((ext) => value.toLowerCase().endsWith(ext))) return true;
  return fs.existsSync(value);
}

function readableFile(value: string): string {
  const file = path.resolve(value);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new SoundError('file', `--sound: ${file} does not exist`);
  }
  if (!stat.isFile()) throw new SoundError('file', `--sound: ${file} is not a file`);
  try {
    fs.accessSync(file, fs.constants.R_OK);
  } catch {
    throw new SoundError('file', `--sound: ${file} is not readable`);
  }
  return file;
}

/** `sounds` under $XDG_DATA_HOME and $XDG_DATA_DIRS (default /usr/local/share:/usr/share), as the sound-theme spec says. */
export function soundDirs(env: NodeJS.ProcessEnv): string[] {
  const home =
    env.XDG_DATA_HOME !== undefined && env.XDG_DATA_HOME !== ''
      ? env.XDG_DATA_HOME
      : path.join(env.HOME ?? os.homedir(), '.local', 'share');
  const dataDirs =
    env.XDG_DATA_DIRS !== undefined && env.XDG_DATA_DIRS !== ''
      ? env.XDG_DATA_DIRS.split(':')
      : ['/usr/local/share', '/usr/share'];
  return [home, ...dataDirs].filter((dir) => path.isAbsolute(dir)).map((dir) => path.join(dir, 'sounds'));
}

/** `<dir>/<theme>/stereo/<name>.{oga,ogg,wav}`, the freedesktop theme first, then any other installed theme. */
function themeSound(name: string, env: NodeJS.ProcessEnv): string | null {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) return null;
  for (const dir of soundDirs(env)) {
    const themes = [
      'freedesktop',
      ...listDir(dir)
        .filter((t) => t !== 'freedesktop')
        .sort(),
    ];
    for (const theme of themes) {
      for (const ext of SOUND_EXTENSIONS) {
        const file = path.join(dir, theme, 'stereo', name + ext);
        if (isReadableFile(file)) return file;
      }
    }
  }
  return null;
}

function isReadableFile(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) return false;
    fs.accessSync(file, fs.constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

function listDir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}
