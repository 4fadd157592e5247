// The relay server's flags a person chooses once and setup keeps when it replaces an entry: `--sound [NAME]` (only
// in Desktop's entry: Desktop's relay notifies for every side) and `--debug`. Whether the entry being replaced is
// the Python relay's (mcp-server-relay 1.x took the same two flags) or setup's own from an earlier run, its choices
// carry over unless this setup's command line says otherwise (--sound NAME, --no-sound, --debug, --no-debug).
// Pure: reads entries, writes nothing.
import { relayArgs } from './launcher.js';
import { isPythonRelayEntry } from './legacy.js';

/** True when `rest` (the arguments after the launcher) is a shape setup writes for a client. */
export type ArgsShape = (rest: string[]) => boolean;

/** What the setup command line says; undefined = nothing said (keep the entry's). sound: '' the default, null none. */
export interface FlagChoice {
  sound?: string | null | undefined;
  debug?: boolean | undefined;
}

/** What a client's relay entry holds after `--client KIND`. */
export interface EntryRule {
  kind: string;
  /** Whether this entry takes --sound (Desktop's alone: its relay notifies for every side). */
  sound: boolean;
  /** Why relay could not play this sound here (it would refuse to start with it), or undefined. */
  soundProblem?: (sound: string) => string | undefined;
}

interface ServerFlags {
  /** '' = the platform's default sound. */
  sound: string | undefined;
  debug: boolean;
}

/** The words an entry runs (some write the whole command line in `command`). */
function entryWords(entry: unknown): string[] | null {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return null;
  const { command, args } = entry as { command?: unknown; args?: unknown };
  if (typeof command !== 'string') return null;
  const list = Array.isArray(args) ? args.filter((a): a is string => typeof a === 'string') : [];
  return list.length === 0 && command.includes(' ') ? command.trim().split(/\s+/) : [command, ...list];
}

/** The --sound and --debug an entry of relay (this one or the Python relay) starts with; null for anything else. */
export function entryFlags(entry: unknown): ServerFlags | null {
  const words = entryWords(entry);
  if (words === null) return null;
  if (!isPythonRelayEntry(entry) && relayArgs(words[0]!, words.slice(1)) === null) return null;
  const flags: ServerFlags = { sound: undefined, debug: false };
  words.forEach((word, i) => {
    const next = words[i + 1];
    if (word === '--debug') flags.debug = true;
    else if (word === '--sound') flags.sound = next !== undefined && !next.startsWith('-') ? next : '';
    else if (word.startsWith('--sound=')) flags.sound = word.slice('--sound='.length);
  });
  return flags;
}

/** The flag arguments of an entry, in the one order setup writes them. */
function flagArgs(flags: ServerFlags, rule: EntryRule): string[] {
  const sound =
    !rule.sound || flags.sound === undefined ? [] : flags.sound === '' ? ['--sound'] : ['--sound', flags.sound];
  return [...sound, ...(flags.debug ? ['--debug'] : [])];
}

/** Every shape setup writes for this rule: `--client KIND`, then `--sound [NAME]` (if it takes one), then `--debug`. */
export function entryShape(rule: EntryRule): ArgsShape {
  return (rest) => {
    if (rest[0] !== '--client' || rest[1] !== rule.kind) return false;
    let i = 2;
    if (rule.sound && rest[i] === '--sound') {
      i += 1;
      if (rest[i] !== undefined && !rest[i]!.startsWith('-')) i += 1;
    }
    if (rest[i] === '--debug') i += 1;
    return i === rest.length;
  };
}

const describeSound = (sound: string) => (sound === '' ? '--sound' : `--sound ${sound}`);

/**
 * The flags the new entry gets: the command line's where it says something, else those of the entry it replaces
 * (`current`). `note` says what was kept, or left out and why, for the step's message.
 */
export function carryFlags(
  current: unknown,
  rule: EntryRule,
  choice: FlagChoice = {},
): { args: string[]; note: string | undefined } {
  const old = entryFlags(current);
  const from = isPythonRelayEntry(current) ? 'the old relay' : 'the entry it replaces';
  const flags: ServerFlags = {
    sound: choice.sound === null ? undefined : choice.sound,
    debug: choice.debug ?? false,
  };
  const kept: string[] = [];
  const notes: string[] = [];
  if (choice.sound === undefined && old?.sound !== undefined) {
    const problem = rule.sound ? rule.soundProblem?.(old.sound) : undefined;
    if (!rule.sound)
      notes.push(`left out ${describeSound(old.sound)} of ${from}: Desktop plays the sounds for every side`);
    else if (problem !== undefined) notes.push(`left out ${describeSound(old.sound)} of ${from}: ${problem}`);
    else {
      flags.sound = old.sound;
      kept.push(describeSound(old.sound));
    }
  }
  if (choice.debug === undefined && old?.debug === true) {
    flags.debug = true;
    kept.push('--debug');
  }
  if (kept.length > 0) notes.unshift(`kept ${kept.join(' and ')} from ${from}`);
  return { args: flagArgs(flags, rule), note: notes.length > 0 ? notes.join('; ') : undefined };
}
