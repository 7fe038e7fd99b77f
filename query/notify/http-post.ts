// One HTTP delivery attempt: a 2xx answer is delivered, anything else is an error naming it.

export class DeliveryError extends Error {
  constructor(message: string, readonly status?: number) {
    super(message);
    this.name = 'DeliveryError';
  }
}

export async function post(url: string, body: string, headers: Record<string, string>, signal: AbortSignal): Promise<void> {
  const res = await fetch(url, { method: 'POST', headers, body, signal, redirect: 'error' });
  // The body is read (and dropped) so the connection is free for the next request.
  const text = await res.text().catch(() => '');
  if (res.status < 200 || res.status > 299) {
    throw new DeliveryError(`HTTP ${res.status}${text ? `: ${text.slice(0, 200)}` : ''}`, res.status);
  }
}

/** Where a request went, without path, query or credentials (a Slack URL is itself a secret). */
export function urlTarget(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'invalid URL';
  }
}
