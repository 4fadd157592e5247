// What the browser loads: the page shell, the client script and its style sheet (both built by scripts/build.mjs
// from src/ui/client/ and baked into this chunk, so nothing is read from disk or the network), and the headers that
// confine them. The shell holds no data: the script asks for everything, and builds the page with DOM text nodes.
declare const __RELAY_UI_JS__: string;
declare const __RELAY_UI_CSS__: string;

export const clientScript: string = __RELAY_UI_JS__;
export const clientStyle: string = __RELAY_UI_CSS__;

/** The page's policy: its own script and style only, no inline code, no frames, no other origin, no HTML sinks. */
export const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join('; ');

/** Every other response: nothing of it may run or be framed. */
export const NONE_CSP = "default-src 'none'; frame-ancestors 'none'";

export const FAVICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="4" fill="#3b6fd8"/><path d="M4 5h8M4 8h5M4 11h8" stroke="#fff" stroke-width="1.6" stroke-linecap="round"/></svg>`;

/** The shell; `csrf` is base64url (no character needs escaping in an attribute). */
export function pageHtml(csrf: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(csrf)) throw new Error('the CSRF token must be base64url');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="relay-csrf" content="${csrf}">
<title>relay</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/app.css">
<script src="/app.js" defer></script>
</head>
<body>
<noscript>The relay's page needs JavaScript.</noscript>
</body>
</html>
`;
}

/** A page for a refused visitor: plain text in HTML, no script, no style from anywhere. */
export function refusalHtml(title: string, text: string): string {
  const escape = (s: string) =>
    s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
  const head = `<meta charset="utf-8"><meta name="color-scheme" content="light dark"><title>${escape(title)}</title>`;
  return `<!doctype html><html lang="en"><head>${head}</head><body><h1>${escape(title)}</h1><p>${escape(text)}</p></body></html>\n`;
}
