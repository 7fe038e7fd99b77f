import { createMetaCache, META_TTL_MS, metaCache } from './meta-cache';
import { EVENTS, PROPERTIES, stubApi } from './test-utils';

describe('meta cache', () => {
  it('reuses an answer within its time to live, then asks again', async () => {
    const api = stubApi();
    let now = 1_000;
    const cache = createMetaCache(api, () => now);
    expect(await cache.events()).toEqual(EVENTS);
    now += META_TTL_MS - 1;
    await cache.events();
    expect(api.events).toHaveBeenCalledTimes(1);
    now += 1;
    await cache.events();
    expect(api.events).toHaveBeenCalledTimes(2);
  });

  it('keys properties by event and values by property, event and prefix', async () => {
    const api = stubApi();
    const cache = createMetaCache(api);
    expect(await cache.properties('order')).toEqual(PROPERTIES);
    await cache.properties('order');
    await cache.properties('page_view');
    expect(api.properties.mock.calls).toEqual([['order'], ['page_view']]);
    await cache.values('category', 'order', 'sh');
    await cache.values('category', 'order', 'sh');
    await cache.values('category', 'order', 'h');
    expect(api.values.mock.calls).toEqual([
      ['category', { event: 'order', prefix: 'sh', limit: 50 }],
      ['category', { event: 'order', prefix: 'h', limit: 50 }],
    ]);
  });

  it('does not keep a failure', async () => {
    const api = stubApi();
    api.events.mockRejectedValueOnce(new Error('down'));
    const cache = createMetaCache(api);
    await expect(cache.events()).rejects.toThrow('down');
    expect(await cache.events()).toEqual(EVENTS);
    expect(api.events).toHaveBeenCalledTimes(2);
  });

  it('gives each data source instance its own cache', async () => {
    const a = stubApi();
    const b = stubApi();
    expect(metaCache(a)).toBe(metaCache(a));
    await metaCache(a).events();
    await metaCache(b).events();
    expect(a.events).toHaveBeenCalledTimes(1);
    expect(b.events).toHaveBeenCalledTimes(1);
  });
});
