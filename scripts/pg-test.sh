#!/usr/bin/env bash
# Runs the PostgreSQL store's tests exactly as CI does: builds, starts a throw-away PostgreSQL cluster on
# 127.0.0.1 (test/setup/postgres.ts via scripts/pg-cluster.mjs; as root the server runs as the `postgres` user),
# runs the contract suite, the migrate test and the two-process end-to-end test against it, then removes it.
# Needs PostgreSQL's server binaries (Debian: apt-get install postgresql; macOS: brew install postgresql).
# To use a server you already run instead: RELAY_TEST_PG_URL=postgres://user@host/postgres scripts/pg-test.sh
# Extra arguments go to vitest (e.g. -t "migrate").
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build
RELAY_PG_REQUIRED=1 npx vitest run test/store.postgres.test.ts test/migrate.postgres.test.ts test/postgres.e2e.test.ts "$@"
