// The requests the bridge has sent to the relay and not yet seen answered, and a fetch for the SDK's HTTP client
// transport that notices when the response stream meant to carry their answers ends or breaks first (the relay
// died, the connection dropped). Those requests are then given up at once, so the bridge can answer each with an
// error instead of leaving the client waiting for its own timeout. No logging, no answering: the bridge does that.
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { RequestId } from '@modelcontextprotocol/sdk/types.js';

export interface InFlight {
  /** A request is on its way to the relay. */
  sent(id: RequestId): void;
  /** Its answer came back: true if it was in flight (and now is not). */
  answered(id: RequestId): boolean;
  /** The fetch to give the transport: it watches the body of every POST that carries requests. */
  readonly fetch: FetchLike;
}

/**
 * `lost` is called with the ids still in flight whose response stream ended or failed without their answer. It
 * runs after the stream's last events were handed on (a macrotask later), so an answer that came in the stream's
 * final bytes counts as answered.
 */
export function inFlight(base: FetchLike, lost: (ids: RequestId[]) => void): InFlight {
  const pending = new Set<RequestId>();
  const giveUp = (ids: readonly RequestId[]) => {
    setImmediate(() => {
      const still = ids.filter((id) => pending.delete(id));
      if (still.length > 0) lost(still);
    });
  };
  const fetch: FetchLike = async (url, init) => {
    const ids = init?.method === 'POST' ? requestIds(init.body) : [];
    const response = await base(url, init);
    const type = response.headers.get('content-type') ?? '';
    if (ids.length === 0 || response.body === null || !type.startsWith('text/event-stream')) return response;
    const body = watched(response.body, () => giveUp(ids));
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
  return {
    sent: (id) => void pending.add(id),
    answered: (id) => pending.delete(id),
    fetch,
  };
}

/** The ids of the requests (not notifications or responses) in a JSON-RPC POST body. */
function requestIds(body: unknown): RequestId[] {
  if (typeof body !== 'string') return [];
  try {
    const parsed: unknown = JSON.parse(body);
    return (Array.isArray(parsed) ? parsed : [parsed]).flatMap((m: unknown) => {
      if (typeof m !== 'object' || m === null || !('method' in m) || !('id' in m)) return [];
      const id = (m as { id: unknown }).id;
      return typeof id === 'string' || typeof id === 'number' ? [id] : [];
    });
  } catch {
    return [];
  }
}

/** The same bytes, with `ended` called once when the stream finishes, fails, or is cancelled by its reader. */
function watched(source: ReadableStream<Uint8Array>, ended: () => void): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  let over = false;
  const end = () => {
    if (over) return;
    over = true;
    ended();
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          controller.close();
          end();
        } else {
          controller.enqueue(value);
        }
      } catch (error) {
        controller.error(error);
        end();
      }
    },
    async cancel(reason) {
      end();
      await reader.cancel(reason);
    },
  });
}
