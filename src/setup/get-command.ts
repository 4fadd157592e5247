// The `/get` slash command for Claude Code (~/.claude/commands/get.md): the seed's four variants, written for our
// tools. Its last line carries a hash of the text above it, so setup can tell its own unedited file (safe to
// update or remove) from one the user wrote or changed (left alone).
import crypto from 'node:crypto';

const BODY = `---
description: relay - fetch messages from Claude Desktop; or /get status, /get clear, /get <message>
argument-hint: "[status | clear | message for Desktop]"
allowed-tools: mcp__relay__relay_fetch, mcp__relay__relay_send, mcp__relay__relay_clear
---
Relay request: "$ARGUMENTS"

- Empty: call relay_fetch with no arguments. Act on the messages it returns, oldest first (if several ask
  different things, the newest wins). If there are none, say so in one line.
- \`status\`: call relay_fetch with reader null and limit 20 (marks nothing). Report how many messages there are,
  how many from Desktop are still unread by Code (read_by_code_at null), and when the newest was sent.
- \`clear\`: call relay_clear and report how many messages were deleted.
- Anything else: call relay_send with exactly that text as message, then confirm in one line.
`;

function hashOf(body: string): string {
  return crypto.createHash('sha256').update(body).digest('hex').slice(0, 16);
}

const MARKER = /\n<!-- installed by mcp-relay setup; sha256:([0-9a-f]{16}) -->\n?$/;

export function getCommandText(): string {
  return `${BODY}\n<!-- installed by mcp-relay setup; sha256:${hashOf(BODY)} -->\n`;
}

/** 'ours' when the file is relay's and unedited; 'edited' when relay's marker no longer matches; else 'foreign'. */
export function classifyGetCommand(text: string): 'ours' | 'edited' | 'foreign' {
  const match = MARKER.exec(text);
  if (match === null) return 'foreign';
  const body = text.slice(0, match.index);
  return hashOf(body) === match[1] ? 'ours' : 'edited';
}
