// The server's instructions: the text every client loads at start (with tool search, often the only text it sees
// of relay before a schema is loaded). Built from who this session is.
import { displayKind } from '../store/store.js';
import type { RelayDeps } from './deps.js';

export function instructions(deps: RelayDeps): string {
  const { kind, name, observe } = deps.identity;
  const who =
    kind === null
      ? 'This relay process has no fixed side: pass sender/reader ("desktop" or "code").'
      : kind === 'desktop'
        ? 'You are Claude Desktop; the other side is Claude Code (one or more sessions).'
        : kind === 'code'
          ? 'You are a Claude Code session; the other side is Claude Desktop.'
          : `You are ${displayKind(kind)}; by default you send to Claude Desktop.`;
  return [
    'relay passes messages between Claude Desktop and Claude Code sessions, unchanged.',
    who,
    name === null ? '' : `Your session name is "${name}".`,
    observe ? 'This session only observes: it cannot send and marks nothing read.' : '',
    'When the user says "get" or "/get", call relay_fetch and act on what it returns.',
    'When they say "ask Desktop ...", "tell Code ...", or "send this to Desktop/Code", call relay_send with the full text;',
    'to reach one Code session among several, pass its name as `to` (relay_sessions lists them), and answer with reply_to.',
    deps.push?.channel
      ? 'New messages may also arrive by themselves as channel events from relay; they are then already marked read.'
      : '',
    'Do not fetch or send in a loop on your own: the user decides when the two sides talk.',
  ]
    .filter((line) => line !== '')
    .join(' ');
}
