// A zip of a folder whose bytes depend only on the files' paths and contents: entries in byte order of their paths,
// one fixed timestamp, one fixed mode rule (0755 for a file that starts with `#!`, else 0644), maximum
// compression, nothing else recorded (no owner, no extra fields). So the same files give the same zip on any
// machine, in any time zone, under any umask, whatever order the file system lists them in. fflate's output for a
// given input is fixed for a given fflate version, which package.json pins exactly.
// Used by scripts/build-mcpb.mjs for relay.mcpb. Reads the folder; writes nothing.
import fs from 'node:fs';
import path from 'node:path';

import { zipSync } from 'fflate';

/**
 * 1980-01-01 00:00:00, the earliest time a zip can hold. fflate writes DOS times from a Date's local-time fields,
 * so the Date is built from local-time fields too: the stored time is the same in every time zone.
 */
export const FIXED_TIME = new Date(1980, 0, 1, 0, 0, 0);

/** The folder's regular files as zip paths ('/'-separated, relative), in byte order. Refuses anything else. */
export function listFiles(dir) {
  const names = [];
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const name = path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/');
    if (entry.isDirectory()) continue;
    if (!entry.isFile())
      throw new Error(`${name} in ${dir} is not a regular file (a link?); a bundle holds files only`);
    names.push(name);
  }
  return names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The zip's bytes. */
export function zipDirectory(dir) {
  const entries = {};
  for (const name of listFiles(dir)) {
    const data = fs.readFileSync(path.join(dir, name));
    const executable = data[0] === 0x23 && data[1] === 0x21; // '#!'
    const mode = executable ? 0o100755 : 0o100644;
    // os 3 (Unix) with the mode in the high half of the external attributes: how unzip tools learn the mode.
    entries[name] = [data, { level: 9, mtime: FIXED_TIME, os: 3, attrs: (mode << 16) >>> 0 }];
  }
  return zipSync(entries, { level: 9, mtime: FIXED_TIME });
}
