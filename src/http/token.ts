// The bearer token of an HTTP relay: generating one, reading it from a file, and checking a presented one in
// constant time. It must never log, print or echo a token (the `token` command prints a new one itself, once).
import crypto from 'node:crypto';
import fs from 'node:fs';

/** Shorter tokens are refused: a token guards every message on the bus. */
export const MIN_TOKEN_LENGTH = 16;

/** A problem with a token or its file, phrased for the person who has to fix it. */
export class TokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenError';
  }
}

/** 32 random bytes as base64url: 43 characters, safe in a header, a shell and a JSON config. */
export function generateToken(): string {
  return crypto.randomBytes(32).toString('base64url');
}

/** Throws TokenError when the text cannot serve as a token. */
export function checkToken(token: string, source: string): string {
  if (token.length < MIN_TOKEN_LENGTH) {
    throw new TokenError(
      `${source} holds a token of ${token.length} characters; use at least ${MIN_TOKEN_LENGTH} (\`mcp-relay token\` makes one).`,
    );
  }
  if (!/^[\x21-\x7e]+$/.test(token)) {
    throw new TokenError(
      `${source} holds a token with spaces or non-ASCII characters, which cannot travel in a header; \`mcp-relay token\` makes a valid ` +
        `one.`,
    );
  }
  return token;
}

/**
 * Reads a token file (surrounding whitespace ignored). Like ssh with its keys, refuses a file that other users can
 * read, since anyone who can read it can read and write every message.
 */
export function readTokenFile(file: string, platform: NodeJS.Platform = process.platform): string {
  let stat: fs.Stats;
  let text: string;
  try {
    stat = fs.statSync(file);
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      throw new TokenError(`token file ${file} does not exist; create it with \`mcp-relay token --file ${file}\`.`);
    if (code === 'EISDIR') throw new TokenError(`token file ${file} is a directory; point --token-file at the file.`);
    throw new TokenError(`cannot read token file ${file}: ${(error as Error).message}`);
  }
  if (platform !== 'win32' && (stat.mode & 0o077) !== 0) {
    throw new TokenError(
      `token file ${file} can be read by other users (mode ${(stat.mode & 0o777).toString(8)}); run \`chmod 600 ${file}\`.`,
    );
  }
  return checkToken(text.trim(), `token file ${file}`);
}

/** The token from `--token-file` if given, else from RELAY_TOKEN, else none. Throws TokenError. */
export function resolveToken(file: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (file !== undefined) return readTokenFile(file);
  const fromEnv = env.RELAY_TOKEN?.trim();
  return fromEnv === undefined || fromEnv === '' ? undefined : checkToken(fromEnv, 'RELAY_TOKEN');
}

/**
 * Writes a new token to `file` with mode 0600. Refuses to replace an existing file unless `force`, since clients
 * configured with the old token would stop working.
 */
export function writeTokenFile(file: string, token: string, force = false): void {
  let fd: number;
  try {
    fd = fs.openSync(file, force ? 'w' : 'wx', 0o600);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST')
      throw new TokenError(
        `${file} already exists; pass --force to replace it (clients using the old token will be refused).`,
      );
    if (code === 'ENOENT') throw new TokenError(`cannot create ${file}: its directory does not exist.`);
    throw new TokenError(`cannot write ${file}: ${(error as Error).message}`);
  }
  try {
    // An existing file opened with 'w' keeps its old mode: tighten it before the secret goes in.
    fs.fchmodSync(fd, 0o600);
    fs.writeFileSync(fd, `${token}\n`);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Returns a check for presented tokens. Both sides are hashed first so the comparison is over equal-length digests
 * (timingSafeEqual needs equal lengths, and comparing raw lengths would leak the token's length).
 */
export function tokenChecker(expected: string): (presented: string | undefined) => boolean {
  const want = crypto.createHash('sha256').update(expected, 'utf8').digest();
  return (presented) => {
    const got = crypto
      .createHash('sha256')
      .update(presented ?? '', 'utf8')
      .digest();
    return crypto.timingSafeEqual(want, got) && presented !== undefined;
  };
}

/** The token of `Authorization: Bearer <token>`, or undefined when the header is missing or of another scheme. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer[ ]+([^\s]+)\s*$/i.exec(header);
  return match?.[1];
}
