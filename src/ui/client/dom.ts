// Building the page's DOM. Every piece of text goes in as a text node, and attributes only by name through
// setAttribute: nothing here parses HTML, so no message, name or file name can become markup.

export type Child = Node | string | null | undefined | false;

export interface Props {
  class?: string | undefined;
  /** Attributes, set with setAttribute (a value is always text). */
  attrs?: Record<string, string | undefined>;
  /** Event handlers by event name. */
  on?: Record<string, (event: Event) => void>;
}

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props | null = null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (props?.class !== undefined) element.className = props.class;
  for (const [name, value] of Object.entries(props?.attrs ?? {}))
    if (value !== undefined) element.setAttribute(name, value);
  for (const [name, handler] of Object.entries(props?.on ?? {})) element.addEventListener(name, handler);
  append(element, ...children);
  return element;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  }
}

/** Replaces an element's children. */
export function fill(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}

/** Bidirectional controls, shown as visible marks in names so none can reorder what follows. */
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** A name or file name for display: bidi controls and other invisible controls made visible. */
export function visibleName(name: string): string {
  return name
    .replace(BIDI, (c) => `⟨U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}⟩`)
    .replace(/[\u0000-\u001f\u007f]/g, '�');
}

/** 1234567 -> "1.2 MB". */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

/** A stored timestamp as local time; the full instant goes in the element's title. */
export function timeElement(iso: string, withDate = false): HTMLTimeElement {
  const date = new Date(iso);
  const valid = !Number.isNaN(date.getTime());
  const today = valid && date.toDateString() === new Date().toDateString();
  const text = !valid
    ? iso
    : withDate || !today
      ? date.toLocaleString([], {
          month: 'short',
          day: 'numeric',
          hour: '2-digit',
          minute: '2-digit',
          second: '2-digit',
        })
      : date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  return h(
    'time',
    { attrs: { datetime: valid ? date.toISOString() : undefined, title: valid ? date.toString() : iso } },
    text,
  );
}

/** "just now", "5 min ago", "3 h ago", else a date. */
export function ago(iso: string, now = Date.now()): string {
  const seconds = Math.round((now - Date.parse(iso)) / 1000);
  if (!Number.isFinite(seconds)) return iso;
  if (seconds < 45) return 'just now';
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.round(seconds / 3600)} h ago`;
  return new Date(iso).toLocaleDateString();
}
