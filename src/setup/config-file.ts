// Reading and writing the config files setup touches: strict parsing with errors that name the file, a backup
// before any change, atomic replacement (temp file + rename) keeping the file's mode, and a readable diff for
// --dry-run. It decides nothing about what to change; the per-target writers do.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import { createTwoFilesPatch } from 'diff';

import { type JsonObject, JsonSyntaxError, parseObject } from './json-edit.js';

/** A config file that cannot be used as it is (unparsable, not an object, unreadable). Nothing was written. */
export class ConfigFileError extends Error {
  readonly file: string;
  constructor(file: string, message: string) {
    super(message);
    this.name = 'ConfigFileError';
    this.file = file;
  }
}

export interface TextFile {
  path: string;
  /** null when the file does not exist. */
  text: string | null;
  /** Permission bits of the existing file, or null. */
  mode: number | null;
}

export interface JsonFile extends TextFile {
  /** The parsed object ({} for a missing or blank file). */
  data: JsonObject;
  /** The text to edit, without a byte-order mark. */
  body: string;
  bom: boolean;
}

export function readText(file: string): TextFile {
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile())
      throw new ConfigFileError(file, `${file} is not a regular file; move it away and run setup again.`);
    return { path: file, text: fs.readFileSync(file, 'utf8'), mode: stat.mode & 0o7777 };
  } catch (error) {
    if (error instanceof ConfigFileError) throw error;
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { path: file, text: null, mode: null };
    throw new ConfigFileError(
      file,
      `Cannot read ${file} (${(error as Error).message}); fix its permissions and run setup again.`,
    );
  }
}

export function readJson(file: string): JsonFile {
  const raw = readText(file);
  const bom = raw.text?.startsWith('\uFEFF') ?? false;
  const body = bom ? raw.text!.slice(1) : (raw.text ?? '');
  try {
    return { ...raw, data: parseObject(body), body, bom };
  } catch (error) {
    if (error instanceof JsonSyntaxError) {
      throw new ConfigFileError(
        file,
        `${file} is not valid JSON (${error.message}); it was left untouched: fix it or move it away, then run setup again.`,
      );
    }
    throw error;
  }
}

/** The full text to write for an edited JSON body, restoring the byte-order mark if the file had one. */
export function jsonText(file: JsonFile, body: string): string {
  return file.bom ? `\uFEFF${body}` : body;
}

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

/** Applies a change: backs up an existing file, then writes atomically or deletes. Returns the backup's path. */
export function applyChange(change: FileChange, now: Date): string | null {
  if (!changed(change)) return null;
  const existing = readText(change.path);
  if (existing.text !== change.before) {
    throw new ConfigFileError(
      change.path,
      `${change.path} changed while setup was running; nothing was written to it: run setup again.`,
    );
  }
  let backup: string | null = null;
  if (existing.text !== null && change.backup !== false) {
    backup = backupPath(change.path, now);
    fs.copyFileSync(change.path, backup, fs.constants.COPYFILE_EXCL);
    fs.chmodSync(backup, existing.mode ?? 0o600);
  }
  if (change.after === null) fs.rmSync(change.path);
  else writeAtomic(change.path, change.after, existing.mode ?? change.mode);
  return backup;
}

/** Writes through a temp file in the same directory and renames it over the target (a symlink's target). */
export function writeAtomic(file: string, text: string, mode: number): void {
  let target = file;
  try {
    target = fs.realpathSync(file);
  } catch {
    fs.mkdirSync(path.dirname(file), { recursive: true });
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
    throw new ConfigFileError(file, `Cannot write ${file} (${(error as Error).message}); it was left as it was.`);
  }
}
