// Requests to the page's own server. State changes carry the CSRF token from the page's meta tag; errors come
// back as the server's sentence.

const csrf = document.querySelector('meta[name="relay-csrf"]')?.getAttribute('content') ?? '';

export class RequestError extends Error {}

async function reply<T>(response: Response): Promise<T> {
  const body = (await response.json().catch(() => ({}))) as { error?: string };
  if (!response.ok) throw new RequestError(body.error ?? `The relay answered ${response.status}.`);
  return body as T;
}

export async function get<T>(path: string, params: Record<string, string | number | undefined> = {}): Promise<T> {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined) query.set(name, String(value));
  const text = query.toString();
  return reply<T>(await fetch(text === '' ? path : `${path}?${text}`, { credentials: 'same-origin' }));
}

export async function post<T>(path: string, body: unknown): Promise<T> {
  return reply<T>(
    await fetch(path, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-Relay-CSRF': csrf },
      body: JSON.stringify(body),
    }),
  );
}

/** A file as base64, for the send request. */
export function base64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const url = String(reader.result);
      resolve(url.slice(url.indexOf(',') + 1));
    };
    reader.onerror = () => reject(reader.error ?? new Error(`cannot read ${file.name}`));
    reader.readAsDataURL(file);
  });
}
