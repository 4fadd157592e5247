#!/usr/bin/env node
// The entry of the Claude Desktop extension (relay.mcpb, see scripts/build-mcpb.mjs): the CLI, with the
// extension's settings appended as flags. It must stay a thin shim with no behaviour of its own.
import { extensionArgs } from './cli/extension-args.js';
import { main } from './cli/index.js';

process.exitCode = await main([...process.argv.slice(2), ...extensionArgs(process.env)]);
// As in cli.ts: a lingering handle must never keep an orphaned relay alive after Desktop is gone.
process.exit();
