// Smoke runs of every k6 script in load-tests/ against one Sluice child process: a few seconds
// each at a small rate, thresholds enforced (k6 exits non-zero when one fails). Latency limits get
// a large slack (a shared CI machine says nothing about speed); errors, checks and lost events do
// not. One more run shows the lost-events check failing, one more that run-k6.sh starts its own
// server. k6 is built by scripts/install-k6.sh when missing (go install: minutes the first time).
import { spawn, execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rootPath } from '../core/paths.js';
import { seedOverHttp } from '../load-tests/seed-events.js';
import { spawnSluice, tempDir, type Child } from './helpers/sluice.js';

const run = promisify(execFile);
const RUNNER = rootPath('load-tests', 'run-k6.sh');
const LATENCY_SLACK = '50';

interface Group {
  checks?: Record<string, Check> | Check[];
  groups?: Record<string, Group> | Group[];
}
interface Check {
  name: string;
  passes: number;
  fails: number;
}
interface Summary {
  metrics: Record<string, { count?: number; passes?: number; fails?: number; value?: number }>;
  root_group: Group;
}
interface K6Run {
  code: number | null;
  output: string;
  summary: Summary;
}

let sluice: Child;
let out: string;
const adminToken = 'test-admin-token';

/** The environment without any SLUICE_* variable of the caller, plus `env`. */
function cleanEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SLUICE_') && !k.startsWith('K6_')));
  return { ...base, K6_NO_USAGE_REPORT: 'true', LATENCY_SLACK, ...env };
}

/** Runs `run-k6.sh <script>`; `target: false` leaves the server to run-k6.sh. */
async function k6(script: string, env: Record<string, string>, target: Record<string, string> | false = serverEnv()): Promise<K6Run> {
  const summaryPath = path.join(out, `${path.basename(script, '.js')}-${Date.now()}.json`);
  const proc = spawn('bash', [RUNNER, rootPath('load-tests', script), '--quiet', '--summary-export', summaryPath], {
    env: cleanEnv({ ...(target || {}), ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  proc.stdout.on('data', (d) => (output += d));
  proc.stderr.on('data', (d) => (output += d));
  const code = await new Promise<number | null>((resolve) => proc.once('exit', resolve));
  if (!fs.existsSync(summaryPath)) throw new Error(`k6 wrote no summary (exit ${code}):\n${output}`);
  return { code, output, summary: JSON.parse(fs.readFileSync(summaryPath, 'utf8')) as Summary };
}

function serverEnv(): Record<string, string> {
  return { SLUICE_INGEST_URL: sluice.ingestUrl, SLUICE_QUERY_URL: sluice.queryUrl!, SLUICE_WRITE_KEY: sluice.writeKey, SLUICE_READ_KEY: sluice.readKey };
}

const count = (r: K6Run, metric: string): number => r.summary.metrics[metric]?.count ?? NaN;

/** Checks by name, summed over all groups (setup() has its own). */
function checks(r: K6Run): Map<string, { passes: number; fails: number }> {
  const seen = new Map<string, { passes: number; fails: number }>();
  const walk = (g: Group): void => {
    for (const c of Object.values(g.checks ?? {})) {
      const s = seen.get(c.name) ?? { passes: 0, fails: 0 };
      seen.set(c.name, { passes: s.passes + c.passes, fails: s.fails + c.fails });
    }
    for (const sub of Object.values(g.groups ?? {})) walk(sub);
  };
  walk(r.summary.root_group);
  return seen;
}

/** Exit 0, every acknowledged event stored, and each named check passed at least once, never failed. */
function expectPassed(r: K6Run, expectedChecks: string[]): void {
  expect(r.code, r.output).toBe(0);
  expect(count(r, 'events_acked')).toBeGreaterThan(0);
  expect(count(r, 'events_stored')).toBe(count(r, 'events_acked'));
  expect(count(r, 'events_lost')).toBe(0);
  expect(r.summary.metrics.http_req_failed?.value ?? 0).toBe(0);
  const seen = checks(r);
  for (const name of expectedChecks) {
    expect(seen.get(name)?.passes ?? 0, `check "${name}"\n${r.output}`).toBeGreaterThan(0);
    expect(seen.get(name)?.fails, `check "${name}"\n${r.output}`).toBe(0);
  }
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

beforeAll(async () => {
  // The first build of k6 compiles it from source.
  await run('bash', [rootPath('scripts', 'install-k6.sh')], { env: process.env, timeout: 600_000, maxBuffer: 16 << 20 });
  out = tempDir('sluice-k6-smoke-');
  sluice = await spawnSluice({ env: { SLUICE_QUERY_RATE_LIMIT: '0', SLUICE_QUERY_MAX_CONCURRENT: '64' } });
  // A small shop history for the query mix (tickets, ML jobs, funnel steps).
  const seeded = await seedOverHttp(sluice.ingestUrl, sluice.writeKey, { events: 5000, days: 7 });
  expect(seeded.accepted).toBe(seeded.sent);
}, 660_000);

afterAll(async () => {
  await sluice?.stop();
});

describe('k6 smoke runs', () => {
  it('ingest-http: batches at a constant rate, every acknowledged event stored', async () => {
    const r = await k6('ingest-http.js', { RATE: '5', BATCH: '20', DURATION: '4s' });
    expectPassed(r, ['status is 200', 'all events accepted']);
    expect(count(r, 'events_acked')).toBe(count(r, 'events_sent'));
  });

  it('ingest-single: one event per request', async () => {
    const r = await k6('ingest-single.js', { RATE: '10', DURATION: '4s' });
    expectPassed(r, ['status is 200', 'event accepted']);
    expect(count(r, 'events_acked')).toBe(count(r, 'events_sent'));
  });

  it('ingest-ws: frames over several connections, each answered', async () => {
    const r = await k6('ingest-ws.js', { CONNECTIONS: '3', RATE: '6', BATCH: '20', DURATION: '4s' });
    expectPassed(r, ['connection opened', 'connection lasted the run']);
    expect(count(r, 'ws_frames_sent')).toBeGreaterThan(0);
    expect(count(r, 'ws_frames_unacked')).toBe(0);
    expect(count(r, 'events_acked')).toBe(count(r, 'ws_frames_sent') * 20);
  });

  it('query-mix: every query type answers with rows', async () => {
    const r = await k6('query-mix.js', { RATE: '4', DURATION: '5s' });
    expectPassed(r, ['seed stored', 'status is 200', 'answer has rows']);
    expect(count(r, 'queries_sent')).toBeGreaterThan(0);
  });

  it('soak: ingest and queries side by side', async () => {
    const r = await k6('soak.js', { RATE: '3', BATCH: '20', QUERY_RATE: '2', DURATION: '6s' });
    expectPassed(r, ['status is 200', 'all events accepted', 'answer has rows']);
    expect(count(r, 'queries_sent')).toBeGreaterThan(0);
  });

  it('fails the run when stored events do not match the acknowledged ones', async () => {
    // A read key of another project sees none of the run's events: every acked event is "lost".
    const admin = { Authorization: `Bearer ${adminToken}`, 'Content-Type': 'application/json' };
    const p = await fetch(`${sluice.queryUrl}/api/v1/admin/projects`, { method: 'POST', headers: admin, body: JSON.stringify({ id: 'elsewhere', name: 'elsewhere' }) });
    expect(p.status, await p.text()).toBeLessThan(300);
    const k = await fetch(`${sluice.queryUrl}/api/v1/admin/keys`, { method: 'POST', headers: admin, body: JSON.stringify({ project: 'elsewhere', kind: 'read', name: 'k6-smoke' }) });
    const { key } = (await k.json()) as { key: string };
    const r = await k6('ingest-single.js', { RATE: '5', DURATION: '2s', SLUICE_READ_KEY: key });
    expect(r.code, r.output).toBe(99); // k6: thresholds crossed
    expect(r.output).toMatch(/thresholds on metrics '[^']*events_lost/);
    expect(count(r, 'events_acked')).toBeGreaterThan(0);
    expect(count(r, 'events_stored')).toBe(0);
    expect(count(r, 'events_lost')).toBe(count(r, 'events_acked'));
  });

  it('run-k6.sh starts its own server and finds both keys', async () => {
    const r = await k6('ingest-single.js', { RATE: '5', DURATION: '2s', SLUICE_INGEST_PORT: String(await freePort()), SLUICE_QUERY_PORT: String(await freePort()) }, false);
    expectPassed(r, ['status is 200', 'event accepted']);
    expect(r.output).toMatch(/run-k6: started sluice/);
  });
});
