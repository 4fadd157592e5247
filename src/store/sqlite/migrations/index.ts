// The numbered, forward-only SQLite migrations. Entry N upgrades a file at PRAGMA user_version N to N + 1.
// Never edit a shipped entry: add a new one.
import { seed } from './000-seed.js';
import { inbox } from './001-inbox.js';
import { sessions } from './002-sessions.js';
import { noFts } from './003-no-fts.js';
import { noticeLeases } from './004-notice-leases.js';

export const migrations: readonly string[] = [seed, inbox, sessions, noFts, noticeLeases];
export const schemaVersion = migrations.length;
