// Who a relay process speaks for. Set once at start from --client; tools use it for defaults.
import type { ClientKind } from './store/store.js';

export interface Identity {
  /** null when started without --client: tools then need an explicit sender/reader. */
  client: ClientKind | null;
}
