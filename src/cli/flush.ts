// Output handed to the OS before the process exits. cli.ts ends with process.exit(), which drops whatever a pipe
// has not taken yet: past 64 KiB, `mcp-relay fetch | jq` lost the rest while the messages were marked read. A
// reader that went away (EPIPE) or a closed stream ends the wait too.

type Output = NodeJS.WritableStream & { destroyed?: boolean; errored?: Error | null };

/**
 * Resolves once everything written to `stream` so far is flushed (undefined), or with the error that stopped it
 * (EPIPE: the reader went away).
 */
export function flushed(stream: Output): Promise<Error | undefined> {
  // Failed already (the reader went away before we asked): the error it failed with.
  if (stream.destroyed === true) return Promise.resolve(stream.errored ?? new Error('the output stream is closed'));
  return new Promise((resolve) => {
    const done = (error?: Error | null) => {
      stream.off('error', done);
      stream.off('close', closed);
      resolve(error ?? undefined);
    };
    const closed = () => done(new Error('the output stream closed'));
    stream.once('error', done);
    stream.once('close', closed);
    stream.write('', (error) => done(error));
  });
}

/** Waits for stdout and stderr to flush; at most `deadlineMs` when given (a server whose client is gone). */
export async function flushOutput(deadlineMs?: number): Promise<void> {
  const both = Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  if (deadlineMs === undefined) {
    await both;
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, deadlineMs)));
  await Promise.race([both, deadline]);
  clearTimeout(timer);
}
