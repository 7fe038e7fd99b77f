// A seeded, deterministic history of a shop for the query benchmark: storefront sessions
// (page views, products, cart, checkout, orders, bookings, support tickets) by a user population
// that keeps coming back, the API requests and errors behind them, and ML jobs; daily and weekly
// seasonality, a slow trend, one sale day and one checkout incident. Rows go straight into the
// `events` table as the ingest sink writes them, so the rollup views fire as in production.
//
//   node --import tsx load-tests/generate-events.ts --events 10000000 --days 90 --project bench --data-dir /var/tmp/sluice-gen
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createStore, type Store } from '../core/clickhouse.js';
import { loadConfig } from '../core/config.js';
import { KeyStore } from '../core/keys.js';
import { migrate } from '../schema/migrate.js';
import { seededRng, type Rng } from '../test/helpers/events.js';
import * as C from './bench/query-catalog.js';
import { sinkPipeline } from './bench/sink-pipeline.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Users seen before the generated range: returning visitors from day one. */
const PREHISTORY_DAYS = 60;
/** Chance that a session is a first visit. */
const NEW_USER_SHARE = 0.22;
/** Returns fall off with the days since a user's first visit as (age + 1) ^ -RETURN_DECAY. */
const RETURN_DECAY = 0.9;

export interface GenerateOptions {
  events: number;
  days: number;
  seed?: number;
  /** Epoch ms the history ends at (exclusive); default now. Same seed and end: same events. */
  end?: number;
}

/** An event as a client sends it (valid against the envelope and the event's schema). */
export interface GeneratedEvent {
  event: string;
  timestamp: number;
  event_id: string;
  user_id: string;
  session_id: string;
  correlation_id: string;
  properties: Record<string, unknown>;
}

export const DEFAULT_SEED = 20261122;

interface Slot {
  start: number;
  end: number;
  weight: number;
  /** Busy-ness 0..1 of the hour (drives latency and errors). */
  load: number;
  sale: boolean;
  incident: boolean;
}

/** Hours of the range with their share of traffic: hour of day x weekday x trend x sale day. */
function slots(start: number, end: number, days: number): Slot[] {
  const saleDay = Math.floor(days * 0.6);
  const incidentAt = start + Math.floor(days * 0.85) * DAY + 15 * HOUR;
  const maxHourly = Math.max(...C.HOURLY);
  const out: Slot[] = [];
  for (let t = Math.floor(start / HOUR) * HOUR; t < end; t += HOUR) {
    const a = Math.max(t, start);
    const b = Math.min(t + HOUR, end);
    if (b <= a) continue;
    const d = new Date(t);
    const sale = Math.floor((a - start) / DAY) === saleDay;
    const hourly = C.HOURLY[d.getUTCHours()];
    const trend = 0.85 + 0.3 * ((a - start) / (end - start));
    out.push({
      start: a,
      end: b,
      weight: hourly * C.WEEKLY[d.getUTCDay()] * trend * (sale ? 1.5 : 1) * ((b - a) / HOUR),
      load: hourly / maxHourly,
      sale,
      incident: a >= incidentAt && a < incidentAt + 3 * HOUR,
    });
  }
  return out;
}

const round = (n: number, digits: number): number => {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
};

/** A fixed pseudo-random 32-bit number per user: stable traits without state. */
function trait(user: number, salt: number): number {
  let h = Math.imul(user ^ salt, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

class History {
  private readonly rng: Rng;
  private readonly seedHex: string;
  private readonly start: number;
  private seq = 0;
  private sessions = 0;
  private readonly pool: number;
  private nextUser: number;
  /** First user id created on each day of the range. */
  private readonly cohortFirst: number[] = [];
  private out: GeneratedEvent[] = [];
  private slot!: Slot;

  constructor(
    private readonly o: Required<GenerateOptions>,
  ) {
    this.rng = seededRng(o.seed);
    this.seedHex = (o.seed & 0xfff).toString(16).padStart(3, '0');
    this.start = o.end - o.days * DAY;
    this.pool = Math.max(200, Math.round(o.events / 150));
    this.nextUser = this.pool;
  }

  *hours(): Generator<GeneratedEvent[]> {
    const all = slots(this.start, this.o.end, this.o.days);
    const total = all.reduce((s, x) => s + x.weight, 0);
    let cumulative = 0;
    let emitted = 0;
    for (const slot of all) {
      cumulative += slot.weight;
      const target = Math.round((this.o.events * cumulative) / total);
      const budget = target - emitted;
      emitted = target;
      if (budget <= 0) continue;
      this.slot = slot;
      this.out = [];
      const hour = new Date(slot.start).getUTCHours();
      const mlShare = hour >= 1 && hour <= 3 ? 0.12 : 0.04;
      const ml = Math.round(budget * mlShare);
      for (let i = 0; i < ml; i++) this.mlJob(hour);
      while (this.out.length < budget) this.session();
      this.out.length = budget;
      yield this.out;
    }
  }

  // --- randomness -------------------------------------------------------------------------

  private pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.rng() * list.length)];
  }
  private int(min: number, max: number): number {
    return min + Math.floor(this.rng() * (max - min + 1));
  }
  private normal(): number {
    return Math.sqrt(-2 * Math.log(1 - this.rng())) * Math.cos(2 * Math.PI * this.rng());
  }
  private logNormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }
  /** Popular items first: index skewed towards 0. */
  private skewed<T>(list: readonly T[], power = 2.2): T {
    return list[Math.floor(list.length * this.rng() ** power)];
  }
  /** An id for a request, order, ticket...: unique because the event sequence number is. */
  private ref(prefix: string): string {
    return prefix + this.seq.toString(36);
  }

  /** UUIDv7 layout: the time, then the seed and a sequence number that makes it unique. */
  private id(ts: number): string {
    const t = ts.toString(16).padStart(12, '0');
    const n = (this.seq++).toString(16).padStart(15, '0');
    return `${t.slice(0, 8)}-${t.slice(8)}-7${this.seedHex}-8${n.slice(0, 3)}-${n.slice(3)}`;
  }

  private emit(event: string, t: number, user: string, session: string, correlation: string, properties: Record<string, unknown>): void {
    const timestamp = Math.round(t);
    if (timestamp >= this.o.end) return; // not happened yet (a later step of a session near the end)
    this.out.push({ event, timestamp, event_id: this.id(timestamp), user_id: user, session_id: session, correlation_id: correlation, properties });
  }

  // --- who ----------------------------------------------------------------------------------

  /** A first-time visitor, or a returning one, more likely the more recently they first came. */
  private user(day: number): number {
    while (this.cohortFirst.length <= day) this.cohortFirst.push(this.nextUser);
    if (this.rng() < NEW_USER_SHARE) return this.nextUser++;
    const span = day + PREHISTORY_DAYS;
    const e = 1 - RETURN_DECAY;
    const age = Math.min(span, Math.floor((1 + this.rng() * ((span + 2) ** e - 1)) ** (1 / e)) - 1);
    if (age > day) return Math.floor(this.rng() * this.pool);
    const c = day - age;
    const first = this.cohortFirst[c];
    const last = c === day ? this.nextUser : this.cohortFirst[c + 1];
    return last > first ? first + Math.floor(this.rng() * (last - first)) : this.nextUser++;
  }

  // --- what they do -------------------------------------------------------------------------

  private session(): void {
    const s = this.slot;
    let t = s.start + this.rng() * (s.end - s.start);
    const day = Math.floor((t - this.start) / DAY);
    const u = this.user(day);
    const user = `u${u}`;
    const session = `s${(this.sessions++).toString(36)}`;
    const region = C.REGIONS[trait(u, 1) % C.REGIONS.length];
    const propensity = 0.5 + (trait(u, 2) % 1000) / 770; // 0.5 .. 1.8
    const step = (minS: number, maxS: number): number => (t += this.int(minS, maxS) * 1000);
    
    let url = '';
    const view = (p: string, title: string, apis: (typeof C.PAGE_APIS)[number][]): void => {
      const corr = this.ref('r');
      const referrer = url === '' ? this.pick(C.REFERRERS) : url;
      url = C.SITE + p;
      this.emit('page_view', t, user, session, corr, { path: p, url, referrer, title, duration_ms: Math.round(this.logNormal(25_000, 1)) });
      if (this.rng() < 0.5) this.api(t, C.PAGE_APIS[5], user, session, corr, region);
      for (const api of apis) this.api(t + 5, api, user, session, corr, region);
      if (this.rng() < 0.004) {
        const [type, message] = this.pick(C.ERROR_KINDS);
        this.emit('error', t + 300, user, session, corr, { message, type, severity: 'warning', endpoint: p, service: 'web', stack: `${type}: ${message}\n    at render (app.js:1:${this.int(100, 9999)})` });
      }
    };

    for (let pages = 1 + Math.floor(-Math.log(1 - this.rng()) * 1.2); pages > 0; pages--) {
      const p = this.pick(C.LANDING_PATHS);
      view(p, p === '/' ? 'Home' : p.slice(1), [p === '/search' ? C.PAGE_APIS[2] : C.PAGE_APIS[0]]);
      step(5, 90);
    }

    const cart: { product: C.Product; quantity: number }[] = [];
    if (this.rng() < 0.55) {
      for (let n = this.int(1, 3); n > 0; n--) {
        const product = this.skewed(C.PRODUCTS);
        view(`/products/${product.slug}`, product.name, [C.PAGE_APIS[1], C.PAGE_APIS[3]]);
        step(10, 150);
        if (this.rng() < 0.2 * propensity) {
          cart.push({ product, quantity: this.rng() < 0.85 ? 1 : 2 });
          this.action('add_to_cart', t, user, session, region, { product_id: product.id, name: product.name, category: product.category, collection: product.collection, price: product.price, quantity: cart[cart.length - 1].quantity, currency: 'EUR' });
          step(5, 60);
        }
      }
    }
    if (cart.length > 0 && this.rng() < 0.55) {
      const value = round(cart.reduce((a, c) => a + c.product.price * c.quantity, 0), 2);
      view('/checkout', 'Checkout', [C.PAGE_APIS[4]]);
      this.action('checkout_started', t + 500, user, session, region, { cart_value: value, items_count: cart.length, currency: 'EUR' });
      step(30, 600);
      if (this.rng() < (s.sale ? 0.72 : 0.62)) {
        // A few buyers come back for their cart hours later (outside a one-hour funnel window).
        if (this.rng() < 0.06) t += this.int(1, 6) * HOUR;
        this.order(t, user, session, region, u, cart, s.sale);
        if (this.rng() < 0.04) this.ticket(t + this.int(1, 72) * HOUR, user, session, region, true);
      }
    }
    if (this.rng() < 0.015) this.booking(t, user, session, region, view);
    if (this.rng() < 0.006) this.ticket(t + 60_000, user, session, region, false);
  }

  private api(t: number, [endpoint, method, service, median]: (typeof C.PAGE_APIS)[number], user: string, session: string, corr: string, region: string): void {
    const s = this.slot;
    let factor = 1 + 0.6 * s.load;
    let p5xx = 0.002 + 0.004 * s.load;
    if (s.incident && service === 'checkout-api') {
      factor *= 3.5;
      p5xx = 0.08;
    }
    let duration = this.logNormal(median * factor, 0.55);
    if (this.rng() < 0.01) duration *= 6; // slow outliers: cold caches, GC pauses
    const r = this.rng();
    const get = method === 'GET';
    const status = r < p5xx ? this.pick([500, 502, 503, 504]) : r < p5xx + 0.025 ? this.pick(get ? [400, 401, 404, 404] : [400, 401, 409, 422]) : get ? (this.rng() < 0.05 ? 304 : 200) : this.rng() < 0.7 ? 201 : 200;
    this.emit('api_request', t, user, session, corr, { endpoint, method, status, duration_ms: round(duration, 1), service, bytes: status === 304 ? 0 : Math.round(this.logNormal(get ? 6000 : 900, 0.8)), region });
    if (status >= 500) {
      const [type, message] = this.pick(C.ERROR_KINDS);
      this.emit('error', t + duration, user, session, corr, { message, type, severity: status === 503 ? 'error' : this.pick(['error', 'error', 'fatal']), endpoint, service, stack: `${type}: ${message}\n    at handler (${service}/src/routes.ts:${this.int(10, 400)}:${this.int(1, 80)})` });
    }
  }

  /** A user action: its event and the API request that served it. */
  private action(event: keyof typeof C.ACTION_APIS, t: number, user: string, session: string, region: string, properties: Record<string, unknown>): void {
    const corr = this.ref('r');
    this.emit(event, t, user, session, corr, properties);
    this.api(t + 2, C.ACTION_APIS[event], user, session, corr, region);
  }

  private order(t: number, user: string, session: string, region: string, u: number, cart: { product: C.Product; quantity: number }[], sale: boolean): void {
    const items = cart.map(({ product, quantity }) => ({ product_id: product.id, name: product.name, category: product.category, collection: product.collection, quantity, price: product.price }));
    const subtotal = items.reduce((a, i) => a + i.price * i.quantity, 0);
    const main = items.reduce((a, i) => (i.price * i.quantity > a.price * a.quantity ? i : a));
    const props: Record<string, unknown> = {
      order_id: this.ref('o'),
      currency: 'EUR',
      category: main.category,
      collection: main.collection,
      payment_method: this.rng() < 0.7 ? C.PAYMENT_METHODS[trait(u, 3) % C.PAYMENT_METHODS.length] : this.pick(C.PAYMENT_METHODS),
      items,
    };
    let discount = 0;
    let shipping = subtotal >= 80 ? 0 : 4.95;
    if (this.rng() < (sale ? 0.6 : 0.22)) {
      const [code, type, amount] = sale ? C.DISCOUNTS[1] : this.pick(C.DISCOUNTS);
      discount = type === 'percentage' ? subtotal * amount : type === 'fixed' ? Math.min(amount, subtotal) : type === 'bogo' ? Math.min(...items.map((i) => i.price)) / 2 : 0;
      if (type === 'free_shipping') shipping = 0;
      Object.assign(props, { discount_code: code, discount_type: type, discount_amount: round(discount, 2) });
    }
    const revenue = round(subtotal - discount + shipping, 2);
    Object.assign(props, { revenue, shipping, tax: round((revenue * 0.19) / 1.19, 2) });
    this.action('order', t, user, session, region, props);
  }

  private ticket(t: number, user: string, session: string, region: string, afterOrder: boolean): void {
    const channel = this.pick(C.CHANNELS);
    const agent = this.pick(C.AGENTS);
    const hour = new Date(t).getUTCHours();
    const night = hour < 6 || hour >= 22 ? 3 : 1;
    const firstResponse = Math.round(this.logNormal(C.FIRST_RESPONSE_MIN[channel] * 60_000 * night, 0.8));
    const r = this.rng();
    const status = r < 0.7 ? 'resolved' : r < 0.85 ? 'closed' : r < 0.93 ? 'pending' : 'open';
    const props: Record<string, unknown> = {
      ticket_id: this.ref('t'),
      channel,
      agent,
      team: afterOrder ? 'returns' : this.pick(C.TEAMS),
      status,
      priority: this.pick(C.PRIORITIES),
    };
    if (status !== 'open') props.first_response_ms = firstResponse;
    if (status === 'resolved' || status === 'closed') {
      const resolution = firstResponse + Math.round(this.logNormal((channel === 'chat' || channel === 'phone' ? 0.5 : 8) * HOUR, 1));
      const skill = ((C.AGENTS.indexOf(agent) * 7) % 5) / 10 - 0.2;
      const score = 4.7 + skill - 0.3 * Math.log2(1 + resolution / HOUR) + 0.6 * this.normal();
      Object.assign(props, { resolution_ms: resolution, satisfaction: Math.max(1, Math.min(5, Math.round(score))) });
    }
    this.action('ticket', t, user, session, region, props);
  }

  private booking(t: number, user: string, session: string, region: string, view: (p: string, title: string, apis: (typeof C.PAGE_APIS)[number][]) => void): void {
    const [venue, price] = this.pick(C.VENUES);
    view(`/tours/${venue}`, `Book a ${venue}`, [C.PAGE_APIS[0]]);
    const lead = Math.round(this.logNormal(21, 0.9));
    const month = new Date(t + lead * DAY).getUTCMonth();
    const season = month === 11 || month === 0 || month === 6 || month === 7 ? 'peak' : month === 1 || month === 5 || month === 8 ? 'high' : month === 2 || month === 9 ? 'shoulder' : 'low';
    const nights = venue === 'event' || venue === 'tour' ? 0 : this.int(1, 7);
    const guests = this.int(1, 4);
    const factor = { low: 0.8, shoulder: 0.95, high: 1.15, peak: 1.4 }[season];
    this.action('booking', t + 20_000, user, session, region, {
      booking_id: this.ref('b'),
      venue_type: venue,
      season,
      value: round(price * factor * Math.max(1, nights) * (venue === 'hotel' || venue === 'apartment' ? 1 : guests), 2),
      currency: 'EUR',
      nights,
      guests,
      lead_time_days: lead,
      status: this.rng() < 0.9 ? 'confirmed' : 'cancelled',
    });
  }

  private mlJob(hour: number): void {
    const s = this.slot;
    const t = s.start + this.rng() * (s.end - s.start);
    // Nightly batch pipelines run 01-03 UTC; the others follow traffic.
    let pipeline = this.pick(C.PIPELINES);
    for (let r = this.rng(), i = 0, acc = 0; i < C.PIPELINES.length; i++) {
      acc += C.PIPELINES[i][3];
      if (r < acc) {
        pipeline = C.PIPELINES[i];
        break;
      }
    }
    if (hour >= 1 && hour <= 3 && this.rng() < 0.4) pipeline = C.PIPELINES[this.rng() < 0.5 ? 4 : 5];
    else if (pipeline[0] === 'demand-forecast') pipeline = C.PIPELINES[0];
    const [name, providers, median] = pipeline;
    const [provider, model] = this.rng() < 0.7 ? providers[0] : providers[1];
    const r = this.rng();
    const failRate = provider === 'self_hosted' ? 0.06 : 0.03;
    const status = r < failRate ? 'failed' : r < failRate + 0.01 ? 'cancelled' : 'succeeded';
    const duration = Math.round(this.logNormal(median * (1 + 0.3 * s.load), 0.7));
    const tokensIn = Math.round(this.logNormal(900, 0.9));
    const tokensOut = Math.round(this.logNormal(180, 0.9));
    const cost = provider === 'self_hosted' ? (duration / HOUR) * 2.4 + ((tokensIn + tokensOut) / 1000) * C.PROVIDER_PRICE.self_hosted : ((tokensIn + tokensOut) / 1000) * C.PROVIDER_PRICE[provider];
    const job = this.ref('j');
    const props: Record<string, unknown> = { job_id: job, pipeline: name, provider, model, status, duration_ms: duration, cost_usd: round(cost, 6), tokens_in: tokensIn, tokens_out: tokensOut };
    if (status === 'failed') props.error = this.pick(['rate limited by provider (429)', 'CUDA out of memory', 'input exceeded context window', 'worker lost heartbeat']);
    this.emit('ml_job', t, '', '', job, props);
  }
}

/** The events, an hour of the range at a time, in hour order. */
export function* generateEvents(o: GenerateOptions): Generator<GeneratedEvent[]> {
  if (!Number.isInteger(o.events) || o.events < 0) throw new Error(`events must be a non-negative integer, got ${o.events}`);
  if (!Number.isInteger(o.days) || o.days < 1) throw new Error(`days must be a positive integer, got ${o.days}`);
  yield* new History({ events: o.events, days: o.days, seed: o.seed ?? DEFAULT_SEED, end: o.end ?? Date.now() }).hours();
}

/** The row the ingest sink would write for this event (ingest/enrich.ts), as one JSONEachRow line. */
export function rowLine(e: GeneratedEvent, project: string): string {
  // Events arrive a moment after they happen; a tenth of them came over the WebSocket.
  const lag = (e.timestamp % 997) + 20;
  return `{"project_id":${JSON.stringify(project)},"event":"${e.event}","timestamp":${e.timestamp},"event_id":"${e.event_id}","received_at":${e.timestamp + lag},"user_id":"${e.user_id}","session_id":"${e.session_id}","correlation_id":"${e.correlation_id}","source":"${lag % 10 === 0 ? 'ws' : 'http'}","properties":${JSON.stringify(e.properties)}}`;
}

export interface LoadOptions extends GenerateOptions {
  project: string;
  /** Rows per insert (default 200,000). */
  batchRows?: number;
  onProgress?: (rows: number, seconds: number) => void;
}

export interface LoadResult {
  rows: number;
  seconds: number;
  rowsPerSecond: number;
  inserts: number;
  seed: number;
  end: number;
}

/**
 * Generates and inserts the events: one insert in flight while the next batch is built (the
 * embedded engine inserts off the JS thread). Each insert carries a dedup token made of the
 * seed, the end and its number, so running the same load again stores nothing twice.
 */
export async function loadEvents(store: Store, o: LoadOptions): Promise<LoadResult> {
  const seed = o.seed ?? DEFAULT_SEED;
  const end = o.end ?? Date.now();
  const batchRows = o.batchRows ?? 200_000;
  const batch = sinkPipeline(store, {
    batchRows,
    token: (n) => `gen-${seed}-${end}-${o.events}-${o.days}-${n}`,
    onInserted: (rows) => o.onProgress?.(rows, (performance.now() - t0) / 1000),
  });
  const t0 = performance.now();
  for (const hour of generateEvents({ ...o, seed, end })) {
    for (const e of hour) batch.push(rowLine(e, o.project));
    if (batch.full()) await batch.flush();
  }
  const { rows, inserts } = await batch.finish();
  const seconds = (performance.now() - t0) / 1000;
  return { rows, seconds, rowsPerSecond: rows / seconds, inserts, seed, end };
}

async function cli(): Promise<void> {
  const { values } = parseArgs({
    options: {
      events: { type: 'string', default: '1000000' },
      days: { type: 'string', default: '90' },
      project: { type: 'string', default: 'bench' },
      'data-dir': { type: 'string' },
      seed: { type: 'string', default: String(DEFAULT_SEED) },
      batch: { type: 'string', default: '200000' },
    },
  });
  const num = (name: keyof typeof values): number => {
    const n = Number(String(values[name]).replace(/_/g, ''));
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer, got "${values[name]}"`);
    return n;
  };
  if (!values['data-dir']) throw new Error('--data-dir is required (an embedded data directory; CLICKHOUSE_URL selects a server instead)');
  const days = num('days');
  // Raw events must outlive the generated range, or TTL merges drop the older ones.
  const config = loadConfig(process.env, { dataDir: path.resolve(values['data-dir']), retentionRawDays: String(Math.max(30, days + 7)) });
  const store = await createStore(config);
  try {
    await migrate(store, config);
    const keys = new KeyStore(store);
    if (!(await keys.projectExists(values.project!))) await keys.createProject(values.project!);
    let last = 0;
    const r = await loadEvents(store, {
      events: num('events'),
      days,
      seed: num('seed'),
      project: values.project!,
      batchRows: num('batch'),
      onProgress: (rows, s) => {
        if (s - last >= 5) {
          last = s;
          console.error(`[generate] ${rows.toLocaleString('en-US')} rows, ${Math.round(rows / s).toLocaleString('en-US')} rows/s`);
        }
      },
    });
    console.log(`${r.rows.toLocaleString('en-US')} events in ${r.seconds.toFixed(1)} s: ${Math.round(r.rowsPerSecond).toLocaleString('en-US')} rows/s (${r.inserts} inserts, seed ${r.seed}, ending ${new Date(r.end).toISOString()})`);
    console.log(`a server reading this directory keeps them with SLUICE_RETENTION_RAW_DAYS=${config.retentionRawDays}`);
  } finally {
    await store.close();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  cli().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
