// The person's own mail: messages addressed to them (their session's mailbox, or the `user` kind's shared one that
// held mail while no page was open) count as read once an open page has been sent them, as any mail client does.
// Nobody else's mail is ever marked: the page only observes the agents' traffic.
import { type HistoryMessage, LIMITS, type Store } from '../store/store.js';
import { USER_KIND } from './api.js';

/** Returns `shown(messages)`: call it with what a page was just sent; it reads the person's new mail, one run at a time. */
export function ownMailReader(store: Store, you: () => string, onError: (error: unknown) => void) {
  let running = false;
  let again = false;
  const unreadForMe = (message: HistoryMessage) =>
    message.recipients.some((d) => d.kind === USER_KIND && d.read_at === null && (d.name === null || d.name === you()));
  const drain = async () => {
    const reader = { kind: USER_KIND, name: you() };
    for (;;) {
      const read = await store.fetch({ reader, limit: LIMITS.maxFetchLimit, unreadOnly: true });
      if (read.length < LIMITS.maxFetchLimit) return;
    }
  };
  const run = () => {
    running = true;
    drain()
      .catch(onError)
      .finally(() => {
        running = false;
        if (again) {
          again = false;
          run();
        }
      });
  };
  return (messages: readonly HistoryMessage[]) => {
    if (!messages.some(unreadForMe)) return;
    if (running) again = true;
    else run();
  };
}
