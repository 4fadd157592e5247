// What the person does: compose (to a session, a kind or everyone; as a reply; with files), forward, and clear
// behind a confirmation. Each goes to the server with the CSRF token; the result shows in the status line and the
// message itself arrives through the live feed like any other.
import { base64, post } from './api.js';
import { formatSize, h, visibleName } from './dom.js';
import { excerpt, sessionLabel } from './message.js';
import { chooseAddress } from './sidebar.js';
import type { Message } from './types.js';

const MAX_FILES_BYTES = 25 * 1024 * 1024;

export interface Actions {
  say(text: string, error?: boolean): void;
  you(): string;
}

export interface Composer {
  form: HTMLFormElement;
  to: HTMLSelectElement;
  text: HTMLTextAreaElement;
  reply(message: Message): void;
  cancelReply(): void;
}

const sentTo = (sent: { recipients: string[]; warning?: string }) =>
  `Sent to ${sent.recipients.map(visibleName).join(', ') || 'nobody'}.${sent.warning === undefined ? '' : ` ${sent.warning}`}`;

export function createComposer(actions: Actions): Composer {
  let replyTo: Message | null = null;
  const to = h('select', { attrs: { id: 'compose-to', name: 'to' } });
  const text = h('textarea', {
    attrs: {
      id: 'compose-text',
      name: 'message',
      rows: '2',
      placeholder: 'Write a message… (Ctrl+Enter sends)',
      'aria-label': 'Message',
    },
  });
  const files = h('input', {
    attrs: { type: 'file', multiple: '', id: 'compose-files', 'aria-label': 'Attach files' },
  });
  const chosen = h('span', { class: 'chosen' });
  const replying = h('div', { class: 'replying', attrs: { hidden: '' } });
  const send = h('button', { class: 'primary', attrs: { type: 'submit' } }, 'Send');
  const form = h(
    'form',
    { class: 'compose', attrs: { 'aria-label': 'Send a message' } },
    replying,
    h(
      'div',
      { class: 'compose-row' },
      h('label', { attrs: { for: 'compose-to' } }, 'To'),
      to,
      h('label', { class: 'button small attach', attrs: { for: 'compose-files' } }, 'Attach…'),
      files,
      chosen,
    ),
    h('div', { class: 'compose-row' }, text, send),
  );
  const cancelReply = () => {
    replyTo = null;
    replying.setAttribute('hidden', '');
    replying.replaceChildren();
  };
  to.addEventListener('change', () => (to.dataset.picked = '1'));
  files.addEventListener('change', () => {
    const list = [...(files.files ?? [])];
    chosen.textContent = list.map((f) => `${visibleName(f.name)} (${formatSize(f.size)})`).join(', ');
  });
  text.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    } else if (event.key === 'Escape' && replyTo !== null) {
      event.stopPropagation();
      cancelReply();
    }
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void (async () => {
      const list = [...(files.files ?? [])];
      if (list.reduce((sum, f) => sum + f.size, 0) > MAX_FILES_BYTES) {
        return actions.say('The files are over 25 MB together; attach fewer or smaller ones.', true);
      }
      send.disabled = true;
      try {
        const attachments = await Promise.all(
          list.map(async (f) => ({
            name: f.name,
            media_type: f.type || 'application/octet-stream',
            data: await base64(f),
          })),
        );
        const result = await post<{ recipients: string[]; warning?: string }>('/api/send', {
          to: to.value,
          message: text.value,
          ...(replyTo === null ? {} : { reply_to: replyTo.id }),
          ...(attachments.length === 0 ? {} : { attachments }),
        });
        actions.say(sentTo(result));
        text.value = '';
        files.value = '';
        chosen.textContent = '';
        cancelReply();
      } catch (error) {
        actions.say(error instanceof Error ? error.message : String(error), true);
      } finally {
        send.disabled = false;
      }
    })();
  });
  return {
    form,
    to,
    text,
    reply(message) {
      replyTo = message;
      replying.replaceChildren(
        h(
          'span',
          null,
          `Replying to #${message.id}, ${sessionLabel(message.sender, message.from, actions.you())}: “${excerpt(message.message, 60)}”`,
        ),
        h(
          'button',
          { class: 'small', attrs: { type: 'button', 'aria-label': 'Cancel the reply' }, on: { click: cancelReply } },
          '×',
        ),
      );
      replying.removeAttribute('hidden');
      // A reply goes back to whoever sent the message, as the relay routes it.
      chooseAddress(to, message.from);
      text.focus();
    },
    cancelReply,
  };
}

/** A modal dialog with a title, body and buttons; resolves with the button's value, or '' when dismissed. */
export function ask(
  title: string,
  body: Node[],
  buttons: { label: string; value: string; primary?: boolean; danger?: boolean }[],
): Promise<string> {
  const dialog = h('dialog', { attrs: { 'aria-label': title } });
  const form = h('form', { attrs: { method: 'dialog' } }, h('h2', null, title), ...body);
  const row = h('div', { class: 'dialog-buttons' });
  for (const b of buttons) {
    row.append(
      h(
        'button',
        { class: b.danger ? 'danger' : b.primary ? 'primary' : undefined, attrs: { value: b.value, type: 'submit' } },
        b.label,
      ),
    );
  }
  form.append(row);
  dialog.append(form);
  document.body.append(dialog);
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => {
      resolve(dialog.returnValue);
      dialog.remove();
    });
    dialog.showModal();
    // The safe choice has the focus: Enter on a dangerous dialog cancels.
    (row.querySelector('button:not(.danger)') as HTMLButtonElement | null)?.focus();
  });
}

export async function forward(message: Message, addresses: HTMLSelectElement, actions: Actions): Promise<void> {
  const to = addresses.cloneNode(true) as HTMLSelectElement;
  to.id = 'forward-to';
  to.value = addresses.value;
  const note = h('textarea', {
    attrs: { id: 'forward-note', rows: '2', placeholder: 'A note to go with it (optional)' },
  });
  const answer = await ask(
    `Forward #${message.id}`,
    [
      h('p', null, `From ${sessionLabel(message.sender, message.from, actions.you())}: “${excerpt(message.message)}”`),
      h('label', { attrs: { for: 'forward-to' } }, 'To '),
      to,
      note,
    ],
    [
      { label: 'Cancel', value: '' },
      { label: 'Forward', value: 'forward', primary: true },
    ],
  );
  if (answer !== 'forward') return;
  try {
    const result = await post<{ recipients: string[]; warning?: string }>('/api/forward', {
      id: message.id,
      to: to.value,
      note: note.value,
    });
    actions.say(sentTo(result));
  } catch (error) {
    actions.say(error instanceof Error ? error.message : String(error), true);
  }
}

export async function clearAll(actions: Actions): Promise<void> {
  const answer = await ask(
    'Delete every message?',
    [
      h(
        'p',
        null,
        'This deletes every message and attachment in the relay, read or not, for every session. It cannot be undone.',
      ),
    ],
    [
      { label: 'Cancel', value: '' },
      { label: 'Delete everything', value: 'clear', danger: true },
    ],
  );
  if (answer !== 'clear') return;
  try {
    const result = await post<{ deleted: number }>('/api/clear', {});
    actions.say(`Deleted ${result.deleted} message${result.deleted === 1 ? '' : 's'}.`);
  } catch (error) {
    actions.say(error instanceof Error ? error.message : String(error), true);
  }
}
