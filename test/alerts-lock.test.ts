// Two alert engines sharing one Redis and one store, as two instances of the query service
// would: only the lock holder evaluates, each due evaluation happens once, and when the holder
// dies (stops without letting the lock go) the other takes over once the lock expires.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AlertEngine } from '../query/alerts/engine.js';
import { AlertStore } from '../query/alerts/store.js';
import type { AlertRule } from '../query/alerts/types.js';
import { QueryCache } from '../query/cache.js';
import { QueryService } from '../query/service.js';
import { createLogger } from '../core/logger.js';
import type { Config } from '../core/config.js';
import { startRedis, type RedisHandle } from './helpers/redis.js';
import { startInProcess, type InProcess } from './helpers/sluice.js';
import { until } from './helpers/until.js';

let s: InProcess;
let redis: RedisHandle;
const engines: AlertEngine[] = [];

beforeAll(async () => {
  redis = await startRedis();
  // The process's own engine is off: the two below are the instances under test.
  s = await startInProcess({ alerts: 'off', alertMinIntervalMs: '1s' });
});
afterAll(async () => {
  for (const e of engines) await e.stop();
  await s?.stop();
  await redis?.stop();
});

function engine(): AlertEngine {
  const config: Config = { ...s.sluice.config, redisUrl: redis.url, alertLockTtlMs: 3000, alertTickS: 1 };
  const e = new AlertEngine({ config, store: s.store, service: new QueryService(s.store, config, new QueryCache(config)), log: createLogger('warn') });
  engines.push(e);
  return e;
}

it('one instance evaluates each due rule once; killing it hands over within the lock expiry', async () => {
  const alerts = new AlertStore(s.store);
  const rule: AlertRule = {
    id: 'lock-rule', project: 'default', name: 'every second', severity: 'info', every: '1s', for: '0s', cooldown: '1h', enabled: true,
    query: { kind: 'timeseries', event: 'api_request', aggregations: ['count'], range: '1h', interval: '1m' },
    condition: { type: 'threshold_above', value: 1e9 }, created_at: 0, updated_at: 0, created_by: 'test', updated_by: 'test',
  };
  await alerts.putRule(rule);
  const a = engine();
  const b = engine();
  a.start();
  b.start();
  const recorded = async (): Promise<number> => (await alerts.state('default', rule.id)).evaluations;

  const started = Date.now();
  await until(async () => (await recorded()) >= 6, '6 evaluations', 60_000, 200);
  const holder = a.evaluations > 0 ? a : b;
  const other = holder === a ? b : a;
  expect(other.evaluations).toBe(0);
  // Once per due interval: about one a second, not one per instance.
  const n = await recorded();
  expect(n).toBeLessThanOrEqual(Math.ceil((Date.now() - started) / 1000) + 1);

  // The holder dies: it stops evaluating and never releases; the lock runs out after 3 s.
  await holder.stop({ release: false });
  const before = holder.evaluations;
  const died = Date.now();
  await until(() => other.evaluations >= 3, 'the other instance evaluating', 30_000, 100);
  const handover = Date.now() - died;
  expect(handover).toBeLessThan(3000 + 10_000); // lock expiry, a tick, and generous slack
  expect(holder.evaluations).toBe(before);

  // Every evaluation either instance ran was recorded once, and the state went on from where it was.
  await other.stop();
  expect(await recorded()).toBe(a.evaluations + b.evaluations);
});
