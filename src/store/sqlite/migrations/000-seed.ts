// Migration 0: the seed's schema (mcp-server-relay 1.2.4), byte for byte, so a fresh file is one the seed opens too.
export const seed = `
CREATE TABLE IF NOT EXISTS messages (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  sender TEXT NOT NULL,
  message TEXT NOT NULL,
  timestamp TEXT NOT NULL,
  read_by_desktop_at TEXT,
  read_by_code_at TEXT
);
`;
