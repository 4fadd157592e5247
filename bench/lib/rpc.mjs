// A bare newline-delimited JSON-RPC client for a spawned stdio MCP server, used by the bench and the soak run.
// It adds as little as possible of its own cost (no schema validation), so what the bench times is the server.
// It must never leave a child behind: every spawned server is killed by killAll() on exit of the bench.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';

const live = new Set();

/** Kills every server this module spawned that is still running. */
export function killAll() {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  live.clear();
}
process.once('exit', killAll);

/** A named pipe at `file`: the read end for a child's stdin, the write end for us. Linux/macOS only. */
export function fifo(file) {
  execFileSync('mkfifo', ['-m', '600', file]);
  const readFd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  const writeFd = fs.openSync(file, fs.constants.O_WRONLY);
  return { readFd, writeFd };
}

export const initializeParams = {
  protocolVersion: '2025-06-18',
  capabilities: {},
  clientInfo: { name: 'relay-bench', version: '0' },
};

/**
 * Spawns `node args...` with a pipe on each stdio stream. `call` sends a request and resolves with its result
 * (rejects with the JSON-RPC error); `ready` resolves with the initialize result and the spawn -> result time.
 * `stdin`: a `fifo()` to use as the child's stdin instead of a pipe, which Node closes as soon as the child exits
 * (a grandchild that inherited it would then see its client go away too).
 */
export function spawnServer(args, { env, initialize = true, cwd, stdin, node = process.execPath } = {}) {
  const started = process.hrtime.bigint();
  const child = spawn(node, args, { env, cwd, stdio: [stdin?.readFd ?? 'pipe', 'pipe', 'pipe'] });
  if (stdin !== undefined) fs.closeSync(stdin.readFd);
  const write = stdin === undefined ? (line) => child.stdin.write(line) : (line) => fs.writeSync(stdin.writeFd, line);
  live.add(child);
  const pending = new Map();
  const notificationListeners = new Set();
  let nextId = 1;
  let buffered = '';
  let stderr = '';
  const exited = new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      live.delete(child);
      for (const { reject } of pending.values())
        reject(new Error(`server exited (${code ?? signal}): ${stderr.slice(-500)}`));
      pending.clear();
      resolve({ code, signal });
    }),
  );
  child.stdin?.on('error', () => {});
  child.stderr.on('data', (chunk) => {
    stderr += chunk.toString();
    if (stderr.length > 100_000) stderr = stderr.slice(-50_000);
  });
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk) => {
    buffered += chunk;
    let newline;
    while ((newline = buffered.indexOf('\n')) !== -1) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      const message = JSON.parse(line);
      if (message.id === undefined && message.method !== undefined) {
        for (const listener of notificationListeners) listener(message);
        continue;
      }
      const waiter = pending.get(message.id);
      if (waiter === undefined) continue;
      pending.delete(message.id);
      if (message.error) waiter.reject(Object.assign(new Error(message.error.message), { rpc: message.error }));
      else waiter.resolve(message.result);
    }
  });

  const request = (method, params) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
    });
  const notify = (method, params) => write(`${JSON.stringify({ jsonrpc: '2.0', method, params })}\n`);

  const ready = initialize
    ? request('initialize', initializeParams).then((result) => {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        notify('notifications/initialized');
        return { result, ms };
      })
    : Promise.resolve({ result: undefined, ms: 0 });

  return {
    child,
    pid: child.pid,
    ready,
    exited,
    stderr: () => stderr,
    request,
    /** Calls `listener(message)` for each notification the server sends; returns the unsubscribe function. */
    onNotification(listener) {
      notificationListeners.add(listener);
      return () => notificationListeners.delete(listener);
    },
    /** tools/call; resolves with the CallToolResult (isError results resolve too). */
    tool: (name, args = {}) => request('tools/call', { name, arguments: args }),
    /** Ends stdin (what a client does when it goes away) and waits for the exit. */
    async close() {
      if (stdin === undefined) child.stdin.end();
      else fs.closeSync(stdin.writeFd);
      return exited;
    },
    kill(signal = 'SIGKILL') {
      try {
        child.kill(signal);
      } catch {
        // already gone
      }
      return exited;
    },
  };
}
