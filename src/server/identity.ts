// Who a relay process (or one HTTP session) speaks for. Tools read it at call time for their defaults.
import type { Reader } from '../store/store.js';

export interface Identity {
  /** The client kind ('desktop', 'code', or another client's name); null without --client: tools then need explicit sender/reader. */
  kind: string | null;
  /** The session name, unique among live sessions; null when this process is not a session. Kept current by the session. */
  name: string | null;
  /** A read-only observer: sees everything, marks nothing, receives nothing. */
  observe: boolean;
}

export const noIdentity: Identity = { kind: null, name: null, observe: false };

/** The reader this identity fetches as, or null when it has no kind or only observes. */
export function readerOf(identity: Identity): Reader | null {
  if (identity.kind === null || identity.observe) return null;
  return { kind: identity.kind, name: identity.name };
}
