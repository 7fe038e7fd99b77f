import { MetaEvent, MetaProperty, SluiceApi } from '../sluice-api';

/** How long a meta answer is reused: long enough to cover a session of editing, short enough to see new events. */
export const META_TTL_MS = 60_000;

/** The meta endpoints the editor reads (a subset of SluiceApi, so tests can stub it). */
export type MetaApi = Pick<SluiceApi, 'events' | 'properties' | 'values'>;

export interface MetaCache {
  events(): Promise<MetaEvent[]>;
  properties(event?: string): Promise<MetaProperty[]>;
  values(property: string, event?: string, prefix?: string): Promise<string[]>;
}

interface Entry {
  at: number;
  promise: Promise<unknown>;
}

// One cache per data source instance (keyed by its api object), so two Sluice data sources on
// one dashboard never share answers, and every editor of one instance shares them.
const caches = new WeakMap<MetaApi, MetaCache>();

export function metaCache(api: MetaApi, now: () => number = Date.now): MetaCache {
  let cache = caches.get(api);
  if (!cache) {
    cache = createMetaCache(api, now);
    caches.set(api, cache);
  }
  return cache;
}

export function createMetaCache(api: MetaApi, now: () => number = Date.now): MetaCache {
  const entries = new Map<string, Entry>();

  function cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    const hit = entries.get(key);
    if (hit && now() - hit.at < META_TTL_MS) {
      return hit.promise as Promise<T>;
    }
    const promise = load();
    entries.set(key, { at: now(), promise });
    // A failure is not kept: the next open of the picker asks again.
    promise.catch(() => {
      if (entries.get(key)?.promise === promise) {
        entries.delete(key);
      }
    });
    return promise;
  }

  return {
    events: () => cached('events', () => api.events()),
    properties: (event) => cached(`properties\u0000${event ?? ''}`, () => api.properties(event || undefined)),
    values: (property, event, prefix) =>
      cached(`values\u0000${property}\u0000${event ?? ''}\u0000${prefix ?? ''}`, () =>
        api.values(property, { event: event || undefined, prefix: prefix || undefined, limit: 50 })
      ),
  };
}
