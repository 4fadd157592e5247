// `mcp-relay token`: makes a bearer token for `serve --http`, stores it 0600 and prints it once (to stdout, so it can
// be piped). Never overwrites a token file without --force.
import os from 'node:os';
import path from 'node:path';

import { generateToken, TokenError, writeTokenFile } from '../http/token.js';
import { UserError } from './errors.js';
import { parse } from './options.js';

export const defaultTokenFile = (): string => path.join(os.homedir(), '.relay_token');

export const usage = `Usage: mcp-relay token [--file PATH] [--force]

Makes a random bearer token for \`mcp-relay serve --http\`, writes it to PATH with mode 0600 and prints it once.
Give the same file to the server (--token-file PATH) and to each client: \`mcp-relay connect URL --token-file PATH\`,
or the header "Authorization: Bearer <token>".

  --file PATH   where to store it (default ~/.relay_token)
  --force       replace an existing file (clients using the old token will be refused)
  -h, --help    show this help`;

export const options = {
  file: { type: 'string' },
  force: { type: 'boolean' },
} as const;

export async function run(args: string[]): Promise<void> {
  const { values } = parse(args, options);
  const file = path.resolve(values.file ?? defaultTokenFile());
  const token = generateToken();
  try {
    writeTokenFile(file, token, values.force === true);
  } catch (error) {
    if (error instanceof TokenError) throw new UserError(error.message);
    throw error;
  }
  process.stdout.write(`${token}\n`);
  process.stderr.write(`mcp-relay: token written to ${file} (mode 0600); start the server with --token-file ${file}\n`);
}
