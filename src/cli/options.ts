// Option parsing shared by every command: node:util parseArgs, with its errors turned into one-line UsageErrors.
import { parseArgs, type ParseArgsConfig } from 'node:util';

import { resolveToken, TokenError } from '../http/token.js';
import { KIND_PATTERN, NAME_PATTERN } from '../store/store.js';
import { UsageError, UserError } from './errors.js';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export const helpOption = { help: { type: 'boolean', short: 'h' } } as const satisfies OptionSpec;

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

/** A client kind: 'desktop', 'code', or another client's own lower-case name. */
export function clientKind(flag: string, value: string | undefined): string | null {
  if (value === undefined) return null;
  if (!KIND_PATTERN.test(value)) {
    throw new UsageError(
      `${flag} must be desktop, code, or another client's lower-case name such as cursor (got '${value}')`,
    );
  }
  return value;
}

export function sessionName(flag: string, value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (!NAME_PATTERN.test(value)) {
    throw new UsageError(
      `${flag} must be letters, digits, '.', '_' or '-', at most 64, starting with a letter or digit (got '${value}')`,
    );
  }
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
