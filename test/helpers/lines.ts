// Reads a child's stdout line by line: `next()` resolves with the next line, whether it came before or after the call.
import type { Readable } from 'node:stream';

export function lineReader(stream: Readable): { next(): Promise<string> } {
  const lines: string[] = [];
  const waiters: ((line: string) => void)[] = [];
  let buffered = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffered += chunk;
    let newline: number;
    while ((newline = buffered.indexOf('\n')) !== -1) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      const waiter = waiters.shift();
      if (waiter) waiter(line);
      else lines.push(line);
    }
  });
  return {
    next: () => {
      const line = lines.shift();
      return line !== undefined ? Promise.resolve(line) : new Promise<string>((resolve) => waiters.push(resolve));
    },
  };
}
