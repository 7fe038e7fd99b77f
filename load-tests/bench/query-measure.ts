// Times queries over HTTP, one at a time, always past the result cache (Cache-Control: no-cache),
// and keeps what the answers say about themselves (meta.source, meta.rows_read, meta.elapsed_ms).
import { percentile } from './generators.js';
import type { QueryCase } from './query-cases.js';

export interface Answer {
  status: number;
  ms: number;
  body: any;
  text: string;
}

export interface Timing {
  case: QueryCase;
  latenciesMs: number[];
  serverMs: number[];
  /** Tables that answered (the summary runs several queries: how many each). */
  sources: Map<string, number>;
  /** Queries behind one answer (the summary's meta.queries), else null. */
  queries: number | null;
  rowsRead: number | null;
  answerRows: number | null;
  failures: Map<string, number>;
  /** The last good answer (for checks). */
  last: any;
}

export interface Summary {
  name: string;
  source: string;
  p50Ms: number;
  p95Ms: number;
  serverP50Ms: number | null;
  rowsRead: number | null;
  answerRows: number | null;
  queries: number | null;
  runs: number;
  failures: string[];
  aim?: QueryCase['aim'];
}

export class QueryClient {
  constructor(
    readonly baseUrl: string,
    private readonly readKey: string,
  ) {}

  async send(c: QueryCase): Promise<Answer> {
    const headers: Record<string, string> = { Authorization: `Bearer ${this.readKey}`, 'Cache-Control': 'no-cache' };
    const t0 = performance.now();
    const res = c.section
      ? await fetch(`${this.baseUrl}/api/v1/dashboard/summary?sections=${encodeURIComponent(c.section)}`, { headers })
      : await fetch(`${this.baseUrl}/api/v1/query`, { method: 'POST', headers: { ...headers, 'Content-Type': 'application/json' }, body: JSON.stringify(c.body) });
    const text = await res.text();
    const ms = performance.now() - t0;
    let body: unknown = null;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: the failure keeps the text
    }
    return { status: res.status, ms, body, text };
  }
}

/** Every value of `key` anywhere in a JSON value (the summary nests one answer per panel). */
function collect(v: unknown, key: string, out: unknown[] = []): unknown[] {
  if (Array.isArray(v)) for (const x of v) collect(x, key, out);
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (k === key) out.push(x);
      else collect(x, key, out);
    }
  }
  return out;
}

const sumOf = (v: unknown, key: string): number | null => {
  const nums = collect(v, key).filter((x): x is number => typeof x === 'number');
  return nums.length ? nums.reduce((a, b) => a + b, 0) : null;
};

/** Why an answer does not count as a good one, or null. */
export function problem(a: Answer): string | null {
  if (a.status !== 200) {
    const err = a.body?.error;
    return `HTTP ${a.status}${err ? ` ${err.code ?? ''}: ${String(err.message ?? '').slice(0, 200)}` : `: ${a.text.slice(0, 200)}`}`;
  }
  if (a.body === null) return 'answer is not JSON';
  if (a.body.sections) {
    const sections = Object.values(a.body.sections as Record<string, unknown>);
    return sections.length > 0 && sections.every((x) => x && typeof x === 'object' && Object.keys(x).length > 0) ? null : 'summary has an empty section';
  }
  if (!Array.isArray(a.body.rows)) return 'answer has no rows array';
  if (a.body.rows.length === 0) return 'answer has no rows';
  return null;
}

export function newTiming(c: QueryCase): Timing {
  return { case: c, latenciesMs: [], serverMs: [], sources: new Map(), queries: null, rowsRead: null, answerRows: null, failures: new Map(), last: null };
}

export function record(t: Timing, a: Answer): void {
  const why = problem(a);
  if (why) {
    t.failures.set(why, (t.failures.get(why) ?? 0) + 1);
    return;
  }
  t.latenciesMs.push(a.ms);
  t.last = a.body;
  const meta = a.body?.meta ?? {};
  t.sources.clear();
  if (typeof meta.source === 'string') t.sources.set(meta.source, 1);
  else if (meta.sources && typeof meta.sources === 'object') for (const [k, v] of Object.entries(meta.sources)) t.sources.set(k, Number(v));
  if (typeof meta.elapsed_ms === 'number') t.serverMs.push(meta.elapsed_ms);
  t.queries = typeof meta.queries === 'number' ? meta.queries : null;
  t.rowsRead = typeof meta.rows_read === 'number' ? meta.rows_read : sumOf(a.body, 'rows_read');
  const rows = collect(a.body, 'rows').filter(Array.isArray) as unknown[][];
  t.answerRows = Array.isArray(a.body.rows) ? a.body.rows.length : rows.length ? rows.reduce((n, r) => n + r.length, 0) : null;
}

export function summarize(t: Timing): Summary {
  const sorted = [...t.latenciesMs].sort((a, b) => a - b);
  const server = [...t.serverMs].sort((a, b) => a - b);
  return {
    name: t.case.name,
    source: t.sources.size === 0 ? '?' : t.queries === null && t.sources.size === 1 ? [...t.sources.keys()][0] : [...t.sources].sort().map(([k, n]) => `${k} ×${n}`).join(', '),
    p50Ms: percentile(sorted, 50),
    p95Ms: percentile(sorted, 95),
    serverP50Ms: server.length ? percentile(server, 50) : null,
    rowsRead: t.rowsRead,
    answerRows: t.answerRows,
    queries: t.queries,
    runs: t.latenciesMs.length,
    failures: [...t.failures].map(([why, n]) => `${n}× ${why}`),
    aim: t.case.aim,
  };
}

/**
 * Warm-up runs of every case, then `runs` rounds; each round asks every case once, so the cases
 * share whatever else the machine is doing.
 */
export async function measure(client: QueryClient, cases: QueryCase[], runs: number, warmup: number, log: (m: string) => void): Promise<Timing[]> {
  const timings = cases.map(newTiming);
  for (const t of timings) {
    for (let i = 0; i < warmup; i++) {
      const a = await client.send(t.case);
      const why = problem(a);
      if (why) {
        log(`${t.case.name}: warm-up answer ${why}`);
        break;
      }
    }
  }
  for (let r = 0; r < runs; r++) {
    for (const t of timings) record(t, await client.send(t.case));
    if ((r + 1) % 10 === 0 || r + 1 === runs) log(`round ${r + 1}/${runs}`);
  }
  return timings;
}
