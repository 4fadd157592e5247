// The page's keyboard: / search, c compose, j/k move between messages, r reply, f forward, t thread, m mark your
// mail read, Esc back.
// Keys typed into a field are the field's, except Esc, which leaves it. Nothing fires while a dialog is open.
import type { Message } from './types.js';

export interface KeyActions {
  search(): void;
  compose(): void;
  reply(message: Message): void;
  forward(message: Message): void;
  thread(message: Message): void;
  markRead(): void;
  back(): void;
  lookup(id: number): Message | undefined;
}

/** Focuses the next (step 1) or previous (-1) message in `list`, from the one holding the focus. */
export function moveFocus(list: HTMLElement, step: number): void {
  const articles = [...list.querySelectorAll<HTMLElement>('article.msg')];
  if (articles.length === 0) return;
  const current = articles.indexOf(document.activeElement?.closest('article.msg') as HTMLElement);
  const index =
    current === -1 ? (step > 0 ? 0 : articles.length - 1) : Math.max(0, Math.min(articles.length - 1, current + step));
  articles[index]?.focus();
  articles[index]?.scrollIntoView({ block: 'nearest' });
}

export function keyHandler(list: HTMLElement, actions: KeyActions): (event: KeyboardEvent) => void {
  return (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || document.querySelector('dialog[open]') !== null) return;
    const target = event.target as HTMLElement;
    if (target.closest('input, textarea, select') !== null) {
      if (event.key === 'Escape') target.blur();
      return;
    }
    const article = target.closest<HTMLElement>('article.msg');
    const message = article === null ? undefined : actions.lookup(Number(article.dataset.id));
    const withMessage = (act: (m: Message) => void) => () => message !== undefined && act(message);
    const keys: Record<string, () => void> = {
      '/': actions.search,
      c: actions.compose,
      j: () => moveFocus(list, 1),
      k: () => moveFocus(list, -1),
      r: withMessage(actions.reply),
      f: withMessage(actions.forward),
      t: withMessage(actions.thread),
      m: actions.markRead,
      Escape: actions.back,
    };
    const action = keys[event.key];
    if (action === undefined) return;
    event.preventDefault();
    action();
  };
}
