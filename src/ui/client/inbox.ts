// The person's own mail: the page shows how much of it waits unread and reads it only when they say so (this
// button, or the m key), up to the newest message the page has shown them. It never reads anyone else's mail.
import { post } from './api.js';
import { h } from './dom.js';
import { USER_KIND } from './message.js';
import type { Directory } from './types.js';

export interface OwnMail {
  button: HTMLButtonElement;
  /** Follows the directory's unread counts for the person (their session and the `user` kind's shared mailbox). */
  update(directory: Directory, you: string): void;
  markRead(): Promise<void>;
}

export function createOwnMail(say: (text: string, error?: boolean) => void, newest: () => number): OwnMail {
  let unread = 0;
  const button = h(
    'button',
    {
      class: 'small mark-read',
      attrs: { type: 'button', hidden: '', 'aria-keyshortcuts': 'm', title: 'Mark your unread mail read (m)' },
      on: { click: () => void markRead() },
    },
    'Mark your mail read',
  );
  const update = (directory: Directory, you: string) => {
    const own = directory.sessions.find((s) => s.live && s.kind === USER_KIND && s.name === you)?.unread ?? 0;
    const shared = directory.kinds.find((k) => k.kind === USER_KIND)?.unread ?? 0;
    unread = own + shared;
    button.hidden = unread === 0;
    button.textContent = `Mark your mail read (${unread})`;
  };
  const markRead = async () => {
    if (unread === 0) return say('No unread mail for You.');
    try {
      const { read } = await post<{ read: number[] }>('/api/read', { up_to: newest() });
      say(`Marked ${read.length} message${read.length === 1 ? '' : 's'} to You read.`);
    } catch (error) {
      say(error instanceof Error ? error.message : String(error), true);
    }
  };
  return { button, update, markRead };
}
