// One message as the page shows it: who sent it to whom, when, each recipient's delivered/read state, the text
// (Markdown or raw), its attachments with download and preview, and its actions. Text only ever enters as text.
import { formatSize, h, timeElement, visibleName } from './dom.js';
import { markdown } from './markdown.js';
import type { Attachment, Delivery, Message } from './types.js';

export const USER_KIND = 'user';

export interface MessageView {
  /** The person's own session name. */
  you: string;
  raw: boolean;
  /** Known messages, for the text of the one replied to. */
  lookup(id: number): Message | undefined;
  onReply(message: Message): void;
  onForward(message: Message): void;
  onThread(id: number): void;
}

export function displayKind(kind: string): string {
  return kind === USER_KIND ? 'You' : kind.charAt(0).toUpperCase() + kind.slice(1);
}

/** A session (or kind mailbox) as a person reads it: "You" for the person, the name otherwise. */
export function sessionLabel(kind: string, name: string | null, you: string): string {
  if (kind === USER_KIND) return name === null || name === you ? 'You' : `You (${visibleName(name)})`;
  return name === null ? `${displayKind(kind)} (next to fetch)` : visibleName(name);
}

function addressLabel(to: string, you: string): string {
  if (to === '*') return 'everyone';
  if (to === USER_KIND || to === you) return 'You';
  return visibleName(to);
}

function delivery(d: Delivery, you: string): HTMLElement {
  const read = d.read_at !== null;
  const title =
    `${sessionLabel(d.kind, d.name, you)}: delivered ${new Date(d.delivered_at).toLocaleString()}` +
    (read ? `, read ${new Date(d.read_at!).toLocaleString()}` : ', not read yet');
  return h(
    'li',
    { class: read ? 'rcpt read' : 'rcpt', attrs: { title, 'data-mailbox': d.mailbox } },
    h('span', { class: 'rcpt-name' }, sessionLabel(d.kind, d.name, you)),
    ' ',
    h('span', { class: 'rcpt-state' }, read ? '✓ read ' : 'delivered '),
    timeElement(read ? d.read_at! : d.delivered_at),
  );
}

const INLINE_IMAGES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif']);
const TEXT_TYPES =
  /^(text\/(plain|markdown|csv|tab-separated-values|x-[\w.+-]+)|application\/(json|x-ndjson|yaml|toml))$/;

function attachment(file: Attachment): HTMLElement {
  const type = (file.media_type.split(';')[0] ?? '').trim().toLowerCase();
  const url = `/api/attachments/${file.id}`;
  const name = visibleName(file.name);
  const item = h(
    'li',
    { class: 'file' },
    h('span', { class: 'file-name', attrs: { title: name } }, name),
    h('span', { class: 'file-meta' }, `${visibleName(file.media_type)} · ${formatSize(file.size)}`),
    h('a', { class: 'button small', attrs: { href: `${url}?download=1`, download: '' } }, 'Download'),
  );
  if (INLINE_IMAGES.has(type)) {
    item.append(h('img', { class: 'preview', attrs: { src: url, alt: name, loading: 'lazy' } }));
  } else if (TEXT_TYPES.test(type) && !/html|xml/.test(type)) {
    const button = h('button', { class: 'small', attrs: { type: 'button', 'aria-expanded': 'false' } }, 'Preview');
    let shown: HTMLElement | undefined;
    button.addEventListener('click', () => {
      if (shown !== undefined) {
        shown.remove();
        shown = undefined;
        button.setAttribute('aria-expanded', 'false');
        return;
      }
      button.setAttribute('aria-expanded', 'true');
      shown = h('pre', { class: 'text-preview' }, 'Loading…');
      item.append(shown);
      const target = shown;
      fetch(url, { credentials: 'same-origin' })
        .then((response) => (response.ok ? response.text() : Promise.reject(new Error(`HTTP ${response.status}`))))
        .then(
          (text) =>
            (target.textContent =
              text.length > 200_000 ? `${text.slice(0, 200_000)}\n… (cut; download for the rest)` : text),
        )
        .catch((error: unknown) => (target.textContent = `Could not load the preview: ${String(error)}`));
    });
    item.append(button);
  }
  return item;
}

function body(message: Message, raw: boolean): HTMLElement {
  const text = h('div', { class: raw ? 'body raw' : 'body md', attrs: { dir: 'auto' } });
  if (raw) text.textContent = message.message;
  else text.append(markdown(message.message));
  return text;
}

/** Each recipient with its delivered/read state; replaced alone when a read comes in (the rest keeps its state). */
export function renderRecipients(message: Message, you: string): HTMLElement {
  return h(
    'ul',
    { class: 'rcpts', attrs: { 'aria-label': 'Recipients' } },
    ...message.recipients.map((d) => delivery(d, you)),
  );
}

/** The article for one message; its id attribute is `m-<id>`. */
export function renderMessage(message: Message, view: MessageView): HTMLElement {
  const mine = message.sender === USER_KIND;
  const parent = message.reply_to === null ? undefined : view.lookup(message.reply_to);
  // Sent from outside any session (the CLI), `from` is only the kind.
  const outside = message.from === message.sender;
  const sender = mine
    ? sessionLabel(USER_KIND, message.from, view.you)
    : outside
      ? displayKind(message.sender)
      : visibleName(message.from);
  const kindClass = /^[a-z0-9_-]+$/.test(message.sender) ? message.sender : 'other';
  const header = h(
    'header',
    null,
    h('span', { class: 'who' }, sender),
    mine || outside ? null : h('span', { class: `kind kind-${kindClass}` }, displayKind(message.sender)),
    h('span', { class: 'arrow', attrs: { 'aria-label': 'to' } }, '→'),
    h('span', { class: 'to' }, addressLabel(message.to, view.you)),
    h('span', { class: 'when' }, timeElement(message.timestamp)),
    h('span', { class: 'msg-id' }, `#${message.id}`),
  );
  const replyRef =
    message.reply_to === null
      ? null
      : h(
          'button',
          {
            class: 'reply-ref',
            attrs: { type: 'button', title: 'Show the thread' },
            on: { click: () => view.onThread(message.id) },
          },
          `↪ in reply to #${message.reply_to}`,
          parent === undefined
            ? ''
            : `, ${sessionLabel(parent.sender, parent.from, view.you)}: “${excerpt(parent.message)}”`,
        );
  const files =
    (message.attachments ?? []).length === 0
      ? null
      : h('ul', { class: 'files' }, ...(message.attachments ?? []).map(attachment));
  const article = h(
    'article',
    {
      class: mine ? 'msg mine' : 'msg',
      attrs: {
        id: `m-${message.id}`,
        tabindex: '-1',
        'data-id': String(message.id),
        'aria-label': `Message ${message.id} from ${sender}`,
      },
    },
    header,
    replyRef,
    body(message, view.raw),
    files,
    h(
      'footer',
      null,
      renderRecipients(message, view.you),
      h(
        'span',
        { class: 'actions' },
        h(
          'button',
          {
            class: 'small',
            attrs: { type: 'button', 'data-action': 'reply' },
            on: { click: () => view.onReply(message) },
          },
          'Reply',
        ),
        h(
          'button',
          {
            class: 'small',
            attrs: { type: 'button', 'data-action': 'forward' },
            on: { click: () => view.onForward(message) },
          },
          'Forward',
        ),
        h(
          'button',
          {
            class: 'small',
            attrs: { type: 'button', 'data-action': 'thread' },
            on: { click: () => view.onThread(message.id) },
          },
          'Thread',
        ),
      ),
    ),
  );
  return article;
}

/** The first line of a text, cut to `length` characters. */
export function excerpt(text: string, length = 80): string {
  // A Markdown heading's marks are not part of what it says.
  const line = (text.trimStart().split('\n', 1)[0] ?? '').replace(/^#{1,6}\s+/, '');
  return line.length > length ? `${line.slice(0, length)}…` : line;
}
