// What the generated shop, its services and its support desk are made of: fixed lists, so the
// same seed always means the same products, endpoints and agents.

/** Share of a day's traffic per UTC hour (a European shop: quiet at night, busiest in the evening). */
export const HOURLY = [
  0.35, 0.25, 0.18, 0.14, 0.13, 0.16, 0.28, 0.45, 0.62, 0.74, 0.82, 0.88,
  0.92, 0.9, 0.88, 0.9, 0.95, 1.0, 1.0, 0.98, 0.92, 0.8, 0.62, 0.47,
];
/** Per weekday (getUTCDay: 0 = Sunday): weekdays busiest, Saturday quietest. */
export const WEEKLY = [0.9, 1.05, 1.0, 1.0, 1.02, 0.95, 0.8];

export interface Product {
  id: string;
  name: string;
  slug: string;
  category: string;
  collection: string;
  price: number;
}

const CATEGORIES: [string, string[], number][] = [
  ['shoes', ['Trail Runner', 'City Sneaker', 'Hiking Boot', 'Approach Shoe', 'Sandal'], 110],
  ['outerwear', ['Rain Shell', 'Down Jacket', 'Softshell', 'Parka', 'Wind Vest'], 180],
  ['knitwear', ['Merino Crew', 'Cardigan', 'Fleece Hoodie', 'Turtleneck'], 85],
  ['accessories', ['Beanie', 'Gloves', 'Buff', 'Sunglasses', 'Socks 3-pack', 'Cap'], 28],
  ['bags', ['Daypack 20L', 'Duffel 40L', 'Hip Pack', 'Tote'], 75],
  ['equipment', ['Trekking Poles', 'Headlamp', 'Water Filter', 'Camp Stove'], 60],
];
const COLLECTIONS = ['winter-2026', 'autumn-2026', 'core', 'outlet', 'collab-alpine'];
const COLOURS = ['black', 'forest', 'navy', 'sand', 'rust'];

const slugify = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/(^-|-$)/g, '');

/** About 140 products; earlier ones are the popular ones (picked with a Zipf-like skew). */
export const PRODUCTS: Product[] = (() => {
  const out: Product[] = [];
  for (let c = 0; c < COLOURS.length; c++) {
    for (let k = 0; k < CATEGORIES.length; k++) {
      const [category, names, base] = CATEGORIES[k];
      for (let n = 0; n < names.length; n++) {
        const i = out.length;
        const name = `${names[n]} ${COLOURS[c]}`;
        out.push({
          id: `p${String(1000 + i)}`,
          name,
          slug: slugify(name),
          category,
          collection: COLLECTIONS[(n + c + k) % COLLECTIONS.length],
          price: Math.round(base * (0.6 + ((n * 7 + c * 3) % 10) / 10) * 100) / 100 - 0.05,
        });
      }
    }
  }
  return out;
})();

export const LANDING_PATHS = ['/', '/', '/', '/collections/winter-2026', '/collections/outlet', '/search', '/journal/packing-list', '/stores'];
export const REFERRERS = ['', '', '', 'https://www.google.com/', 'https://www.google.com/', 'https://www.bing.com/', 'https://duckduckgo.com/', 'https://www.instagram.com/', 'https://newsletter.example.com/', 'https://www.pinterest.com/'];
export const SITE = 'https://shop.example.com';

/** Endpoint, method, service, median latency (ms). */
export const PAGE_APIS: [string, string, string, number][] = [
  ['/api/products', 'GET', 'catalog-api', 38],
  ['/api/products/:id', 'GET', 'catalog-api', 22],
  ['/api/search', 'GET', 'search-api', 85],
  ['/api/recommendations', 'GET', 'reco-api', 120],
  ['/api/cart', 'GET', 'cart-api', 18],
  ['/api/session', 'GET', 'auth-api', 9],
];
export const ACTION_APIS: Record<string, [string, string, string, number]> = {
  add_to_cart: ['/api/cart/items', 'POST', 'cart-api', 45],
  checkout_started: ['/api/checkout', 'POST', 'checkout-api', 160],
  order: ['/api/orders', 'POST', 'checkout-api', 240],
  booking: ['/api/bookings', 'POST', 'booking-api', 190],
  login: ['/api/login', 'POST', 'auth-api', 70],
  ticket: ['/api/support/tickets', 'POST', 'support-api', 60],
};
export const REGIONS = ['eu-west-1', 'eu-west-1', 'eu-central-1', 'us-east-1'];

export const ERROR_KINDS: [string, string][] = [
  ['ECONNRESET', 'socket hang up while calling upstream'],
  ['TimeoutError', 'upstream did not answer within 2000 ms'],
  ['TypeError', "Cannot read properties of undefined (reading 'price')"],
  ['PaymentDeclined', 'payment provider answered 502'],
  ['DatabaseError', 'deadlock detected while updating stock'],
];

export const PAYMENT_METHODS = ['card', 'card', 'card', 'paypal', 'paypal', 'apple_pay', 'klarna', 'bank_transfer', 'gift_card'];
export const DISCOUNTS: [string, 'percentage' | 'fixed' | 'free_shipping' | 'bogo', number][] = [
  ['WELCOME10', 'percentage', 0.1],
  ['WINTER15', 'percentage', 0.15],
  ['VIP20', 'percentage', 0.2],
  ['TENOFF', 'fixed', 10],
  ['FREESHIP', 'free_shipping', 0],
  ['SOCKS2FOR1', 'bogo', 0],
];

/** Pipeline, providers with their models, median run time (ms), share of jobs. */
export const PIPELINES: [string, [string, string][], number, number][] = [
  ['recommendations', [['self_hosted', 'two-tower-v5'], ['aws', 'personalize']], 900, 0.3],
  ['search-embeddings', [['openai', 'text-embedding-3-small'], ['self_hosted', 'e5-large']], 450, 0.25],
  ['support-summarizer', [['anthropic', 'claude-haiku'], ['openai', 'gpt-4o-mini']], 2600, 0.15],
  ['fraud-scoring', [['gcp', 'vertex-tabular'], ['self_hosted', 'xgb-fraud-12']], 120, 0.2],
  ['image-tagging', [['gcp', 'vision-v2'], ['aws', 'rekognition']], 1400, 0.07],
  ['demand-forecast', [['self_hosted', 'mstl-weekly'], ['aws', 'forecast']], 180_000, 0.03],
];
/** US dollars per 1k tokens (in + out) by provider. */
export const PROVIDER_PRICE: Record<string, number> = { openai: 0.0006, anthropic: 0.0012, gcp: 0.0004, aws: 0.0005, self_hosted: 0.00008 };

export const CHANNELS = ['email', 'chat', 'chat', 'phone', 'social', 'web'] as const;
/** Median first response (minutes) per channel. */
export const FIRST_RESPONSE_MIN: Record<string, number> = { email: 240, chat: 2, phone: 1, social: 90, web: 180 };
export const AGENTS = ['ana', 'bruno', 'chen', 'dara', 'emeka', 'farah', 'gustav', 'hana', 'ivan', 'jules', 'kofi', 'lena'];
export const TEAMS = ['tier1', 'tier1', 'tier2', 'returns'];
export const PRIORITIES = ['low', 'normal', 'normal', 'normal', 'high', 'urgent'] as const;

export const VENUES: [string, number][] = [
  ['hut', 55],
  ['tour', 140],
  ['hotel', 160],
  ['apartment', 120],
  ['event', 45],
];
