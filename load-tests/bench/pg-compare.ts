// Checks that Sluice and PostgreSQL gave the same answer (a peer answering differently is not
// a comparison), and the side-by-side table of the PostgreSQL peer bench.
import type { AnswerCheck } from './pg-queries.js';

export interface Agreement {
  ok: boolean;
  compared: number;
  onlySluice: number;
  onlyPg: number;
  /** Cells outside their tolerance. */
  off: number;
  /** Largest relative difference over the approximate columns. */
  worst: number;
  text: string;
}

const isoLike = /^\d{4}-\d\d-\d\dT/;

/** A key cell as text: numbers and ISO instants as epoch-ms text, so both sides spell them alike. */
export function keyText(v: unknown): string {
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string' && isoLike.test(v)) return String(Date.parse(v));
  if (typeof v === 'string' && v !== '' && /^-?\d+$/.test(v)) return String(Number(v));
  return String(v ?? '');
}

const toNumber = (v: unknown): number | null => (v === null || v === undefined || v === '' ? null : typeof v === 'string' && isoLike.test(v) ? Date.parse(v) : Number(v));
const rel = (x: number, y: number): number => (x === y ? 0 : Math.abs(x - y) / Math.max(Math.abs(x), Math.abs(y), 1e-12));

/** Rows of a Sluice answer ({columns: [{name}], rows: [[...]]}) as objects. */
export function sluiceRows(answer: { columns?: { name: string }[]; rows?: unknown[][] } | null): Record<string, unknown>[] {
  const names = (answer?.columns ?? []).map((c) => c.name);
  return (answer?.rows ?? []).map((r) => Object.fromEntries(names.map((n, i) => [n, r[i]])));
}

export function compareAnswers(sluice: Record<string, unknown>[], pg: Record<string, unknown>[], check: AnswerCheck): Agreement {
  const key = (r: Record<string, unknown>): string => check.keys.map((k) => keyText(r[k])).join('|');
  const columns = [...check.exact, ...Object.keys(check.approx)];
  const empty = (r: Record<string, unknown>): boolean => columns.every((c) => { const n = toNumber(r[c]); return n === null || n === 0; });
  const isOther = (r: Record<string, unknown>): boolean => check.keys.some((k) => r[k] === '(other)');
  const a = new Map(sluice.filter((r) => !(check.skipOther && isOther(r))).map((r) => [key(r), r]));
  const b = new Map(pg.map((r) => [key(r), r]));
  let onlySluice = 0;
  let onlyPg = 0;
  let compared = 0;
  let off = 0;
  let worst = 0;
  let example = '';
  for (const [k, x] of a) {
    const y = b.get(k);
    if (!y) {
      // Sluice fills empty buckets; PostgreSQL has no row for them.
      if (!empty(x)) onlySluice++;
      continue;
    }
    compared++;
    for (const c of columns) {
      const [u, v] = [toNumber(x[c]), toNumber(y[c])];
      if (u === null || v === null) {
        if ((u ?? 0) !== (v ?? 0)) off++;
        continue;
      }
      const d = rel(u, v);
      const tolerance = check.approx[c] ?? 1e-9;
      if (c in check.approx) worst = Math.max(worst, d);
      if (d > tolerance + 1e-9) {
        off++;
        example ||= `${k} ${c}: ${u} vs ${v}`;
      }
    }
  }
  if (!check.skipOther) for (const [k, y] of b) if (!a.has(k) && !empty(y)) onlyPg++;
  const ok = compared > 0 && onlySluice === 0 && onlyPg === 0 && off === 0;
  const approx = Object.entries(check.approx);
  const parts = [
    `${compared} rows compared`,
    onlySluice ? `${onlySluice} only in Sluice's` : '',
    onlyPg ? `${onlyPg} only in PostgreSQL's` : '',
    check.exact.length ? `${check.exact.join(', ')} equal` : '',
    approx.length ? `${approx.map(([c]) => c).join(', ')} within ${[...new Set(approx.map(([, t]) => `${t * 100}%`))].join('/')} (largest difference ${(worst * 100).toFixed(2)}%)` : '',
    off ? `${off} cells differ (first: ${example})` : '',
    check.skipOther ? '"(other)" not compared' : '',
  ].filter(Boolean);
  return { ok, compared, onlySluice, onlyPg, off, worst, text: `${ok ? 'same' : 'DIFFERENT'}: ${parts.join('; ')}` };
}

export interface SideBySide {
  name: string;
  sluiceSource: string;
  sluiceP50: number;
  sluiceP95: number;
  pgVia: string;
  pgP50: number;
  pgP95: number;
  agreement: string;
}

const fmt = (n: number): string => (Number.isNaN(n) ? '–' : n < 10 ? n.toFixed(1) : Math.round(n).toLocaleString('en-US'));
const ratio = (pg: number, s: number): string => (s > 0 && !Number.isNaN(pg) && !Number.isNaN(s) ? `${(pg / s).toFixed(pg / s < 10 ? 2 : 1)}×` : '–');

/** The table: Sluice and PostgreSQL p50/p95 per query, their ratio, whether the answers agree. */
export function sideBySideTable(rows: SideBySide[]): string {
  const head = '| query | Sluice from | Sluice p50 ms | Sluice p95 ms | PostgreSQL from | PostgreSQL p50 ms | PostgreSQL p95 ms | PostgreSQL / Sluice p50 | p95 | answers |';
  const rule = '| --- | --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | --- |';
  const body = rows.map((r) => `| ${r.name} | ${r.sluiceSource} | ${fmt(r.sluiceP50)} | ${fmt(r.sluiceP95)} | ${r.pgVia} | ${fmt(r.pgP50)} | ${fmt(r.pgP95)} | **${ratio(r.pgP50, r.sluiceP50)}** | ${ratio(r.pgP95, r.sluiceP95)} | ${r.agreement.replace(/\|/g, '\\|')} |`);
  return [head, rule, ...body].join('\n');
}
