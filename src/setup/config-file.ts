// Reading the config files setup touches, in their own syntax (JSON, JSON with comments, TOML): strict parsing with
// errors that name the file, and edits that keep every other byte. It decides nothing about what to change (the
// per-client writers do) and writes nothing (file-change.ts does).
import fs from 'node:fs';

import {
  type JsonObject,
  type JsonPath,
  JsonShapeError,
  JsonSyntaxError,
  parseObject,
  removeIn,
  setIn,
} from './json-edit.js';
import { parseToml, removeTable, setTable, TomlEditError, TomlSyntaxError } from './toml-edit.js';

/** A config file that cannot be used as it is (unparsable, not an object, unreadable, unwritable). Nothing was written. */
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

/** How one syntax parses and edits a document; every edit keeps the rest of the text as it was. */
export interface Syntax {
  name: 'JSON' | 'TOML';
  parse(text: string): JsonObject;
  set(text: string, path: JsonPath, value: unknown): string;
  remove(text: string, path: JsonPath): string;
}

const json = (comments: boolean): Syntax => ({
  name: 'JSON',
  parse: (text) => parseObject(text, { comments }),
  set: (text, path, value) => setIn(text, path, value, { comments }),
  remove: (text, path) => removeIn(text, path, { comments }),
});

export const JSON_SYNTAX = json(false);
/** JSON with comments and trailing commas, as Gemini CLI reads its settings. */
export const JSONC_SYNTAX = json(true);
export const TOML_SYNTAX: Syntax = {
  name: 'TOML',
  parse: parseToml,
  set: (text, path, value) => setTable(text, path as string[], value as JsonObject),
  remove: (text, path) => removeTable(text, path as string[]),
};

export interface ConfigFile extends TextFile {
  /** The parsed document ({} for a missing or blank file). */
  data: JsonObject;
  /** The text to edit, without a byte-order mark. */
  body: string;
  bom: boolean;
  syntax: Syntax;
}

/** The JSON files of Claude Code and Claude Desktop. */
export type JsonFile = ConfigFile;

export function readText(file: string): TextFile {
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) {
      throw new ConfigFileError(file, `${file} is not a regular file; move it away and run setup again.`);
    }
    return { path: file, text: fs.readFileSync(file, 'utf8'), mode: stat.mode & 0o7777 };
  } catch (error) {
    if (error instanceof ConfigFileError) throw error;
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { path: file, text: null, mode: null };
    throw new ConfigFileError(
      file,
      `Cannot read ${file} (${errnoText(error)}); fix its permissions and run setup again.`,
    );
  }
}

export function readConfig(file: string, syntax: Syntax = JSON_SYNTAX): ConfigFile {
  const raw = readText(file);
  const bom = raw.text?.startsWith('\uFEFF') ?? false;
  const body = bom ? raw.text!.slice(1) : (raw.text ?? '');
  try {
    return { ...raw, data: syntax.parse(body), body, bom, syntax };
  } catch (error) {
    if (error instanceof JsonSyntaxError || error instanceof TomlSyntaxError) {
      throw new ConfigFileError(
        file,
        `${file} is not valid ${syntax.name} (${error.message}); it was left untouched: fix it or move it away, then run setup again.`,
      );
    }
    throw error;
  }
}

export const readJson = (file: string): JsonFile => readConfig(file, JSON_SYNTAX);

/** The full text to write for an edited body, restoring the byte-order mark if the file had one. */
export function fileText(file: ConfigFile, body: string): string {
  return file.bom ? `\uFEFF${body}` : body;
}

/** Sets `path` in `body` (the file's text, or an edit of it); a value in the way becomes an error naming the file. */
export function editSet(file: ConfigFile, body: string, path: JsonPath, value: unknown): string {
  return guarded(file, () => file.syntax.set(body, path, value));
}

export function editRemove(file: ConfigFile, body: string, path: JsonPath): string {
  return guarded(file, () => file.syntax.remove(body, path));
}

function guarded(file: ConfigFile, edit: () => string): string {
  try {
    return edit();
  } catch (error) {
    if (error instanceof JsonShapeError || error instanceof TomlEditError) {
      throw new ConfigFileError(
        file.path,
        `Cannot change ${file.path}: ${error.message}. Nothing was written: fix the file (or move it away), then run setup again.`,
      );
    }
    throw error;
  }
}

/** An errno error as a short phrase: "permission denied (EACCES)". */
export function errnoText(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  const words: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'read-only file system',
    ENOSPC: 'no space left on the device',
    EISDIR: 'it is a directory',
    ENOTDIR: 'a part of the path is not a directory',
    EDQUOT: 'disk quota exceeded',
  };
  if (e?.code !== undefined && words[e.code] !== undefined) return `${words[e.code]} (${e.code})`;
  return e instanceof Error ? e.message : String(error);
}
