// What every tool, resource and prompt is given: the store, who this process is, a logger, and the notifier if this
// process notifies. Nothing global.
import type { Identity } from '../identity.js';
import type { Logger } from '../log.js';
import type { Notifier } from '../notify/notification.js';
import type { Store } from '../store/store.js';

export interface RelayDeps {
  store: Store;
  identity: Identity;
  log: Logger;
  /** Shows desktop notifications; absent when this process does not notify (--no-notify, or not Desktop). */
  notifier?: Notifier | undefined;
}
