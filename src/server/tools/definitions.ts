// The tool definitions as clients receive them (tools/list), without the bytes the SDK's zod conversion adds that
// tell a model nothing: the `$schema` line of every schema, the ±2^53-1 bounds of every integer, and anyOf where a
// list of types says the same; and, per tool, arguments its model need not see (`unlisted`). Claude Desktop
// and clients without tool search put every schema in the model's context, so these bytes are paid in each
// conversation (the budget is in test/tool-budget.test.ts). Output schemas keep their meaning; only noise goes.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ListToolsResult, Tool } from '@modelcontextprotocol/sdk/types.js';

type Handler = (request: unknown, extra: unknown) => Promise<unknown>;

/** A JSON Schema without `$schema` and without integer bounds that only restate JavaScript's safe range. */
export function slimSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(slimSchema);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === '$schema') continue;
    if (key === 'maximum' && value === Number.MAX_SAFE_INTEGER) continue;
    if (key === 'minimum' && value === Number.MIN_SAFE_INTEGER) continue;
    out[key] = slimSchema(value);
  }
  // zod writes a nullable string as anyOf [{type: string}, {type: null}]: the same as type [string, null], longer.
  const types = Array.isArray(out.anyOf) ? out.anyOf.map(bareType) : [];
  if (types.length > 1 && types.every((t) => t !== null)) {
    delete out.anyOf;
    out.type = types;
  }
  return out;
}

/** The type of a schema that says nothing but its type, else null. */
function bareType(schema: unknown): string | null {
  if (schema === null || typeof schema !== 'object') return null;
  const keys = Object.keys(schema);
  const type = (schema as { type?: unknown }).type;
  return keys.length === 1 && typeof type === 'string' ? type : null;
}

/** Each tool's input schema without `unlisted[tool]`'s properties. */
export type Unlisted = Readonly<Record<string, readonly string[]>>;

function withoutProperties(schema: Tool['inputSchema'], names: readonly string[] = []): Tool['inputSchema'] {
  if (names.length === 0 || schema.properties === undefined) return schema;
  const properties = Object.fromEntries(Object.entries(schema.properties).filter(([key]) => !names.includes(key)));
  const required = schema.required?.filter((key) => !names.includes(key));
  return { ...schema, properties, ...(required === undefined ? {} : { required }) };
}

export function slimToolList(result: ListToolsResult, unlisted: Unlisted = {}): ListToolsResult {
  return {
    ...result,
    tools: result.tools.map((tool) => ({
      ...tool,
      inputSchema: slimSchema(withoutProperties(tool.inputSchema, unlisted[tool.name])) as Tool['inputSchema'],
      ...(tool.outputSchema === undefined
        ? {}
        : { outputSchema: slimSchema(tool.outputSchema) as Tool['outputSchema'] }),
    })),
  };
}

/**
 * Serves tools/list slimmed. Call after the tools are registered. The SDK has no option for this, so its own
 * handler is wrapped (a private map); where an SDK has none, its tools/list stays as it is, and the byte-budget
 * test says so.
 */
export function serveSlimDefinitions(server: McpServer, unlisted: Unlisted = {}): void {
  const handlers = (server.server as unknown as { _requestHandlers?: Map<string, Handler> })._requestHandlers;
  const list = handlers?.get('tools/list');
  if (handlers === undefined || list === undefined) return;
  handlers.set('tools/list', async (request, extra) =>
    slimToolList((await list(request, extra)) as ListToolsResult, unlisted),
  );
}
