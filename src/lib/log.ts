// Logging for a stdio server: stdout is the protocol, so everything goes to stderr and, with --debug, to a file.
// The debug file is opened for appending, mode 0600, and never truncated (other relay processes share it).
import fs from 'node:fs';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(text: string): void;
  info(text: string): void;
  warn(text: string): void;
  error(text: string): void;
  close(): void;
}

export interface LoggerOptions {
  /** Also print debug lines, and write every line to this file. */
  debugFile?: string | undefined;
  stderr?: NodeJS.WritableStream;
  tag?: string;
}

/** `[YYYY-MM-DD HH:MM:SS] text`, the seed's debug-log format (local time, as Python's strftime gives). */
export function logLine(text: string, date = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const stamp =
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
  return `[${stamp}] ${text}\n`;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const stderr = options.stderr ?? process.stderr;
  const tag = options.tag ?? 'relay';
  let fd: number | undefined;
  if (options.debugFile !== undefined) {
    try {
      fd = fs.openSync(options.debugFile, 'a', 0o600);
      fs.fchmodSync(fd, 0o600);
    } catch (error) {
      stderr.write(`${tag}: cannot open debug log ${options.debugFile}: ${(error as Error).message}\n`);
    }
  }
  const debugOn = options.debugFile !== undefined;
  const emit = (level: LogLevel, text: string) => {
    const line = logLine(`${tag} ${level}: ${text}`);
    if (level !== 'debug' || debugOn) stderr.write(line);
    if (fd !== undefined) {
      try {
        fs.writeSync(fd, line);
      } catch {
        // A full disk must not take the server down with it.
      }
    }
  };
  return {
    debug: (text) => {
      if (debugOn) emit('debug', text);
    },
    info: (text) => emit('info', text),
    warn: (text) => emit('warn', text),
    error: (text) => emit('error', text),
    close: () => {
      if (fd !== undefined) fs.closeSync(fd);
      fd = undefined;
    },
  };
}

/** A logger that drops everything: for tests and in-memory servers. */
export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  close: () => {},
};
