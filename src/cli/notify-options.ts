// The server's notification flags: --notify / --no-notify and --sound [NAME] (whose value is optional, which
// node:util parseArgs cannot express, so argv is normalised first). Turns them into a Notifier or none.
import type { Logger } from '../lib/log.js';
import { createNotifier, type Notifier, resolveSound, type SoundChoice, SoundError } from '../notify/index.js';
import { UsageError, UserError } from './errors.js';
import { type FlagDoc, flagHelp, type OptionSpec } from './options.js';

export const notifyFlags = {
  notify: {
    type: 'boolean',
    help: 'desktop notifications when a message arrives (default: on for --client desktop only)',
  },
  'no-notify': { type: 'boolean', help: 'no desktop notifications' },
  sound: {
    type: 'string',
    arg: '[NAME]',
    help: 'play a sound with them: the platform default, or NAME (a sound name or file)',
  },
} as const satisfies Record<string, FlagDoc>;

export const notifyUsage = flagHelp(notifyFlags);

/**
 * Gives a bare `flag` an empty value (`--sound` -> `--sound=`) when nothing follows it or the next word is another
 * flag, so parseArgs accepts it. Words that are the value of another string option (`--db --sound`) and anything
 * after `--` are left alone.
 */
export function normaliseOptionalValue(args: readonly string[], flag: string, options: OptionSpec): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i]!;
    if (arg === '--') {
      out.push(...args.slice(i));
      break;
    }
    const next = args[i + 1];
    if (arg === flag) {
      if (next === undefined || next.startsWith('-')) out.push(`${flag}=`);
      else {
        out.push(`${flag}=${next}`);
        i += 1;
      }
      continue;
    }
    out.push(arg);
    if (takesValue(arg, options) && next !== undefined) {
      out.push(next);
      i += 1;
    }
  }
  return out;
}

function takesValue(arg: string, options: OptionSpec): boolean {
  if (arg.startsWith('--')) return !arg.includes('=') && options[arg.slice(2)]?.type === 'string';
  if (arg.length === 2 && arg.startsWith('-'))
    return Object.values(options).some((o) => o.short === arg[1] && o.type === 'string');
  return false;
}

export interface NotifyValues {
  notify?: boolean | undefined;
  'no-notify'?: boolean | undefined;
  sound?: string | undefined;
}

export interface NotifyOptions {
  enabled: boolean;
  sound: SoundChoice;
  /** Said when a --sound was given that will not be used (notifications off). */
  soundIgnored?: string;
}

/** On for the Desktop process unless --no-notify, off for others unless --notify; `--sound` alone is the default. */
export function notifyOptions(values: NotifyValues, client: string | null): NotifyOptions {
  if (values.notify === true && values['no-notify'] === true)
    throw new UsageError('--notify and --no-notify cannot be used together');
  const enabled = values.notify === true ? true : values['no-notify'] === true ? false : client === 'desktop';
  const sound: SoundChoice =
    values.sound === undefined
      ? { kind: 'off' }
      : values.sound === ''
        ? { kind: 'default' }
        : { kind: 'named', value: values.sound };
  if (enabled || sound.kind === 'off') return { enabled, sound };
  const why = client === 'desktop' ? '' : ' (they are on by default only for --client desktop; add --notify)';
  return { enabled, sound, soundIgnored: `--sound is ignored: notifications are off${why}` };
}

/**
 * The notifier the options ask for, or undefined when notifications are off (saying so when a --sound is given). A
 * bad --sound is refused here, at start-up: an unknown name is a usage error (exit 2), a file that is missing or
 * unreadable a user error (exit 1).
 */
export function notifierFor(
  options: NotifyOptions,
  log: Logger,
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
): Notifier | undefined {
  if (!options.enabled) {
    if (options.soundIgnored !== undefined) log.warn(options.soundIgnored);
    return undefined;
  }
  let sound: string | null;
  try {
    sound = resolveSound(options.sound, { platform, env });
  } catch (error) {
    if (error instanceof SoundError)
      throw error.reason === 'usage' ? new UsageError(error.message) : new UserError(error.message);
    throw error;
  }
  return createNotifier({ platform, env, sound, log });
}
