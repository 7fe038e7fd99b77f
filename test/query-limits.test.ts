// The query service's roles, limits and refusals of malformed documents, against a real
// in-process Sluice. Each caller is a fresh JWT subject unless a test is about one caller, so
// that the per-subject rate and concurrency limits of one test never touch another.
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ask, ingestAll, records, type QueryAnswer } from './helpers/query.js';
import { startInProcess, type InProcess } from './helpers/sluice.js';

const HOUR = 3_600_000;
const SECRET = 'limits-test-hs256-secret-0123456789abcdef';
const MAX_BODY = 8 * 1024;

type Role = 'viewer' | 'analyst' | 'admin';
const jwt = (role: Role = 'analyst', sub = `${role}-${randomUUID()}`, projects = ['default']): Promise<string> =>
  new SignJWT({ role, projects }).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setIssuedAt().setExpirationTime('1h').sign(new TextEncoder().encode(SECRET));

/**
 * `n` events straight into the events table (the rollup views see them too): ten steps s0..s9
 * in order per round, rounds spread over the last hour, `users` users with n / 10 / users
 * rounds each. A funnel over them walks every user's whole history, so its cost grows with
 * the square of the events per user.
 */
async function insertRounds(s: InProcess, n: number, users: number): Promise<void> {
  await s.store.command(`INSERT INTO sluice.events (project_id, event, timestamp, event_id, received_at, user_id, session_id, correlation_id, source, properties)
    SELECT 'default', concat('s', toString(number % 10)),
      now64(3) - toIntervalMillisecond(3600010 - (intDiv(number, 10) * 7919) % 3600000 - number % 10),
      generateUUIDv4(), now64(3), concat('u', toString(intDiv(number, 10) % ${users})), '', '', 'test',
      CAST(concat('{"k":"', toString(number), '"}') AS JSON)
    FROM numbers(${n})`);
}
const HEAVY_FUNNEL = { kind: 'funnel', steps: Array.from({ length: 10 }, (_, i) => ({ event: `s${i}` })), range: '24h' };

interface Problem {
  path: string;
  message: string;
}
const problems = (r: QueryAnswer): Problem[] => r.body?.error?.problems ?? [];

/** A 400 SLUICE_E_BAD_QUERY whose problems name every path in `paths` (and whose message names the first). */
function expectBadQuery(r: QueryAnswer, paths: string[], what = ''): void {
  const where = `${what} ${JSON.stringify(r.body)}`;
  expect(r.status, where).toBe(400);
  expect(r.body.error.code, where).toBe('SLUICE_E_BAD_QUERY');
  const got = problems(r).map((p) => p.path);
  for (const p of paths) expect(got, where).toContain(p);
  for (const p of problems(r)) expect(p.message.length, where).toBeGreaterThan(3);
  expect(r.body.error.message, where).toContain(`Invalid query: ${got[0] || '/'}`);
}

describe('roles, rate and concurrency, rows, range, malformed documents', () => {
  let s: InProcess;
  /** Asks as a fresh analyst unless a key is given. */
  const q = async (query: unknown, key?: string, path?: string): Promise<QueryAnswer> => ask(s.queryUrl, key ?? (await jwt()), query, path);
  const base = { kind: 'timeseries', event: 'page', range: '24h' };

  beforeAll(async () => {
    s = await startInProcess({
      jwtSecret: SECRET,
      queryRateLimit: '2',
      queryMaxConcurrent: '1',
      queryMaxRows: '50',
      queryMaxRangeMs: '2d',
      queryMaxBodyBytes: `${MAX_BODY}`,
      // Only the execution-time suite below tests the time limit; a loaded machine must not trip it here.
      queryTimeoutMs: '300s',
    });
    const now = Date.now();
    const page = Array.from({ length: 30 }, (_, i) => ({ event: 'page', timestamp: now - 60_000 - i * 1000, user_id: `p${i % 7}`, properties: { path: `/p${i % 3}` } }));
    const wide = Array.from({ length: 80 }, (_, i) => ({ event: 'wide', timestamp: now - 60_000 - i * 1000, user_id: `w${i}`, properties: { v: `v${i}` } }));
    await ingestAll(s, s.writeKey, [...page, ...wide, ...funnelEvents(now)]);
    await insertRounds(s, 300_000, 1500);
  });
  afterAll(async () => {
    await s?.stop();
  });

  describe('roles', () => {
    it('a viewer may not run queries (403 naming the role); analyst and admin JWTs may', async () => {
      const viewer = await q(base, await jwt('viewer'));
      expect(viewer.status).toBe(403);
      expect(viewer.body.error.code).toBe('SLUICE_E_FORBIDDEN');
      expect(viewer.body.error.message).toBe('Running queries needs role analyst or above; this caller has role viewer');
      // The viewer role is enough for the editors' meta endpoints.
      const meta = await fetch(`${s.queryUrl}/api/v1/meta/events`, { headers: { authorization: `Bearer ${await jwt('viewer')}` } });
      expect(meta.status).toBe(200);
      for (const role of ['analyst', 'admin'] as const) {
        const r = await q(base, await jwt(role));
        expect(r.status, JSON.stringify(r.body)).toBe(200);
        expect(sum(records(r.body).map((x) => x.count))).toBe(30);
      }
    });

    it('the admin token names the project with ?project=', async () => {
      const admin = 'test-admin-token';
      const ok = await q(base, admin, '/api/v1/query?project=default');
      expect(ok.status, JSON.stringify(ok.body)).toBe(200);
      expect(sum(records(ok.body).map((x) => x.count))).toBe(30);
      const missing = await q(base, admin);
      expect(missing.status).toBe(400);
      expect(missing.body.error.message).toMatch(/\?project=<id>/);
      const unknown = await q(base, admin, '/api/v1/query?project=nope');
      expect(unknown.status).toBe(404);
      expect(unknown.body.error.message).toContain('"nope"');
    });

    it('a read key is an analyst of its project; a write key is refused', async () => {
      const read = await q(base, s.readKey);
      expect(read.status).toBe(200);
      const write = await q(base, s.writeKey);
      expect(write.status).toBe(403);
      expect(write.body.error.message).toMatch(/write key/);
    });

    it('no credentials, or credentials that are not a bearer token, are a 401 that says what to send', async () => {
      const none = await fetch(`${s.queryUrl}/api/v1/query`, { method: 'POST', body: JSON.stringify(base) });
      expect(none.status).toBe(401);
      const body = (await none.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('SLUICE_E_UNAUTHORIZED');
      expect(body.error.message).toBe('Missing credentials: send Authorization: Bearer <read key, JWT or admin token>');
      for (const [authorization, message] of [
        ['Basic dXNlcjpwYXNz', /not "Bearer <token>"/],
        ['Bearer slr_not_a_key', /Unknown or revoked key/],
        ['Bearer something-else', /not a read key, a JWT or the admin token/],
        [`Bearer ${await jwt('analyst', 'x').then((t) => `${t.slice(0, -4)}AAAA`)}`, /signature does not verify/],
      ] as const) {
        const r = await fetch(`${s.queryUrl}/api/v1/query`, { method: 'POST', headers: { authorization }, body: JSON.stringify(base) });
        expect(r.status, authorization).toBe(401);
        expect(((await r.json()) as { error: { message: string } }).error.message).toMatch(message);
      }
    });
  });

  describe('rate and concurrency', () => {
    it('a burst over SLUICE_QUERY_RATE_LIMIT gets 429 with Retry-After, RateLimit-* and the limit named; other callers are not held', async () => {
      const key = await jwt();
      // Answers from the cache (filled by another caller first), so that the burst takes
      // milliseconds however loaded the machine is: the gate counts cached answers too.
      const cached = { 'cache-control': 'max-age=0' };
      expect((await ask(s.queryUrl, await jwt(), base, undefined, cached)).status).toBe(200);
      const answers: QueryAnswer[] = [];
      for (let i = 0; i < 8; i++) answers.push(await ask(s.queryUrl, key, base, undefined, cached));
      expect(answers[0].body.meta.cache).toBe('hit');
      const statuses = answers.map((a) => a.status);
      // 2 queries/s with bursts of twice that: four pass, the rest of the burst is refused.
      expect(statuses.slice(0, 4)).toEqual([200, 200, 200, 200]);
      expect(statuses.slice(4)).toEqual([429, 429, 429, 429]);
      expect(answers[0].headers.get('ratelimit-limit')).toBe('4');
      expect(answers[0].headers.get('ratelimit-remaining')).toBe('3');
      const refused = answers[5];
      expect(refused.body.error.code).toBe('SLUICE_E_RATE_LIMITED');
      expect(refused.body.error.message).toMatch(/^Rate limit: 2 queries\/s \(bursts of 4\) for this JWT subject exceeded \(SLUICE_QUERY_RATE_LIMIT\); retry in \d+ s$/);
      const retry = Number(refused.headers.get('retry-after'));
      expect(retry).toBeGreaterThanOrEqual(1);
      expect(retry).toBeLessThanOrEqual(2);
      expect(refused.body.error.retry_after_s).toBe(retry);
      expect(refused.headers.get('ratelimit-limit')).toBe('4');
      expect(refused.headers.get('ratelimit-remaining')).toBe('0');
      expect(Number(refused.headers.get('ratelimit-reset'))).toBeGreaterThanOrEqual(1);
      // Another subject, meanwhile, is not limited.
      expect((await q(base)).status).toBe(200);
      // After Retry-After the same caller passes again.
      await new Promise((r) => setTimeout(r, retry * 1000 + 100));
      expect((await q(base, key)).status).toBe(200);
    });

    it('a second query while the caller\'s slow one runs gets 429 naming SLUICE_QUERY_MAX_CONCURRENT; the slot frees when it ends', async () => {
      const key = await jwt();
      const started = performance.now();
      let done = false;
      const slow = q(HEAVY_FUNNEL, key).then((r) => {
        done = true;
        return { r, at: performance.now() - started };
      });
      // Asked again until the slow query holds the caller's slot (an ask that comes before it
      // is answered and frees the slot at once).
      let second: QueryAnswer | undefined;
      for (let i = 0; i < 20 && !done; i++) {
        await new Promise((r) => setTimeout(r, 100));
        const r = await q(base, key);
        if (r.status !== 200) {
          second = r;
          break;
        }
      }
      const secondAt = performance.now() - started;
      if (!second) throw new Error('the slow query ended before a second one was refused');
      expect(second.status, JSON.stringify(second.body)).toBe(429);
      expect(second.body.error.code).toBe('SLUICE_E_RATE_LIMITED');
      expect(second.body.error.message).toBe('Concurrency limit: 1 queries may run at once for this JWT subject (SLUICE_QUERY_MAX_CONCURRENT); wait for one to finish');
      expect(second.headers.get('retry-after')).toBe('1');
      // Another caller is not refused (its query waits for the engine, then answers).
      const other = q(base);
      const first = await slow;
      expect(first.r.status, JSON.stringify(first.r.body).slice(0, 300)).toBe(200);
      expect(first.r.body.meta.elapsed_ms).toBeGreaterThan(100);
      expect(first.at).toBeGreaterThan(secondAt);
      expect((await other).status).toBe(200);
      // The slot is free again once the slow query answered.
      expect((await q(base, key)).status).toBe(200);
    });
  });

  describe('result rows and range', () => {
    it('a timeseries with more buckets than SLUICE_QUERY_MAX_ROWS is refused with 422 before it runs', async () => {
      const r = await q({ kind: 'timeseries', event: 'page', range: '24h', interval: '1m' });
      expect(r.status).toBe(422);
      expect(r.body.error.code).toBe('SLUICE_E_QUERY_TOO_LARGE');
      // Counted from the document: 24 h of minutes plus the current one.
      expect(r.body.error.message).toBe('1441 buckets × 1 groups is more than 50 rows (SLUICE_QUERY_MAX_ROWS); use a coarser interval or a smaller limit');
      const grouped = await q({ kind: 'timeseries', event: 'page', range: '24h', interval: '1h', group_by: ['path'], limit: 2 });
      expect(grouped.status).toBe(422);
      expect(grouped.body.error.message).toMatch(/^25 buckets × 3 groups is more than 50 rows/);
      const fits = await q({ kind: 'timeseries', event: 'page', range: '24h', interval: '1h' });
      expect(fits.status).toBe(200);
      expect(fits.body.rows).toHaveLength(25);
    });

    it('kind events with a limit above the bound is a 400 on /limit', async () => {
      const r = await q({ kind: 'events', event: 'page', range: '24h', limit: 51 });
      expectBadQuery(r, ['/limit']);
      expect(problems(r)[0].message).toBe('kind events pages at most 50 rows');
      const ok = await q({ kind: 'events', event: 'page', range: '24h', limit: 50 });
      expect(ok.status).toBe(200);
      expect(ok.body.rows).toHaveLength(30);
    });

    // Defect: the default page size (100) is not bounded by SLUICE_QUERY_MAX_ROWS, so every
    // events query that leaves out `limit` is refused, naming a field the caller never sent.
    it('kind events without a limit pages within SLUICE_QUERY_MAX_ROWS', async () => {
      const r = await q({ kind: 'events', event: 'page', range: '24h' });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
    });

    it('a range longer than SLUICE_QUERY_MAX_RANGE is a 400 naming the setting', async () => {
      const r = await q({ ...base, range: '7d' });
      expectBadQuery(r, ['/range']);
      expect(problems(r)[0].message).toMatch(/^covers \d+ days; the longest range is 2 days \(SLUICE_QUERY_MAX_RANGE\)$/);
      const now = Date.now();
      const span = await q({ kind: 'timeseries', event: 'page', from: new Date(now - 3 * 24 * HOUR).toISOString(), to: new Date(now).toISOString(), interval: '1d' });
      expectBadQuery(span, ['/from']);
      expect(problems(span)[0].message).toMatch(/SLUICE_QUERY_MAX_RANGE/);
      expect((await q({ ...base, range: '24h' })).status).toBe(200);
    });

    // Defect: a kind whose default range is over the bound (retention: 30d) is refused with the
    // problem placed on /from, which the document does not have.
    it('a default range over SLUICE_QUERY_MAX_RANGE is reported on /range', async () => {
      const r = await q({ kind: 'retention', start_event: 'page', return_event: 'page' });
      expectBadQuery(r, ['/range']);
    });
  });

  describe('malformed documents', () => {
    it('a body that is not JSON is a 400 saying so', async () => {
      for (const body of ['not json', '{"kind": "timeseries",', "{'kind': 'timeseries'}"]) {
        const r = await q(body);
        expect(r.status, body).toBe(400);
        expect(r.body.error.code).toBe('SLUICE_E_BAD_REQUEST');
        expect(r.body.error.message).toMatch(/not valid JSON/);
      }
    });

    it('a body that is JSON but not an object is a 400 on the document itself', async () => {
      for (const body of [[], [{ kind: 'timeseries' }], 'timeseries', 42, true]) {
        const r = await q(JSON.stringify(body));
        expectBadQuery(r, [''], JSON.stringify(body));
        expect(problems(r)[0].message).toBe('must be object');
      }
      for (const body of ['', '{}', 'null']) {
        const r = await q(body);
        expectBadQuery(r, [''], body);
        expect(problems(r)[0].message).toMatch(/kind/);
      }
    });

    it('an unknown field is named', async () => {
      const r = await q({ ...base, colour: 'red' });
      expectBadQuery(r, ['/colour']);
      expect(problems(r)).toEqual([{ path: '/colour', message: 'is not a field of the query' }]);
      const nested = await q({ ...base, filters: [{ property: 'path', op: 'eq', value: '/p1', case: 'insensitive' }] });
      expect(problems(nested)).toEqual([{ path: '/filters/0/case', message: 'is not a field of /filters/0' }]);
    });

    it('a wrong type for each field is a 400 naming that field', async () => {
      const wrong: [string, unknown, string?][] = [
        ['kind', 5],
        ['kind', 'histogram'],
        ['event', 5],
        ['event', ''],
        ['event', 'e'.repeat(201)],
        ['measure', 5],
        ['measure', 'has space'],
        ['aggregations', 'count'],
        ['aggregations', ['count', 'median'], '/aggregations/1'],
        ['aggregations', []],
        ['aggregations', ['count', 'count']],
        ['range', 7],
        ['range', '2w'],
        ['from', 5],
        ['from', 'yesterday'],
        ['to', true],
        ['interval', 60],
        ['interval', '2m'],
        ['timezone', 0],
        ['timezone', ''],
        ['filters', {}],
        ['filters', [{ property: 'path', op: 'like', value: '/p' }], '/filters/0/op'],
        ['filters', [{ op: 'eq', value: '/p' }], '/filters/0'],
        ['filters', [{ property: 'path', op: 'eq', value: { nested: 1 } }], '/filters/0/value'],
        ['filters', Array.from({ length: 21 }, () => ({ property: 'path', op: 'exists' }))],
        ['group_by', 'path'],
        ['group_by', ['a', 'b', 'c']],
        ['limit', '10'],
        ['limit', 0],
        ['limit', 1.5],
        ['limit', 1001],
        ['compare', 'yesterday'],
        ['compare', true],
        ['source', 'rollup_1d'],
        ['steps', {}],
        ['steps', [{ event: 'a' }, { name: 'b' }], '/steps/1'],
        ['window', 60],
        ['window', '1 hour'],
        ['strict_order', 'yes'],
        ['start_event', 1],
        ['return_event', []],
        ['period', 'month'],
        ['periods', 0],
        ['periods', 91],
        ['cursor', 5],
        ['properties', 'path'],
        ['properties', ['path', 5], '/properties/1'],
      ];
      for (const [field, value, path] of wrong) {
        const r = await q({ ...base, [field]: value });
        expectBadQuery(r, [path ?? `/${field}`], `${field}=${JSON.stringify(value).slice(0, 80)}`);
      }
    });

    it('from without to, to before from, and an unknown time zone are named', async () => {
      const now = Date.now();
      const from = new Date(now - HOUR).toISOString();
      const to = new Date(now).toISOString();
      const kind = { kind: 'timeseries', event: 'page', interval: '1h' };
      expect(problems(await q({ ...kind, from }))).toEqual([{ path: '/to', message: 'from and to go together' }]);
      expect(problems(await q({ ...kind, to }))).toEqual([{ path: '/from', message: 'from and to go together' }]);
      expect(problems(await q({ ...kind, from: to, to: from }))).toEqual([{ path: '/to', message: 'must be after from' }]);
      expect(problems(await q({ ...kind, from: to, to }))).toEqual([{ path: '/to', message: 'must be after from' }]);
      expect(problems(await q({ ...kind, from, to, range: '24h' }))).toEqual([{ path: '/range', message: 'give range or from/to, not both' }]);
      for (const tz of ['Mars/Olympus_Mons', 'UTC+25', 'utc ', 'Europe/Berlin; DROP']) {
        const r = await q({ ...base, timezone: tz });
        expectBadQuery(r, ['/timezone'], tz);
        expect(problems(r)[0].message).toContain(`"${tz}" is not an IANA time zone`);
      }
    });

    it('funnels of 1 and of 21 steps, retention without return_event, in with a scalar, and measured aggregations without a measure are named', async () => {
      const step = (i: number) => ({ event: `f${i}` });
      expectBadQuery(await q({ kind: 'funnel', steps: [step(0)], range: '24h' }), ['/steps']);
      expectBadQuery(await q({ kind: 'funnel', steps: Array.from({ length: 21 }, (_, i) => step(i)), range: '24h' }), ['/steps']);
      expect(problems(await q({ kind: 'funnel', range: '24h' }))).toEqual([{ path: '/steps', message: 'is required for kind funnel (2 or more steps)' }]);
      expect(problems(await q({ kind: 'retention', start_event: 'page', range: '24h' }))).toEqual([{ path: '/return_event', message: 'is required for kind retention' }]);
      expect(problems(await q({ ...base, filters: [{ property: 'path', op: 'in', value: '/p1' }] }))).toEqual([{ path: '/filters/0/value', message: 'in needs an array of values' }]);
      expect(problems(await q({ ...base, filters: [{ property: 'path', op: 'eq', value: ['/p1'] }] }))).toEqual([{ path: '/filters/0/value', message: 'eq needs one value' }]);
      expect(problems(await q({ kind: 'funnel', steps: [{ event: 'a', filters: [{ property: 'x', op: 'not_in', value: 1 }] }, step(1)], range: '24h' }))).toEqual([
        { path: '/steps/0/filters/0/value', message: 'not_in needs an array of values' },
      ]);
      expect(problems(await q({ ...base, aggregations: ['count', 'p95', 'sum'] }))).toEqual([
        { path: '/aggregations/1', message: 'p95 needs a measure (a numeric property)' },
        { path: '/aggregations/2', message: 'sum needs a measure (a numeric property)' },
      ]);
      expect(problems(await q({ kind: 'percentiles', event: 'page', range: '24h' })).map((p) => p.path)).toContain('/measure');
    });

    it('a document with several problems lists all of them', async () => {
      const now = Date.now();
      // Problems of the document's shape, all at once.
      const shape = await q({ kind: 'timeseries', event: 5, limit: 'ten', range: 'week', filters: [{ property: 'bad name', op: 'eq', value: 1 }] });
      expectBadQuery(shape, ['/event', '/limit', '/range', '/filters/0/property']);
      expect(shape.body.error.message).toMatch(/\(and \d+ more\)$/);
      // Problems of meaning, all at once.
      const meaning = await q({
        kind: 'timeseries',
        aggregations: ['p95'],
        timezone: 'Mars/Olympus_Mons',
        filters: [{ property: 'path', op: 'in', value: '/p1' }],
        window: '1h',
        steps: [{ event: 'a' }, { event: 'b' }],
        from: new Date(now - HOUR).toISOString(),
      });
      expectBadQuery(meaning, ['/event', '/aggregations/0', '/filters/0/value', '/timezone', '/window', '/steps', '/to']);
      expect(problems(meaning)).toHaveLength(7);
      expect(meaning.body.error.message).toMatch(/\(and 6 more\)$/);
    });

    // Defect: shape problems (JSON Schema) and problems of meaning are checked in two rounds;
    // a document with both lists only the first kind, so the caller fixes one round and
    // resubmits to learn of the next.
    it('a document with a wrong type and an unknown time zone lists both', async () => {
      const r = await q({ ...base, limit: 'ten', timezone: 'Mars/Olympus_Mons' });
      expectBadQuery(r, ['/limit', '/timezone']);
    });

    it('a body over SLUICE_QUERY_MAX_BODY_BYTES is a 413, declared or streamed', async () => {
      const big = JSON.stringify({ ...base, filters: [{ property: 'path', op: 'in', value: Array.from({ length: 1000 }, (_, i) => `/path-${i}`) }] });
      expect(big.length).toBeGreaterThan(MAX_BODY);
      const declared = await q(big);
      expect(declared.status).toBe(413);
      expect(declared.body.error.code).toBe('SLUICE_E_BODY_TOO_LARGE');
      expect(declared.body.error.message).toBe(`Body of ${big.length} bytes is larger than ${MAX_BODY}`);
      // Without Content-Length (chunked), the bound holds while reading.
      const chunks = [big.slice(0, 4000), big.slice(4000)];
      const res = await fetch(`${s.queryUrl}/api/v1/query`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await jwt()}`, 'content-type': 'application/json' },
        body: new ReadableStream({
          pull(c) {
            const next = chunks.shift();
            if (next === undefined) c.close();
            else c.enqueue(new TextEncoder().encode(next));
          },
        }),
        duplex: 'half',
      } as RequestInit);
      expect(res.status).toBe(413);
      expect(((await res.json()) as { error: { message: string } }).error.message).toBe(`Body is larger than ${MAX_BODY} bytes`);
      // A document just under the bound is read.
      const fits = JSON.stringify({ ...base, filters: [{ property: 'path', op: 'in', value: Array.from({ length: 300 }, (_, i) => `/p${i}`) }] });
      expect(fits.length).toBeLessThan(MAX_BODY);
      expect((await q(fits)).status).toBe(200);
    });
  });

  describe('a 10-step funnel', () => {
    it('answers 10 rows with the users, conversions and times worked out from the events', async () => {
      const steps = Array.from({ length: 10 }, (_, i) => ({ event: `f${i}` }));
      const r = await q({ kind: 'funnel', steps, window: '1h', range: '24h' });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      const rows = records(r.body);
      expect(rows).toHaveLength(10);
      const users = FUNNEL_REACH.reduce<number[]>((acc, reach) => acc.map((n, k) => n + (reach > k ? 1 : 0)), Array(10).fill(0));
      expect(users).toEqual([14, 12, 10, 9, 8, 7, 6, 5, 4, 3]);
      rows.forEach((row, k) => {
        expect(row.step).toBe(k + 1);
        expect(row.event).toBe(`f${k}`);
        expect(row.users).toBe(users[k]);
        expect(row.conversion_from_first).toBeCloseTo(users[k] / users[0], 12);
        expect(row.conversion_from_previous).toBeCloseTo(k === 0 ? 1 : users[k] / users[k - 1], 12);
        expect(row.median_time_to_convert_ms).toBe(k === 0 ? null : GAP_MS);
      });
    });
  });

  describe('an answer over the ClickHouse-side row bound', () => {
    it('a breakdown whose answer has more rows than SLUICE_QUERY_MAX_ROWS is a 422 from ClickHouse', async () => {
      const r = await q({ kind: 'breakdown', event: 'wide', group_by: ['v'], limit: 100, range: '24h' });
      expect(r.status, JSON.stringify(r.body)).toBe(422);
      expect(r.body.error.code).toBe('SLUICE_E_QUERY_TOO_LARGE');
      expect(r.body.error.message).toBe('The answer has more than 50 rows (SLUICE_QUERY_MAX_ROWS)');
    });

    // Defect: after ClickHouse stops a statement part-way (result rows or time over the limit),
    // the embedded connection hands the stopped statement's partial output to the next
    // statement, whoever sent it: that query fails with a 502 JSON parse error.
    it('the next query, from another caller, answers normally', async () => {
      const r = await q(base);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
    });

    it('the service keeps answering', async () => {
      const r = await q({ kind: 'breakdown', event: 'wide', group_by: ['v'], limit: 40, range: '24h' });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body.rows).toHaveLength(41);
      expect(sum(records(r.body).map((x) => x.count))).toBe(80);
    });
  });
});

describe('execution time', () => {
  let s: InProcess;
  beforeAll(async () => {
    s = await startInProcess({ jwtSecret: SECRET, queryRateLimit: '0', queryTimeoutMs: '1s' });
    await insertRounds(s, 1_000_000, 5000);
  });
  afterAll(async () => {
    await s?.stop();
  });

  it('a query ClickHouse cannot finish within SLUICE_QUERY_TIMEOUT is stopped by ClickHouse: 504 SLUICE_E_QUERY_TIMEOUT', async () => {
    const started = performance.now();
    const r = await ask(s.queryUrl, await jwt(), HEAVY_FUNNEL);
    const took = performance.now() - started;
    expect(r.status, JSON.stringify(r.body).slice(0, 300)).toBe(504);
    expect(r.body.error.code).toBe('SLUICE_E_QUERY_TIMEOUT');
    // This code is given only for ClickHouse's own TIMEOUT_EXCEEDED (max_execution_time); the
    // service has no timer of its own. ClickHouse counts from the statement's start.
    expect(r.body.error.message).toBe('The query ran past 1000 ms (SLUICE_QUERY_TIMEOUT) and ClickHouse stopped it');
    expect(took).toBeGreaterThanOrEqual(1000);
  });

  // Defect (see the row bound above): the statement after a stopped one gets its partial output.
  it('the first query after the timeout answers normally', async () => {
    const r = await ask(s.queryUrl, await jwt(), { kind: 'timeseries', event: 's0', range: '24h' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  });

  it('the server stays responsive: health, queries and ingest', async () => {
    const health = await fetch(`${s.queryUrl}/healthz`);
    expect(health.status).toBe(200);
    const r = await ask(s.queryUrl, await jwt(), { kind: 'timeseries', event: 's0', range: '24h', interval: '1h' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(sum(records(r.body).map((x) => x.count))).toBe(100_000);
    await ingestAll(s, s.writeKey, [{ event: 'after_timeout', user_id: 'x' }]);
    const after = await ask(s.queryUrl, await jwt(), { kind: 'events', event: 'after_timeout', range: '1h' });
    expect(after.status).toBe(200);
    expect(after.body.rows).toHaveLength(1);
  });
});

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

// The 10-step funnel's events: twelve users go through steps f0..f(j) a minute apart; one
// more takes f2 outside the one-hour window; one more does f1 before f0.
const GAP_MS = 60_000;
const FUNNEL_REACH: number[] = [...Array.from({ length: 12 }, (_, j) => Math.min(j + 1, 10)), 2, 1];
function funnelEvents(now: number): object[] {
  const out: object[] = [];
  const t0 = now - 3 * HOUR;
  for (let j = 0; j < 12; j++) {
    for (let k = 0; k <= Math.min(j, 9); k++) out.push({ event: `f${k}`, user_id: `fu${j}`, timestamp: t0 + j * 10 + k * GAP_MS });
  }
  out.push({ event: 'f0', user_id: 'late', timestamp: t0 }, { event: 'f1', user_id: 'late', timestamp: t0 + 30 * 60_000 }, { event: 'f2', user_id: 'late', timestamp: t0 + 2 * HOUR });
  out.push({ event: 'f1', user_id: 'reversed', timestamp: t0 }, { event: 'f0', user_id: 'reversed', timestamp: t0 + GAP_MS }, { event: 'f2', user_id: 'reversed', timestamp: t0 + 2 * GAP_MS });
  return out;
}
