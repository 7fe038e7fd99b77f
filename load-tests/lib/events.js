// Synthetic but realistic Sluice events. Plain ES module with no k6 imports,
// so it runs under both k6 and Node.

const ENDPOINTS = [
  ['/checkout', 'POST'],
  ['/cart', 'GET'],
  ['/cart/items', 'POST'],
  ['/products', 'GET'],
  ['/products/:id', 'GET'],
  ['/search', 'GET'],
  ['/login', 'POST'],
  ['/orders/:id', 'GET'],
];
const SERVICES = ['storefront-api', 'checkout-api', 'search-api', 'auth-api'];
// Mostly successes, with the occasional client and server error.
const STATUSES = [200, 200, 200, 200, 200, 200, 200, 201, 204, 304, 400, 401, 404, 500, 503];

const CATEGORIES = ['shoes', 'outerwear', 'knitwear', 'accessories', 'bags'];
const COLLECTIONS = ['winter-2026', 'spring-2026', 'core', 'outlet'];
const PAYMENT_METHODS = ['card', 'card', 'paypal', 'apple_pay', 'klarna', 'bank_transfer'];
const DISCOUNT_CODES = ['WELCOME10', 'WINTER15', 'VIP20', 'FREESHIP'];

const PAGE_PATHS = [
  '/',
  '/products',
  '/products/trail-runner',
  '/products/merino-crew',
  '/collections/winter-2026',
  '/cart',
  '/checkout',
  '/account/orders',
  '/pricing',
];
const REFERRERS = [
  '',
  '',
  'https://www.google.com/',
  'https://www.bing.com/',
  'https://duckduckgo.com/',
  'https://www.instagram.com/',
  'https://newsletter.example.com/',
];

// Event mix: page views dominate, orders are rare.
const MIX = ['page_view', 'page_view', 'page_view', 'api_request', 'api_request', 'order'];

/** The event types this generator makes. */
export const KINDS = [...new Set(MIX)];

const USERS = 5000;
const SESSIONS_PER_USER = 4;

function pick(list) {
  return list[Math.floor(Math.random() * list.length)];
}

function randInt(min, max) {
  return min + Math.floor(Math.random() * (max - min + 1));
}

function round(n, digits) {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

function hex(n) {
  let s = '';
  for (let i = 0; i < n; i++) s += Math.floor(Math.random() * 16).toString(16);
  return s;
}

export function uuidv4() {
  if (globalThis.crypto && typeof globalThis.crypto.randomUUID === 'function') {
    return globalThis.crypto.randomUUID();
  }
  const variant = '89ab'[Math.floor(Math.random() * 4)];
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${variant}${hex(3)}-${hex(12)}`;
}

function apiRequestProperties() {
  const [endpoint, method] = pick(ENDPOINTS);
  return {
    endpoint,
    method,
    status: pick(STATUSES),
    // Long-tailed latency: most requests are fast, a few are slow.
    duration_ms: round(5 + Math.random() ** 3 * 900, 1),
    service: pick(SERVICES),
    bytes: randInt(200, 40000),
  };
}

function orderProperties() {
  const props = {
    order_id: `ord_${hex(10)}`,
    revenue: round(15 + Math.random() * 285, 2),
    currency: 'EUR',
    category: pick(CATEGORIES),
    collection: pick(COLLECTIONS),
    payment_method: pick(PAYMENT_METHODS),
  };
  if (Math.random() < 0.3) props.discount_code = pick(DISCOUNT_CODES);
  return props;
}

function pageViewProperties() {
  return {
    path: pick(PAGE_PATHS),
    referrer: pick(REFERRERS),
    duration_ms: randInt(500, 60000),
  };
}

const BUILDERS = {
  api_request: apiRequestProperties,
  order: orderProperties,
  page_view: pageViewProperties,
};

/** One event; `extra` properties (e.g. a run tag) are added to the generated ones. */
export function makeEvent(kind = pick(MIX), now = Date.now(), extra = undefined) {
  const user = randInt(1, USERS);
  const properties = BUILDERS[kind]();
  if (extra) Object.assign(properties, extra);
  return {
    event: kind,
    // Spread over the last minute so events do not all share one timestamp.
    timestamp: now - randInt(0, 60000),
    event_id: uuidv4(),
    user_id: `u${user}`,
    session_id: `s${user}-${randInt(1, SESSIONS_PER_USER)}`,
    properties,
  };
}

export function makeBatch(size, now = Date.now(), extra = undefined) {
  const events = new Array(size);
  for (let i = 0; i < size; i++) events[i] = makeEvent(undefined, now, extra);
  return events;
}

export function toNdjson(events) {
  return events.map((e) => JSON.stringify(e)).join('\n') + '\n';
}
