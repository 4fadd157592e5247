// The server's instructions: the text every client loads at start. With tool search (Claude Code) it is, with the
// tool names, all a model sees of relay until it loads a schema, so it says which tool does what and when relay, not
// Claude Code's own SendMessage, is the way: at most MAX_INSTRUCTIONS_BYTES for any identity (test/tool-budget).
import { displayKind } from '../store/store.js';
import type { RelayDeps } from './deps.js';

export const MAX_INSTRUCTIONS_BYTES = 600;

export function instructions(deps: RelayDeps): string {
  const { kind, name, observe } = deps.identity;
  const named = name === null ? '' : ` "${name}"`;
  const who =
    kind === null
      ? 'No fixed side here: pass sender/reader "desktop" or "code".'
      : kind === 'desktop'
        ? 'You are Claude Desktop.'
        : `You are ${kind === 'code' ? 'Claude Code' : displayKind(kind)} session${named}.`;
  return [
    'relay carries messages and files between Claude Desktop, Claude Code and other agents (Codex, Cursor, Gemini),' +
      ' also on other machines.',
    who,
    observe
      ? 'You only observe: relay_fetch shows messages and marks nothing read; you cannot send.'
      : 'relay_fetch gets your messages (on "get" or "/get"); relay_send sends ("ask Desktop", "tell Code") and' +
        ' answers a relay message with reply_to: never SendMessage, which cannot reach them.',
    'relay_sessions lists who is connected, relay_search finds old messages, relay_attachment reads files.',
    deps.push?.channel ? 'Messages may also arrive as channel events, already read.' : '',
    'Never fetch or send in a loop on your own.',
  ]
    .filter((line) => line !== '')
    .join(' ');
}
