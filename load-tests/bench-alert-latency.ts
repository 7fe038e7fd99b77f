// Alert latency: from the moment breaching events are stored (their ingest request answered
// with ack=stored) to the moment a critical alert's webhook notification arrives at a real
// local receiver. Rules evaluate every BENCH_ALERT_EVERY (default 10s, the shortest allowed by
// default); the aim is under 30 s. Writes its table into docs/BENCHMARKS.md.
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../core/config.js';
import { createLogger } from '../core/logger.js';
import { rootPath } from '../core/paths.js';
import { startSluice } from '../core/runtime.js';
import { tempDir } from '../test/helpers/sluice.js';
import { markers, writeBlock } from './bench/doc-block.js';
import { loadAverage, machine } from './bench/proc.js';

const TRIALS = Number(process.env.BENCH_ALERT_TRIALS ?? 8);
const EVERY = process.env.BENCH_ALERT_EVERY ?? '10s';
const { start: START, end: END } = markers('alerts');
const ADMIN = crypto.randomBytes(16).toString('hex');

interface Delivery {
  at: number;
  body: { state: string; rule: { id: string } };
}

async function receiver(): Promise<{ url: string; deliveries: Delivery[]; close(): void }> {
  const deliveries: Delivery[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      deliveries.push({ at: Date.now(), body: JSON.parse(body) as Delivery['body'] });
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, deliveries, close: () => server.close() };
}

async function call(base: string, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${base}${path}${path.includes('?') ? '&' : '?'}project=default`, {
    method,
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

const pct = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];

async function main(): Promise<void> {
  const config = loadConfig(process.env, { dataDir: tempDir('sluice-bench-alerts-'), ingestPort: '0', queryPort: '0', logLevel: 'warn', adminToken: ADMIN, queryRateLimit: '0' });
  const sluice = await startSluice(config, { ingest: true, query: true }, createLogger('warn'));
  const hook = await receiver();
  const ingestUrl = `http://127.0.0.1:${sluice.ingestPort}`;
  const queryUrl = `http://127.0.0.1:${sluice.queryPort}`;
  const writeKey = sluice.bootstrapKeys?.write as string;
  const latencies: number[] = [];
  try {
    await call(queryUrl, 'PUT', '/api/v1/alerts/channels', { webhook: { url: hook.url, secret: crypto.randomBytes(24).toString('hex') }, routing: { critical: ['webhook'], warning: ['webhook'], info: ['in_app'] } });
    for (let trial = 0; trial < TRIALS; trial++) {
      const event = `checkout_failed_${trial}`;
      // Known before the rule exists, so validation accepts the event name.
      await fetch(`${ingestUrl}/v1/events?ack=stored`, { method: 'POST', headers: { authorization: `Bearer ${writeKey}` }, body: JSON.stringify({ event, timestamp: Date.now() - 3_600_000 }) });
      const rule = await call(queryUrl, 'POST', '/api/v1/alerts/rules', {
        name: `checkout failures ${trial}`,
        query: { kind: 'timeseries', event, aggregations: ['count'], range: '1h', interval: '1h' },
        condition: { type: 'threshold_above', value: 20 },
        severity: 'critical',
        every: EVERY,
        for: '0s',
      });
      // Land at a random point of the evaluation cycle, as real incidents do.
      await new Promise((r) => setTimeout(r, Math.random() * 10_000));
      const res = await fetch(`${ingestUrl}/v1/events?ack=stored`, {
        method: 'POST',
        headers: { authorization: `Bearer ${writeKey}`, 'content-type': 'application/x-ndjson' },
        body: Array.from({ length: 50 }, () => JSON.stringify({ event })).join('\n'),
      });
      if (res.status !== 200) throw new Error(`ingest: ${res.status}`);
      const stored = Date.now();
      const deadline = stored + 120_000;
      let got: Delivery | undefined;
      while (!got && Date.now() < deadline) {
        got = hook.deliveries.find((d) => d.body.rule?.id === rule.id && d.body.state === 'firing');
        if (!got) await new Promise((r) => setTimeout(r, 50));
      }
      if (!got) throw new Error(`trial ${trial}: no notification within 120 s`);
      latencies.push(got.at - stored);
      console.log(`[bench:alerts] trial ${trial + 1}/${TRIALS}: ${got.at - stored} ms`);
      await call(queryUrl, 'DELETE', `/api/v1/alerts/rules/${rule.id}`);
    }
  } finally {
    hook.close();
    await sluice.stop();
  }
  const sorted = [...latencies].sort((a, b) => a - b);
  const m = machine();
  const block = [
    START,
    '',
    '| rule evaluation interval | trials | p50 ms | p95 ms | max ms | aim |',
    '| --- | ---: | ---: | ---: | ---: | --- |',
    `| ${EVERY} | ${TRIALS} | ${pct(sorted, 0.5)} | ${pct(sorted, 0.95)} | ${sorted[sorted.length - 1]} | under 30,000 ms: **${sorted[sorted.length - 1] < 30_000 ? 'met' : 'not met'}** |`,
    '',
    `- From the ingest answer (\`ack=stored\`) of 50 breaching events to a critical alert's webhook notification arriving at a local receiver; events land at a random point of the evaluation cycle. The latency is about one evaluation interval at most plus the query and the delivery.`,
    `- ${m.cores} cores (${m.cpuModel}), ${m.memoryGb} GB; load average ${loadAverage()}; ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC.`,
    '',
    'Reproduce: `npm run bench:alerts` (`BENCH_ALERT_TRIALS`, `BENCH_ALERT_EVERY`).',
    '',
    END,
  ].join('\n');
  console.log(block);
  writeBlock(rootPath('docs', 'BENCHMARKS.md'), 'alerts', block, '## Alerts (`npm run bench:alerts`)');
}

await main();
