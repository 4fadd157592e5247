// Writing the config files setup touches: a check that every target can be written before any is, a backup of the
// file as it was before anything (setup or a program it runs) changed it, atomic replacement (temp file + rename)
// keeping the file's mode, and a readable diff for --dry-run. Errors are sentences that name the file, never stacks.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import { createTwoFilesPatch } from 'diff';

import { ConfigFileError, errnoText, readText } from './config-file.js';

/** One planned change to one file: its new text, or null to delete it. */
export interface FileChange {
  path: string;
  before: string | null;
  after: string | null;
  /** Mode for a new file; an existing file keeps its own. */
  mode: number;
  /** False for a file that is relay's own and unedited (nothing of the user's to keep). Default true. */
  backup?: boolean;
}

export function changed(change: FileChange): boolean {
  return change.before !== change.after;
}

/** A unified diff of the change, for --dry-run. */
export function diffOf(change: FileChange): string {
  const patch = createTwoFilesPatch(
    change.before === null ? '/dev/null' : change.path,
    change.after === null ? '/dev/null' : change.path,
    change.before ?? '',
    change.after ?? '',
    undefined,
    undefined,
    { context: 3 },
  );
  // Drop the "Index:" and "====" header lines jsdiff adds: a plain ---/+++ diff reads better.
  return patch
    .split('\n')
    .filter((line) => !line.startsWith('Index: ') && !/^=+$/.test(line))
    .join('\n')
    .trimEnd();
}

/** `<file>.bak-YYYYMMDD-HHMMSS` (UTC), with `-2`, `-3`... if that name is taken. */
export function backupPath(file: string, now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  let candidate = `${file}.bak-${stamp}`;
  for (let n = 2; fs.existsSync(candidate); n++) candidate = `${file}.bak-${stamp}-${n}`;
  return candidate;
}

/** Copies an existing file to a new backup beside it (same mode); null when there is no file. */
export function backUp(file: string, now: Date): string | null {
  const existing = readText(file);
  if (existing.text === null) return null;
  const backup = backupPath(file, now);
  try {
    fs.copyFileSync(file, backup, fs.constants.COPYFILE_EXCL);
    fs.chmodSync(backup, existing.mode ?? 0o600);
  } catch (error) {
    fs.rmSync(backup, { force: true });
    throw new ConfigFileError(
      file,
      `Cannot back up ${file} to ${backup} (${errnoText(error)}); nothing was changed in it. ` +
        'Make its folder writable, then run setup again.',
    );
  }
  return backup;
}

/**
 * Applies a change: backs up an existing file (unless `backup` names one already made of it), then writes
 * atomically or deletes. Refuses when the file is no longer what the change was planned on. Returns the backup.
 */
export function applyChange(change: FileChange, now: Date, backup: string | null = null): string | null {
  if (!changed(change)) return backup;
  const existing = readText(change.path);
  if (existing.text !== change.before) throw new ChangedMeanwhile(change.path);
  let made = backup;
  if (made === null && existing.text !== null && change.backup !== false) made = backUp(change.path, now);
  if (change.after === null) {
    try {
      fs.rmSync(change.path);
    } catch (error) {
      throw new ConfigFileError(
        change.path,
        `Cannot delete ${change.path} (${errnoText(error)}); it was left as it was.`,
      );
    }
  } else writeAtomic(change.path, change.after, existing.mode ?? change.mode);
  return made;
}

/** The file changed between planning and writing (another program wrote it); nothing was written to it. */
export class ChangedMeanwhile extends ConfigFileError {
  constructor(file: string) {
    super(file, `${file} changed while setup was running; nothing was written to it: run setup again.`);
    this.name = 'ChangedMeanwhile';
  }
}

/** Writes through a temp file in the same directory and renames it over the target (a symlink's target). */
export function writeAtomic(file: string, text: string, mode: number): void {
  let target = file;
  try {
    target = fs.realpathSync(file);
  } catch {
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true });
    } catch (error) {
      throw new ConfigFileError(
        file,
        `Cannot create the folder of ${file} (${errnoText(error)}); nothing was written to it.`,
      );
    }
  }
  const temp = path.join(
    path.dirname(target),
    `.${path.basename(target)}.relay-${process.pid}-${crypto.randomBytes(4).toString('hex')}`,
  );
  try {
    const fd = fs.openSync(temp, 'wx', mode);
    try {
      fs.writeFileSync(fd, text);
      fs.fchmodSync(fd, mode);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temp, target);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw new ConfigFileError(file, `Cannot write ${file} (${errnoText(error)}); it was left as it was.`);
  }
}

/**
 * Why `file` cannot be created, replaced, backed up or deleted here, as a sentence; null when it can. Checks the
 * file itself (immutable, read-only) and the folder that receives the temp file and the backup (or, for a file not
 * there yet, the nearest folder that exists). Run over every target before anything is written.
 */
export function writeProblem(file: string): string | null {
  let target = file;
  try {
    target = fs.realpathSync(file);
  } catch {
    // not there (yet): its folder decides
  }
  if (fs.existsSync(target)) {
    try {
      fs.accessSync(target, fs.constants.W_OK);
    } catch (error) {
      return `${file} cannot be changed (${errnoText(error)}): make it writable${hint(error)}, then run setup again. Nothing was written.`;
    }
  }
  let dir = path.dirname(target);
  while (!fs.existsSync(dir) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  try {
    fs.accessSync(dir, fs.constants.W_OK);
  } catch (error) {
    return (
      `Cannot write in ${dir} (${errnoText(error)}), where ${path.basename(file)} and its backup go: ` +
      `make it writable${hint(error)}, then run setup again. Nothing was written.`
    );
  }
  return null;
}

function hint(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EROFS') return ' (it is on a read-only file system)';
  if (code === 'EPERM') return ' (an immutable flag? see lsattr / chflags)';
  return '';
}
