// Tool results: the same JSON as structuredContent and as text (clients differ in which they show), and the one
// place that turns an expected failure into `{ok:false, error}` with isError set. Unexpected errors are reported
// the same way rather than crashing the server, and logged.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import * as z from 'zod';
import type { Logger } from '../log.js';
import { RelayError } from '../store/store.js';

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
    return fail(`The relay hit an internal error (${error instanceof Error ? error.message : String(error)}); run \`mcp-relay doctor\` and try again.`);
  }
}
