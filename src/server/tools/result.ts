// Tool results: the same JSON as structuredContent and as text (clients differ in which they show), and the one
// place that turns an expected failure into `{ok:false, error}` with isError set. Unexpected errors are reported
// the same way rather than crashing the server, and logged.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import * as z from 'zod';

import type { Logger } from '../../lib/log.js';
import { RelayError } from '../../store/store.js';

export const failureShape = {
  ok: z.boolean().describe('false on failure'),
  error: z.string().optional().describe('what went wrong and what to do'),
};

export function ok<T extends Record<string, unknown>>(data: T): CallToolResult {
  const body = { ok: true, ...data };
  return { content: [{ type: 'text', text: JSON.stringify(body) }], structuredContent: body };
}

export function fail(error: string): CallToolResult {
  const body = { ok: false, error };
  return { content: [{ type: 'text', text: JSON.stringify(body) }], structuredContent: body, isError: true };
}

/** Runs a handler body; RelayError becomes its sentence, anything else a generic failure that is logged. */
export async function guard(log: Logger, tool: string, body: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof RelayError) return fail(error.message);
    log.error(`${tool} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return fail(
      `The relay hit an internal error (${error instanceof Error ? error.message : String(error)}); run \`mcp-relay doctor\` and try ` +
        `again.`,
    );
  }
}

/**
 * The SDK's own tool errors (arguments that fail the input schema, an unknown tool) in the relay's shape: a
 * `{ok:false, error}` result whose sentence says what was wrong and what to do.
 */
export function sdkToolError(message: string, tools: readonly string[]): CallToolResult {
  const text = message.replace(/^MCP error -?\d+: /, '');
  const invalid = /^Input validation error: Invalid arguments for tool (\S+): ([\s\S]*)$/.exec(text);
  if (invalid !== null) {
    // The SDK words zod's issues already ("Invalid input: expected string, received number at message").
    return fail(`Invalid arguments for ${invalid[1]}: ${(invalid[2] ?? '').trim()}. Fix them and call again.`);
  }
  const unknown = /^Tool (\S+) not found$/.exec(text);
  if (unknown !== null) return fail(`There is no tool called ${unknown[1]}; relay's tools are ${tools.join(', ')}.`);
  return fail(text);
}
