#!/usr/bin/env node
// The bin entry of mcp-relay and mcp-server-relay.
import { main } from './cli/index.js';

process.exitCode = await main(process.argv.slice(2));
// Exit explicitly: a lingering handle must never keep an orphaned relay alive after its client is gone.
process.exit();
