// Option parsing shared by every command: node:util parseArgs, with its errors turned into one-line UsageErrors.
import { parseArgs, type ParseArgsConfig } from 'node:util';

import { resolveToken, TokenError } from '../http/token.js';
import { kindProblem, sessionNameProblem } from '../store/kinds.js';
import { UsageError, UserError } from './errors.js';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export const helpOption = { help: { type: 'boolean', short: 'h' } } as const satisfies OptionSpec;

/** A flag as a command documents it: the parseArgs spec, the value's placeholder and one line of help. */
export interface FlagDoc {
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
  /** The value in the help, e.g. KIND; `[NAME]` for an optional one. */
  arg?: string;
  help: string;
}

const HELP_WIDTH = 116;

/** `  --name ARG  help` lines with the help aligned in one column and wrapped onto indented lines. */
export function flagHelp(flags: Readonly<Record<string, FlagDoc>>): string {
  const heads = Object.entries(flags).map(([name, flag]) => {
    const short = flag.short === undefined ? '' : `-${flag.short}, `;
    return `  ${short}--${name}${flag.arg === undefined ? '' : ` ${flag.arg}`}`;
  });
  const column = Math.max(...heads.map((h) => h.length)) + 2;
  return Object.values(flags)
    .map((flag, i) => {
      const lines: string[] = [];
      let line = heads[i]!.padEnd(column);
      for (const word of flag.help.split(' ')) {
        if (line.length + word.length > HELP_WIDTH && line.trim() !== heads[i]!.trim()) {
          lines.push(line.trimEnd());
          line = ' '.repeat(column);
        }
        line += `${word} `;
      }
      lines.push(line.trimEnd());
      return lines.join('\n');
    })
    .join('\n');
}

export function parse<T extends OptionSpec>(args: string[], options: T, allowPositionals = false) {
  try {
    return parseArgs({ args, options: { ...options, ...helpOption }, allowPositionals, strict: true });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // parseArgs says e.g. "Unknown option '--x'. To specify a positional argument starting with a '-', place it
    // at the end of the command after '--', as in '-- \"--x\"": keep the first sentence.
    throw new UsageError(message.split(/\.\s/)[0]?.replace(/\.$/, '') ?? message);
  }
}

/** A client kind: 'desktop', 'code', or another client's own lower-case name; a likely typo is refused. */
export function clientKind(flag: string, value: string | undefined): string | null {
  if (value === undefined) return null;
  const problem = kindProblem(value);
  if (problem !== undefined) throw new UsageError(`${flag} ${problem}`);
  return value;
}

/** A session name for a session of `kind`; '' is none. */
export function sessionName(flag: string, value: string | undefined, kind: string | null): string | undefined {
  if (value === undefined || value === '') return undefined;
  const problem = sessionNameProblem(value, kind);
  if (problem !== undefined) throw new UsageError(`${flag} ${problem}`);
  return value;
}

/** The bearer token of `--token-file` or RELAY_TOKEN, with token problems as UserErrors. */
export function tokenOption(file: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  try {
    return resolveToken(file, env);
  } catch (error) {
    if (error instanceof TokenError) throw new UserError(error.message);
    throw error;
  }
}
