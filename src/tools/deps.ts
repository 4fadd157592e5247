// What every tool, resource and prompt is given: the store, who this process is, and a logger. Nothing global.
import type { Identity } from '../identity.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/store.js';

export interface RelayDeps {
  store: Store;
  identity: Identity;
  log: Logger;
}
