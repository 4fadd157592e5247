// What a desktop notification is, what shows one, and how a message becomes one (title, bounded preview).
// Pure text handling only: no process, no platform. Platforms must treat title and body as data, never as code.

/** A notification ready to show: plain text, already bounded and free of characters a child process refuses. */
export interface Notification {
  title: string;
  body: string;
}

/** Shows notifications. `notify` never rejects and never throws: failures go to the log. */
export interface Notifier {
  notify(notification: Notification): Promise<void>;
  /** One line for `doctor` and the debug log: which program, which sound, and whether it was found. */
  describe(): string;
}

/** One side of a conversation: a client kind ('desktop', 'code' or another client's name) and a session name. */
export interface Party {
  kind: string | null;
  name?: string | null | undefined;
}

/** A message that arrived: who sent it, who it is for (null: not addressed to anyone in particular), its text. */
export interface Arrival {
  from: Party;
  to: Party | null;
  text: string;
}

export const MAX_TITLE_CHARS = 100;
export const MAX_BODY_CHARS = 200;
const ELLIPSIS = '…';

const KIND_LABELS: Record<string, string> = { desktop: 'Desktop', code: 'Code' };

/** 'Desktop', 'Code', `Code (api-server)`, a session name alone, or null when nothing is known. */
export function displayName(party: Party): string | null {
  const kind = party.kind === null || party.kind === '' ? null : (KIND_LABELS[party.kind] ?? party.kind);
  const name = party.name === undefined || party.name === null || party.name === '' ? null : party.name;
  if (kind === null) return name;
  if (name === null || name.toLowerCase() === kind.toLowerCase()) return kind;
  return `${kind} (${name})`;
}

/** "New message for Code from Desktop" and the message as the preview, both bounded. */
export function formatNotification(arrival: Arrival): Notification {
  const from = displayName(arrival.from);
  const to = arrival.to === null ? null : displayName(arrival.to);
  const title = `New message${to === null ? '' : ` for ${to}`}${from === null ? '' : ` from ${from}`}`;
  return boundNotification({ title, body: arrival.text });
}

/**
 * Makes any notification safe to hand to a child process and short enough to show: well-formed Unicode, no NUL or
 * other control characters (spawn refuses NUL; XML refuses most C0), a one-line title, and both cut to size.
 * Idempotent, so a notifier can apply it again to whatever it is given.
 */
export function boundNotification(notification: Notification): Notification {
  const title = clean(notification.title)
    .replace(/\s*\n\s*/g, ' ')
    .trim();
  const body = clean(notification.body).trim();
  return { title: truncate(title, MAX_TITLE_CHARS), body: truncate(body, MAX_BODY_CHARS) };
}

function clean(text: string): string {
  return (
    text
      .toWellFormed()
      .replace(/\r\n?/g, '\n')
      // C0 and C1 controls except tab and newline, and the two noncharacters XML refuses: shown as the replacement
      // character rather than silently dropped.
      .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\uFFFE\uFFFF]/g, '\uFFFD')
  );
}

const segmenter =
  typeof Intl.Segmenter === 'function' ? new Intl.Segmenter(undefined, { granularity: 'grapheme' }) : null;

/**
 * At most `max` user-perceived characters (grapheme clusters; code points without Intl.Segmenter), ending in '…'
 * when cut. A cluster is never split, so an emoji or an accented letter stays whole. Also at most 8 code points per
 * allowed character, so a flood of combining marks cannot make one "character" arbitrarily long.
 */
export function truncate(text: string, max: number): string {
  const pieces = segmenter === null ? Array.from(text) : Array.from(segmenter.segment(text), (s) => s.segment);
  const codePointBudget = max * 8;
  let codePoints = 0;
  let fits = pieces.length <= max;
  if (fits) {
    for (const piece of pieces) codePoints += countCodePoints(piece);
    fits = codePoints <= codePointBudget;
  }
  if (fits) return text;
  let out = '';
  codePoints = 0;
  for (const piece of pieces.slice(0, max - 1)) {
    const size = countCodePoints(piece);
    if (codePoints + size > codePointBudget - 1) break;
    codePoints += size;
    out += piece;
  }
  return out.trimEnd() + ELLIPSIS;
}

function countCodePoints(text: string): number {
  let n = 0;
  for (const _ of text) n += 1;
  return n;
}
