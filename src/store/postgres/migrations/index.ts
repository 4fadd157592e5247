// The numbered, forward-only PostgreSQL migrations (their own list, not SQLite's). Entry N upgrades a database at
// version N (recorded in relay.relay_schema) to N + 1. Never edit a shipped entry: add a new one.
import { initial } from './001-initial.js';
import { noSearchColumn } from './002-no-search-column.js';
import { noticeLeases } from './003-notice-leases.js';

export const pgMigrations: readonly string[] = [initial, noSearchColumn, noticeLeases];
export const pgSchemaVersion = pgMigrations.length;
