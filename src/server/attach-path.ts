// Reading a file that relay_send was asked to attach by `path`: only a regular file inside the session's working
// directory (or a directory the person allowed with --allow-attach), judged after resolving symlinks; never a
// system file (/proc, /sys, /dev), never relay's own buffer (checked by identity, so a hard link does not help). A
// message from the other side can ask a model to attach ~/.ssh/id_rsa: these rules are what stops it.
import { constants, type Stats } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { formatCount, LIMITS, RelayError } from '../store/store.js';

/** Where files may be attached from; null where the caller is not on this machine (HTTP). */
export interface FileAccess {
  /** The session's working directory. Not a root when it is the home directory or the file system's root. */
  cwd: string;
  /** More directories the person allowed explicitly (--allow-attach DIR). */
  allow?: readonly string[] | undefined;
}

const SYSTEM_ROOTS = ['/proc', '/sys', '/dev'];
const HOW_TO_ALLOW =
  'start the relay with --allow-attach DIR to allow another directory, or send the text as `content`';

/** The bytes of the file at `requested` (relative to the working directory), or a RelayError saying why not. */
export async function readConfinedFile(requested: string, access: FileAccess, bufferLocation: string): Promise<Buffer> {
  const asked = path.resolve(access.cwd, requested);
  const shown = quote(asked);
  const real = await fs.realpath(asked).catch((error: NodeJS.ErrnoException) => {
    throw new RelayError(
      'bad_request',
      error.code === 'ENOENT'
        ? `Cannot read the attachment ${shown}: there is no such file.`
        : `Cannot read the attachment ${shown} (${error.code ?? error.message}).`,
    );
  });
  if (SYSTEM_ROOTS.some((root) => inside(root, real))) {
    throw new RelayError(
      'bad_request',
      `The attachment ${shown} is a system file (${real}); relay does not attach files from /proc, /sys or /dev.`,
    );
  }
  const roots = await allowedRoots(access);
  if (!roots.some((root) => inside(root, real))) {
    const where =
      roots.length === 0
        ? `this session's working directory (${quote(access.cwd)}) is your home directory or /, so no directory is open to attach from`
        : `it is outside ${roots.map(quote).join(' and ')}`;
    throw new RelayError(
      'bad_request',
      `Cannot attach ${shown}: ${where}. Attach files from inside the working directory, or ${HOW_TO_ALLOW}.`,
    );
  }
  // O_NONBLOCK: a FIFO swapped in after the checks must not hang the relay; O_NOFOLLOW: nor a symlink.
  const handle = await fs
    .open(real, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0))
    .catch((error: NodeJS.ErrnoException) => {
      throw new RelayError(
        'bad_request',
        `Cannot read the attachment ${shown} (${error.code ?? error.message}); check its permissions.`,
      );
    });
  try {
    const stat = await handle.stat();
    if (!stat.isFile())
      throw new RelayError('bad_request', `The attachment ${shown} is not a regular file; attach files only.`);
    if (await isBuffer(stat, bufferLocation))
      throw new RelayError(
        'bad_request',
        `The attachment ${shown} is relay's own message buffer; it cannot be attached.`,
      );
    if (stat.size > LIMITS.maxAttachmentBytes) throw tooLarge(shown, formatCount(stat.size));
    return await readAtMost(handle, LIMITS.maxAttachmentBytes, shown);
  } finally {
    await handle.close();
  }
}

/** Reads to the end, refusing past `max` bytes whatever the size said (some files report 0 and hold more). */
async function readAtMost(handle: fs.FileHandle, max: number, shown: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.allocUnsafe(Math.min(1 << 20, max + 1 - total));
    const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
    if (bytesRead === 0) return Buffer.concat(chunks, total);
    chunks.push(chunk.subarray(0, bytesRead));
    total += bytesRead;
    if (total > max) throw tooLarge(shown, `over ${formatCount(max)}`);
  }
}

/** The directories files may come from, resolved; the working directory only when it is a project, not ~ or /. */
async function allowedRoots(access: FileAccess): Promise<string[]> {
  const broad = new Set([path.parse(path.resolve(access.cwd)).root, os.homedir()].map((p) => path.resolve(p)));
  const roots: string[] = [];
  for (const [dir, explicit] of [
    [access.cwd, false] as const,
    ...(access.allow ?? []).map((d) => [d, true] as const),
  ]) {
    const real = await fs.realpath(path.resolve(access.cwd, dir)).catch(() => null);
    if (real === null || (!explicit && (broad.has(path.resolve(dir)) || broad.has(real)))) continue;
    roots.push(real);
  }
  return roots;
}

/** Whether `stat` is the buffer file or its -wal/-shm/-journal (by device and inode: hard links and renames too). */
async function isBuffer(stat: Stats, location: string): Promise<boolean> {
  if (!path.isAbsolute(location)) return false;
  for (const file of [location, `${location}-wal`, `${location}-shm`, `${location}-journal`]) {
    const other = await fs.stat(file).catch(() => null);
    if (other !== null && other.dev === stat.dev && other.ino === stat.ino) return true;
  }
  return false;
}

function inside(root: string, file: string): boolean {
  const relative = path.relative(root, file);
  return relative === '' || (!relative.startsWith(`..${path.sep}`) && relative !== '..' && !path.isAbsolute(relative));
}

function tooLarge(shown: string, size: string): RelayError {
  return new RelayError(
    'too_large',
    `The attachment ${shown} is ${size} bytes; the limit is ${formatCount(LIMITS.maxAttachmentBytes)}.`,
  );
}

/** A path as shown in an error: quoted, control characters escaped, long ones cut. */
function quote(text: string): string {
  return JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}…` : text);
}
