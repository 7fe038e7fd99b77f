// Seed data for the provisioned Grafana dashboards (grafana-plugin/provisioning): a few thousand
// events over the six hours before `now`, covering every panel of system health, business, ML
// pipelines and support. Deterministic for a given (now, seed), ids included, so a browser test
// and a query test see the same numbers. Every event is valid against its schema/events schema.
import type { InProcess } from './sluice.js';
import { int, pick, seededRng, type Rng } from './events.js';
import { ingestAll } from './query.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
export const SEED_SPAN_MS = 6 * HOUR;

export interface SeedEvent {
  event: string;
  event_id: string;
  timestamp: number;
  user_id: string;
  session_id?: string;
  properties: Record<string, unknown>;
}

/** Event names in the seed: the shipped types plus the checkout steps of the shop's funnel. */
export const SEED_EVENTS = ['page_view', 'add_to_cart', 'checkout_started', 'order', 'api_request', 'error', 'ml_job', 'ticket'] as const;

/** Endpoints with their median latency (ms): the slow ones stand out in the health dashboard. */
export const SEED_ENDPOINTS: readonly (readonly [string, string, number])[] = [
  ['/products/:slug', 'GET', 40],
  ['/search', 'GET', 120],
  ['/cart', 'POST', 60],
  ['/checkout', 'POST', 450],
  ['/orders/:id', 'GET', 80],
  ['/recommendations', 'GET', 900],
];
const STATUSES = [200, 200, 200, 200, 200, 200, 200, 201, 204, 301, 400, 404, 500, 502, 503];
const REGIONS = ['eu-west-1', 'eu-central-1', 'us-east-1'];
const ERROR_KINDS: readonly (readonly [string, string])[] = [
  ['TypeError', "Cannot read properties of undefined (reading 'total')"],
  ['ECONNRESET', 'socket hang up'],
  ['TimeoutError', 'upstream timed out after 5000 ms'],
  ['ValidationError', 'cart item quantity must be positive'],
];
const SEVERITIES = ['warning', 'error', 'error', 'fatal'];

export const SEED_PRODUCTS = [
  { id: 'sku_1001', name: 'Trail Runner', category: 'shoes', collection: 'winter-2026', price: 109.9 },
  { id: 'sku_1002', name: 'City Sneaker', category: 'shoes', collection: 'basics', price: 79.5 },
  { id: 'sku_2001', name: 'Oxford Shirt', category: 'shirts', collection: 'basics', price: 49 },
  { id: 'sku_2002', name: 'Linen Shirt', category: 'shirts', collection: 'summer-2026', price: 59 },
  { id: 'sku_3001', name: 'Weekender Bag', category: 'bags', collection: 'winter-2026', price: 149 },
  { id: 'sku_3002', name: 'Tote', category: 'bags', collection: 'basics', price: 35 },
  { id: 'sku_4001', name: 'Wool Beanie', category: 'accessories', collection: 'winter-2026', price: 25 },
  { id: 'sku_4002', name: 'Wool Socks', category: 'accessories', collection: 'basics', price: 9.5 },
] as const;
const PAYMENTS = ['card', 'card', 'card', 'paypal', 'paypal', 'apple_pay', 'klarna', 'gift_card'];
const CODES: readonly (readonly [string, 'percentage' | 'fixed' | 'free_shipping'])[] = [
  ['WELCOME10', 'percentage'],
  ['WINTER20', 'percentage'],
  ['FIVEOFF', 'fixed'],
  ['FREESHIP', 'free_shipping'],
];
const LANDING = ['/', '/search', '/pricing', '/blog/winter-guide'];

const PIPELINES = ['support-summaries', 'product-embeddings', 'fraud-scoring', 'search-rerank'];
const MODELS: Record<string, readonly string[]> = {
  openai: ['gpt-4o-mini', 'text-embedding-3-small'],
  anthropic: ['claude-sonnet-4-5', 'claude-haiku-4-5'],
  aws: ['xgboost-fraud-v3'],
  self_hosted: ['bge-reranker-v2'],
};
const PROVIDERS = Object.keys(MODELS);
const LLM_PROVIDERS = new Set(['openai', 'anthropic']);
const JOB_STATUSES = ['succeeded', 'succeeded', 'succeeded', 'succeeded', 'succeeded', 'failed', 'cancelled', 'queued', 'running'];

const CHANNELS = ['email', 'chat', 'phone', 'social', 'web'] as const;
const AGENTS = Array.from({ length: 8 }, (_, i) => `agent_${String(i + 1).padStart(2, '0')}`);
const TEAMS = ['billing', 'shipping', 'returns'];
const TICKET_STATUSES = ['open', 'pending', 'resolved', 'resolved', 'closed'] as const;
const PRIORITIES = ['low', 'normal', 'normal', 'high', 'urgent'];

const round2 = (x: number): number => Math.round(x * 100) / 100;

/** A UUID (version 4 layout) from the seeded generator, so ids repeat with the seed. */
function uuid(rng: Rng): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(rng() * 16).toString(16));
  hex[12] = '4';
  hex[16] = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Latency around a median, with a long tail (log-normal-ish, from two uniforms). */
function latency(rng: Rng, median: number): number {
  const z = Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  return round2(median * Math.exp(0.6 * z));
}

class Generator {
  readonly events: SeedEvent[] = [];
  private readonly start: number;
  constructor(
    private readonly rng: Rng,
    private readonly now: number
  ) {
    this.start = now - SEED_SPAN_MS;
  }

  /** A time in the seed's span, never after now. */
  private at(t: number): number {
    return Math.min(Math.max(Math.round(t), this.start), this.now - 1);
  }

  private emit(event: string, t: number, user: string, properties: Record<string, unknown>, session?: string): void {
    const e: SeedEvent = { event, event_id: uuid(this.rng), timestamp: this.at(t), user_id: user, properties };
    if (session) e.session_id = session;
    this.events.push(e);
  }

  private randomTime(): number {
    return this.start + this.rng() * (SEED_SPAN_MS - MIN);
  }

  apiRequest(t: number, user: string): void {
    const r = this.rng;
    const [endpoint, method, median] = pick(r, SEED_ENDPOINTS);
    const status = pick(r, STATUSES);
    const props: Record<string, unknown> = { endpoint, method, status, duration_ms: latency(r, status >= 500 ? median * 3 : median), service: endpoint === '/checkout' ? 'checkout-api' : 'shop-api', region: pick(r, REGIONS) };
    if (status < 300) props.bytes = int(r, 200, 60_000);
    this.emit('api_request', t, user, props);
    if (status >= 500 && r() < 0.6) {
      const [type, message] = pick(r, ERROR_KINDS);
      this.emit('error', t + 5, user, { message, type, severity: pick(r, SEVERITIES), endpoint, service: props.service, stack: `${type}: ${message}\n    at handler (server.js:${int(r, 10, 900)}:${int(r, 1, 80)})` });
    }
  }

  /** A visit: landing pages, perhaps products, cart, checkout and an order, each step rarer. */
  visit(n: number): void {
    const r = this.rng;
    const user = `u${n}`;
    const session = `s${n}`;
    // Visits start early enough to finish (orders included) before now.
    let t = this.start + r() * (SEED_SPAN_MS - 30 * MIN);
    const view = (path: string, title: string): void => {
      this.emit('page_view', t, user, { path, url: `https://shop.example.com${path}`, referrer: pick(r, ['', 'https://www.google.com/', 'https://news.example.org/']), title, duration_ms: int(r, 2_000, 90_000) }, session);
      this.apiRequest(t + 20, user);
      t += int(r, 5, 90) * 1000;
    };
    for (let pages = int(r, 1, 2); pages > 0; pages--) view(pick(r, LANDING), 'Example Shop');
    if (r() > 0.7) return;
    const cart: { product: (typeof SEED_PRODUCTS)[number]; quantity: number }[] = [];
    for (let k = int(r, 1, 3); k > 0; k--) {
      const product = pick(r, SEED_PRODUCTS);
      view(`/products/${product.id}`, product.name);
      if (r() < 0.55) {
        const quantity = r() < 0.8 ? 1 : 2;
        cart.push({ product, quantity });
        this.emit('add_to_cart', t, user, { product_id: product.id, name: product.name, category: product.category, price: product.price, quantity, currency: 'EUR' }, session);
        t += int(r, 5, 60) * 1000;
      }
    }
    if (cart.length === 0 || r() > 0.65) return;
    const value = round2(cart.reduce((a, c) => a + c.product.price * c.quantity, 0));
    view('/checkout', 'Checkout');
    this.emit('checkout_started', t, user, { cart_value: value, items_count: cart.length, currency: 'EUR' }, session);
    t += int(r, 30, 600) * 1000;
    if (r() > 0.7) return;
    this.order(t, user, session, cart, value);
  }

  private order(t: number, user: string, session: string, cart: { product: (typeof SEED_PRODUCTS)[number]; quantity: number }[], value: number): void {
    const r = this.rng;
    const props: Record<string, unknown> = {
      order_id: `ord_${uuid(r).slice(0, 8)}`,
      currency: r() < 0.85 ? 'EUR' : 'USD',
      category: cart[0].product.category,
      collection: cart[0].product.collection,
      payment_method: pick(r, PAYMENTS),
      items: cart.map((c) => ({ product_id: c.product.id, name: c.product.name, category: c.product.category, collection: c.product.collection, quantity: c.quantity, price: c.product.price })),
    };
    let discount = 0;
    const shipping = value >= 100 ? 0 : 4.9;
    if (r() < 0.35) {
      const [code, type] = pick(r, CODES);
      discount = type === 'percentage' ? round2(value * (code === 'WELCOME10' ? 0.1 : 0.2)) : type === 'fixed' ? Math.min(5, value) : shipping;
      Object.assign(props, { discount_code: code, discount_type: type, discount_amount: discount });
    }
    const net = round2(value - discount + shipping);
    Object.assign(props, { revenue: net, shipping, tax: round2((net * 19) / 119) });
    this.emit('order', t, user, props, session);
  }

  mlJob(n: number): void {
    const r = this.rng;
    const provider = pick(r, PROVIDERS);
    const status = pick(r, JOB_STATUSES);
    const props: Record<string, unknown> = { job_id: `job_${n.toString(36)}`, pipeline: pick(r, PIPELINES), provider, model: pick(r, MODELS[provider]), status };
    // Finished jobs carry a run time and a cost; queued and running ones do not yet.
    if (status === 'succeeded' || status === 'failed') {
      const llm = LLM_PROVIDERS.has(provider);
      props.duration_ms = latency(r, llm ? 4_000 : 60_000);
      if (llm) {
        props.tokens_in = int(r, 200, 8_000);
        props.tokens_out = status === 'failed' ? 0 : int(r, 50, 1_500);
        props.cost_usd = round2((Number(props.tokens_in) * 3 + Number(props.tokens_out) * 15) / 10_000) + 0.01;
      } else {
        props.cost_usd = round2(Number(props.duration_ms) / 60_000) + 0.01;
      }
      if (status === 'failed') props.error = pick(r, ['rate limited', 'out of memory', 'timeout after 300 s']);
    }
    this.emit('ml_job', this.randomTime(), `svc_${props.pipeline}`, props);
  }

  ticket(n: number): void {
    const r = this.rng;
    const channel = pick(r, CHANNELS);
    const status = pick(r, TICKET_STATUSES);
    const props: Record<string, unknown> = { ticket_id: `T-${10000 + n}`, channel, agent: pick(r, AGENTS), team: pick(r, TEAMS), status, priority: pick(r, PRIORITIES) };
    // Chat and phone are answered fastest; open tickets may still wait for a first answer.
    const fast = channel === 'chat' || channel === 'phone';
    if (status !== 'open' || r() < 0.5) props.first_response_ms = int(r, fast ? 20_000 : 600_000, fast ? 600_000 : 14_400_000);
    if (status === 'resolved' || status === 'closed') {
      props.resolution_ms = int(r, 1_800_000, 86_400_000);
      if (r() < 0.7) props.satisfaction = int(r, fast ? 3 : 1, 5);
    }
    this.emit('ticket', this.randomTime(), `c${int(r, 1, 400)}`, props);
  }
}

/**
 * The seed: visits (page views, checkout steps, orders, their API calls and errors), background
 * API traffic, ML jobs and support tickets over the six hours before `now`, oldest first.
 */
export function makeGrafanaSeed(now: number, seed = 20261122): SeedEvent[] {
  const rng = seededRng(seed);
  const g = new Generator(rng, now);
  for (let n = 1; n <= 450; n++) g.visit(n);
  for (let n = 0; n < 900; n++) g.apiRequest(now - SEED_SPAN_MS + rng() * (SEED_SPAN_MS - MIN), `u${int(rng, 1, 450)}`);
  for (let n = 1; n <= 300; n++) g.mlJob(n);
  for (let n = 1; n <= 250; n++) g.ticket(n);
  return g.events.sort((a, b) => a.timestamp - b.timestamp);
}

/** Generates the seed at `now` and stores it in Sluice (acknowledged once stored). */
export async function ingestSeed(sluice: Pick<InProcess, 'ingestUrl'>, writeKey: string, now = Date.now(), seed?: number): Promise<SeedEvent[]> {
  const events = makeGrafanaSeed(now, seed);
  await ingestAll(sluice, writeKey, events);
  return events;
}
