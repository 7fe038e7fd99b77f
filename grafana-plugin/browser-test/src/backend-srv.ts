import type { BackendSrv, BackendSrvRequest, FetchError, FetchResponse } from '@grafana/runtime';
import { lastValueFrom, Observable } from 'rxjs';

// Grafana's BackendSrv on window.fetch: an Observable of FetchResponse, and failures shaped as
// FetchError (status, statusText, data) so that isFetchError and the plugin's error mapping work.

function requestUrl(options: BackendSrvRequest): string {
  const params = options.params as Record<string, unknown> | undefined;
  if (!params) {
    return options.url;
  }
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    for (const v of Array.isArray(value) ? value : [value]) {
      if (v !== undefined && v !== null) {
        query.append(name, String(v));
      }
    }
  }
  const qs = query.toString();
  return qs ? `${options.url}${options.url.includes('?') ? '&' : '?'}${qs}` : options.url;
}

function body(options: BackendSrvRequest, headers: Record<string, string>): BodyInit | undefined {
  const data = options.data as unknown;
  if (data === undefined || data === null) {
    return undefined;
  }
  if (typeof data === 'string' || data instanceof FormData || data instanceof Blob || data instanceof ArrayBuffer) {
    return data as BodyInit;
  }
  headers['Content-Type'] ??= 'application/json';
  return JSON.stringify(data);
}

declare global {
  interface Window {
    /** Requests under way: the tests wait for none before reading what a panel shows. */
    __sluicePending?: number;
    /** Every request made, in order, so a view can tell which requests a panel made. */
    __sluiceRequests?: Array<{ method: string; url: string; data?: unknown }>;
  }
}
window.__sluicePending = 0;
window.__sluiceRequests = [];

function fetchObservable<T>(options: BackendSrvRequest): Observable<FetchResponse<T>> {
  return new Observable<FetchResponse<T>>((subscriber) => {
    const controller = new AbortController();
    let done = false;
    const finish = () => {
      if (!done) {
        done = true;
        window.__sluicePending = (window.__sluicePending ?? 1) - 1;
      }
    };
    window.__sluicePending = (window.__sluicePending ?? 0) + 1;
    window.__sluiceRequests?.push({ method: options.method ?? 'GET', url: options.url, data: options.data });
    const headers: Record<string, string> = { Accept: 'application/json', ...(options.headers ?? {}) };
    const url = requestUrl(options);
    window
      .fetch(url, { method: options.method ?? 'GET', headers, body: body(options, headers), signal: controller.signal })
      .then(async (res) => {
        const text = await res.text().finally(finish);
        let data: unknown = text;
        try {
          data = text ? JSON.parse(text) : text;
        } catch {
          // not JSON: the text itself
        }
        if (!res.ok) {
          const error: FetchError = { status: res.status, statusText: res.statusText, data, config: options };
          subscriber.error(error);
          return;
        }
        subscriber.next({
          data: data as T,
          status: res.status,
          statusText: res.statusText,
          ok: res.ok,
          headers: res.headers,
          redirected: res.redirected,
          type: res.type,
          url: res.url,
          config: options,
        });
        subscriber.complete();
      })
      .catch((err: unknown) => {
        finish();
        if (controller.signal.aborted) {
          return;
        }
        const error: FetchError = {
          status: 0,
          statusText: String((err as Error)?.message ?? err),
          data: { message: String((err as Error)?.message ?? err) },
          config: options,
        };
        subscriber.error(error);
      });
    return () => {
      finish();
      controller.abort();
    };
  });
}

export function createBackendSrv(): BackendSrv {
  const request = <T>(options: BackendSrvRequest) => lastValueFrom(fetchObservable<T>(options)).then((r) => r.data);
  return {
    fetch: fetchObservable,
    request,
    datasourceRequest: <T>(options: BackendSrvRequest) => lastValueFrom(fetchObservable<T>(options)),
    get: (url: string, params?: unknown, _requestId?: string, options?: Partial<BackendSrvRequest>) =>
      request({ ...options, url, params: params as Record<string, unknown> | undefined, method: 'GET' }),
    delete: (url: string, data?: unknown, options?: Partial<BackendSrvRequest>) =>
      request({ ...options, url, data, method: 'DELETE' }),
    post: (url: string, data?: unknown, options?: Partial<BackendSrvRequest>) =>
      request({ ...options, url, data, method: 'POST' }),
    patch: (url: string, data?: unknown, options?: Partial<BackendSrvRequest>) =>
      request({ ...options, url, data, method: 'PATCH' }),
    put: (url: string, data?: unknown, options?: Partial<BackendSrvRequest>) =>
      request({ ...options, url, data, method: 'PUT' }),
    chunked: () => {
      throw new Error('chunked requests are not used by these plugins');
    },
  } as BackendSrv;
}
