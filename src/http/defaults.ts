// Where the HTTP relay listens by default and its paths: constants only, so the CLI's flag table and `connect` can
// name them without loading the HTTP server itself.
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8765;
export const MCP_PATH = '/mcp';
export const HEALTH_PATH = '/health';
