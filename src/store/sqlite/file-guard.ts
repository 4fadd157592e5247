// Noticing that the buffer file was deleted or replaced under a running relay (16.4): SQLite keeps writing into the
// unlinked file it has open, where no relay started later will ever look. The store compares the device and inode
// it opened with what the path names now, on every operation and on each change event; when they differ it reopens
// the path (re-registering its sessions), or, when the new file cannot be opened, refuses with a sentence.
import fs from 'node:fs';

import { RelayError } from '../store.js';
import type { Connection } from './connection.js';
import { type FileIdentity, fileIdentity, type OpenedFile, sameFile } from './open.js';

export type Moved = 'deleted' | 'replaced';

/** Whether the path still names the file that was opened. */
export function movedAway(file: string, opened: FileIdentity | null): Moved | null {
  const now = fileIdentity(file);
  if (sameFile(now, opened)) return null;
  return now === null ? 'deleted' : 'replaced';
}

/**
 * Connections to a file that is gone, kept open until the process exits. Closing one would be harmful: SQLite's last
 * close checkpoints and then deletes `<path>-wal` and `<path>-shm` by name, which now belong to the new file.
 */
const retired = new Set<Connection>();

/**
 * Leaves the old file behind and opens the path again, or says why it cannot and what happened. The -wal and -shm at
 * the path are removed first when they are the old connection's (by the -shm's device and inode): a new file
 * renamed into place must not be read through the old file's write-ahead log.
 */
export function reopenMoved(file: string, moved: Moved, old: OpenedFile, reopen: () => OpenedFile): OpenedFile {
  try {
    if (old.shm !== null && sameFile(fileIdentity(`${file}-shm`), old.shm)) {
      for (const f of [`${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
    }
    const next = reopen();
    retired.add(old.db);
    return next;
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new RelayError(
      'unavailable',
      `The relay database ${file} was ${moved} while this relay had it open, and the file there now cannot be used ` +
        `(${why}); nothing was written: move it away and try again, or restart the relay with another --db.`,
    );
  }
}

/** What is reported (onError) after a successful reopen. */
export function movedNotice(file: string, moved: Moved): Error {
  return new Error(
    `The relay database ${file} was ${moved} while this relay had it open: opened the file at that path again and ` +
      `registered this relay's sessions in it (unread messages left in the old file are gone).`,
  );
}
