// Text from elsewhere (a message, a sender, a session name or directory, a timestamp another program wrote) as a
// person or a model reads it: control characters made visible, so nothing reaches a terminal as a command, and
// bodies framed so they cannot pose as a header, a second message, or the relay. Every printed field goes through
// here: `field` for what must stay on its line, `visible` and `indented` for a body. Pure.

/** C0 and C1 controls but tab and newline, DEL, bidi overrides and isolates, and the Unicode line separators. */
const BODY_CONTROLS = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069]/g;
/** The same, and tab and newline too: a field is one line. */
const FIELD_CONTROLS = /[\u0000-\u001F\u007F-\u009F\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069]/g;

const escape = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** A body: line breaks kept (CRLF as LF), every other control character shown as `\uXXXX`. */
export function visible(text: string): string {
  return text.replace(/\r\n/g, '\n').replace(BODY_CONTROLS, escape);
}

/** A header field (a name, a kind, a timestamp): one line, every control character (newline too) as `\uXXXX`. */
export function field(text: string): string {
  return text.replace(FIELD_CONTROLS, escape);
}

/**
 * A body under its header, every line (the first too) after `prefix`, so no line of it can start where a header
 * starts (`#12 from Desktop`, `2. [Desktop]:`): the frame is the indent, which the body cannot take away. Blank
 * lines stay blank.
 */
export function indented(body: string, prefix: string): string {
  return visible(body)
    .split('\n')
    .map((line) => (line === '' ? '' : `${prefix}${line}`))
    .join('\n');
}

/**
 * `"text"` as JSON writes it, every control or format character escaped, cut after `max` characters (errors quote
 * what they were given at most 80 long): inside quotes it cannot close, so nothing in it can pose as the text around
 * it (an error sentence, a one-line summary a model reads).
 */
export function quoted(text: string, max = 80): string {
  const cut = text.length <= max ? text : `${cutAt(text, max)}…`;
  // JSON escapes C0 controls only: DEL, C1, bidi controls and line separators are escaped too.
  return JSON.stringify(cut).replace(
    /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu,
    (c) => `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`,
  );
}

/** The first `max` UTF-16 units of `text`, one fewer where the cut would split a surrogate pair (an emoji). */
export function cutAt(text: string, max: number): string {
  if (text.length <= max) return text;
  return text.slice(0, /[\uD800-\uDBFF]/.test(text.charAt(max - 1)) ? max - 1 : max);
}

/** The first `max` characters of `text` on one line (whitespace runs collapsed), with an ellipsis when cut. */
export function excerpt(text: string, max: number): string {
  const chars = Array.from(text.replace(/\s+/g, ' ').trim());
  return chars.length <= max ? chars.join('') : `${chars.slice(0, max - 1).join('')}…`;
}
