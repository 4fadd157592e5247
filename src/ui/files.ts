// How the page serves an attachment, whose name and media type another program chose: only raster images are
// served as themselves for an inline preview, text of any kind only as text/plain, and everything else as a download
// of opaque bytes. Pure functions; the server adds nosniff and a sandboxing CSP to every such response.

/** Raster formats a browser shows without running anything (SVG can hold script: never inline). */
const INLINE_IMAGES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif']);

/** Types whose bytes are text a person may preview (always served as text/plain, never as what they claim). */
const TEXT_TYPES = new Set([
  'text/plain',
  'text/markdown',
  'text/csv',
  'text/tab-separated-values',
  'text/x-diff',
  'text/x-patch',
  'text/x-log',
  'application/json',
  'application/x-ndjson',
  'application/yaml',
  'application/toml',
]);

export type Preview = 'image' | 'text' | null;

/** The media type without parameters, lower case. */
export function baseType(mediaType: string): string {
  return (mediaType.split(';')[0] ?? '').trim().toLowerCase();
}

/** What the page may preview inline: an image, text, or nothing (download only). */
export function previewKind(mediaType: string): Preview {
  const type = baseType(mediaType);
  if (INLINE_IMAGES.has(type)) return 'image';
  if (TEXT_TYPES.has(type) || (type.startsWith('text/x-') && !type.includes('html') && !type.includes('xml')))
    return 'text';
  return null;
}

/** Bidirectional controls, which can disguise a file name's extension ("txt.exe" shown as "exe.txt"). */
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** The name a download is saved under: no bidi controls, no control characters, no path. */
export function safeFileName(name: string): string {
  const cleaned = name
    .replace(BIDI, '_')
    .replace(/[\u0000-\u001f\u007f/\\]/g, '_')
    .trim();
  return cleaned === '' || cleaned === '.' || cleaned === '..' ? 'attachment' : cleaned;
}

/** A Content-Disposition header (RFC 6266): an ASCII fallback name and the exact UTF-8 name. */
export function contentDisposition(kind: 'inline' | 'attachment', name: string): string {
  const safe = safeFileName(name);
  const ascii = safe.replace(/[^\x20-\x7e]/g, '_').replace(/["\\%]/g, '_');
  const encoded = encodeURIComponent(safe).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/** The headers an attachment goes out with: inline only for a preview of a safe type, else a download. */
export function attachmentHeaders(
  name: string,
  mediaType: string,
  size: number,
  wantDownload: boolean,
): Record<string, string> {
  const preview = previewKind(mediaType);
  const inline = !wantDownload && preview !== null;
  const contentType =
    preview === 'image'
      ? baseType(mediaType)
      : preview === 'text' && inline
        ? 'text/plain; charset=utf-8'
        : 'application/octet-stream';
  return {
    'Content-Type': contentType,
    'Content-Length': String(size),
    'Content-Disposition': contentDisposition(inline ? 'inline' : 'attachment', name),
    // Should any of it ever be shown as a document, it runs nothing and reaches nothing.
    'Content-Security-Policy': "default-src 'none'; img-src 'self'; sandbox",
  };
}
