// A throw-away PostgreSQL cluster for tests and benchmarks: initdb in a temp directory, a free port on 127.0.0.1,
// trust authentication for loopback and the cluster's own socket directory only, durability switched off (it is
// thrown away). As root the server runs as the unprivileged `postgres` user (initdb refuses root).
// Used by the vitest global setup, `npm run bench` and scripts/pg-test.sh; `node scripts/pg-cluster.mjs` starts one
// by hand and prints its URL until Ctrl-C. Never touches a cluster it did not create.
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SUPERUSER = 'relay';

/** The directory holding initdb, pg_ctl and postgres: on PATH, else Debian's /usr/lib/postgresql/<newest>/bin. */
export function findPgBin() {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir !== '' && isExecutable(path.join(dir, 'initdb')) && isExecutable(path.join(dir, 'pg_ctl'))) {
      return path.dirname(fs.realpathSync(path.join(dir, 'initdb')));
    }
  }
  const debian = '/usr/lib/postgresql';
  let versions = [];
  try {
    versions = fs
      .readdirSync(debian)
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
  } catch {
    // not Debian, or PostgreSQL not installed
  }
  for (const version of versions) {
    const bin = path.join(debian, version, 'bin');
    if (isExecutable(path.join(bin, 'initdb'))) return bin;
  }
  return null;
}

function isExecutable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts a cluster. Resolves to { adminUrl, url(db), port, dir, stop() }; `stop` stops the server and removes the
 * directory, and is also run if this process exits without calling it.
 */
export async function startCluster({ bin = findPgBin(), log = () => {} } = {}) {
  if (bin === null)
    throw new Error(
      'PostgreSQL server binaries (initdb, pg_ctl) were not found on PATH or in /usr/lib/postgresql/*/bin',
    );
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  let owner;
  if (asRoot) {
    const id = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    if (id.status !== 0)
      throw new Error(
        'running as root, but there is no "postgres" user to run the server as (apt-get install postgresql creates it)',
      );
    owner = { uid: Number(id.stdout.trim()), gid: Number(gid.stdout.trim()) };
  }
  // As root, a program run by runuser -u postgres; otherwise the program itself.
  const command = (program, args) =>
    asRoot ? ['runuser', ['-u', 'postgres', '--', program, ...args]] : [program, args];
  const exec = async (program, args) => {
    const [file, argv] = command(path.join(bin, program), args);
    try {
      return await run(file, argv, { encoding: 'utf8' });
    } catch (error) {
      throw new Error(`${program} failed: ${error.stderr || error.message}`, { cause: error });
    }
  };

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relay-pg-'));
  if (owner !== undefined) fs.chownSync(dir, owner.uid, owner.gid);
  const data = path.join(dir, 'data');
  const logFile = path.join(dir, 'server.log');
  let stopped = false;
  const stopSync = () => {
    if (stopped) return;
    stopped = true;
    if (fs.existsSync(path.join(data, 'postmaster.pid'))) {
      const [file, argv] = command(path.join(bin, 'pg_ctl'), ['stop', '-D', data, '-m', 'immediate', '-w']);
      spawnSync(file, argv, { stdio: 'ignore' });
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stopSync);

  try {
    const started = Date.now();
    const init = ['-D', data, '-U', SUPERUSER, '-A', 'trust', '-E', 'UTF8', '--no-sync'];
    try {
      await exec('initdb', [...init, '--locale=C.UTF-8']);
    } catch {
      // No C.UTF-8 locale (macOS): the C locale still stores UTF-8.
      fs.rmSync(data, { recursive: true, force: true });
      await exec('initdb', [...init, '--locale=C']);
    }
    fs.writeFileSync(path.join(data, 'pg_hba.conf'), 'local all all trust\nhost all all 127.0.0.1/32 trust\n');
    let port;
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      fs.writeFileSync(
        path.join(data, 'postgresql.auto.conf'),
        [
          "listen_addresses = '127.0.0.1'",
          `port = ${port}`,
          `unix_socket_directories = '${dir}'`,
          'max_connections = 200',
          'shared_buffers = 32MB',
          'fsync = off',
          'synchronous_commit = off',
          'full_page_writes = off',
          '',
        ].join('\n'),
      );
      try {
        await exec('pg_ctl', ['start', '-D', data, '-l', logFile, '-w', '-t', '60']);
        break;
      } catch (error) {
        // Another process took the port between our probe and the server's bind.
        if (attempt >= 3) throw new Error(`${error.message}\n${readTail(logFile)}`, { cause: error });
      }
    }
    log(`PostgreSQL cluster on 127.0.0.1:${port} (${dir}) ready in ${Date.now() - started} ms`);
    const url = (database) => `postgres://${SUPERUSER}@127.0.0.1:${port}/${database}`;
    return {
      adminUrl: url('postgres'),
      url,
      port,
      dir,
      stop: async () => {
        process.removeListener('exit', stopSync);
        if (stopped) return;
        stopped = true;
        await exec('pg_ctl', ['stop', '-D', data, '-m', 'immediate', '-w']).catch(() => {});
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    stopSync();
    process.removeListener('exit', stopSync);
    throw error;
  }
}

function readTail(file) {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-20).join('\n');
  } catch {
    return '';
  }
}

// `node scripts/pg-cluster.mjs`: a cluster by hand, for trying `--db postgres://…` or `mcp-relay migrate`.
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === fs.realpathSync(process.argv[1])) {
  const cluster = await startCluster({ log: (line) => process.stderr.write(`${line}\n`) });
  process.stdout.write(
    `${cluster.adminUrl}\n(create a database with: psql ${cluster.adminUrl} -c 'CREATE DATABASE relay')\nCtrl-C stops and removes it.\n`,
  );
  const stop = () => void cluster.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  setInterval(() => {}, 1 << 30);
}
