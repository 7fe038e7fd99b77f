// HTTP ingestion routes: receive -> decode -> authenticate -> rate limit -> pipeline -> ack.
import type { HttpRequest, HttpResponse } from 'uWebSockets.js';
import type { Config } from '../core/config.js';
import { SluiceError } from '../core/errors.js';
import type { KeyRecord } from '../core/keys.js';
import type { Metrics } from '../core/metrics.js';
import { rateLimitHeaders, type RateLimiter } from '../core/rate-limit.js';
import { keyFromAuthorization } from './authenticate.js';
import { fromPosthog } from './compat-posthog.js';
import { fromSegment } from './compat-segment.js';
import { bodyFormat, decodeEvents, decompress } from './decode.js';
import type { Pipeline } from './pipeline.js';
import { readBody, type Aborted } from './receive.js';
import { sendError, sendJson } from './respond.js';
import type { AckMode, DecodedItem, IngestResult, Source } from './types.js';

export interface HttpDeps {
  config: Config;
  pipeline: Pipeline;
  authenticate(key: string): Promise<KeyRecord>;
  limiter: RateLimiter;
  metrics: Metrics;
}

/** How a route turns a decoded body into items (and maybe a key found in the body). */
type Shape = (body: Buffer, contentType: string, maxEvents: number) => { items: DecodedItem[]; key?: string };

const nativeShape: Shape = (body, contentType, maxEvents) => ({ items: decodeEvents(body, bodyFormat(contentType), maxEvents) });

function jsonBody(body: Buffer, contentType: string): unknown {
  bodyFormat(contentType); // refuses unsupported types
  const items = decodeEvents(body, 'json', Number.MAX_SAFE_INTEGER);
  return items.length === 1 ? items[0].value : items.map((i) => i.value);
}

const segmentBatch: Shape = (body, ct) => {
  const r = fromSegment(jsonBody(body, ct), false);
  return { items: r.items, key: r.writeKey };
};
const segmentTrack: Shape = (body, ct) => {
  const r = fromSegment(jsonBody(body, ct), true);
  return { items: r.items, key: r.writeKey };
};
const posthogBatch: Shape = (body, ct) => {
  const r = fromPosthog(jsonBody(body, ct));
  return { items: r.items, key: r.apiKey };
};

export const ROUTES: { path: string; shape: Shape; source: Source }[] = [
  { path: '/v1/events', shape: nativeShape, source: 'http' },
  { path: '/v1/batch', shape: segmentBatch, source: 'segment' },
  { path: '/v1/track', shape: segmentTrack, source: 'segment' },
  { path: '/batch', shape: posthogBatch, source: 'posthog' },
  { path: '/batch/', shape: posthogBatch, source: 'posthog' },
];

export function statusOf(result: IngestResult): number {
  return result.accepted + result.duplicates > 0 || result.rejected.length === 0 ? 200 : 400;
}

export function createIngestHandler(deps: HttpDeps, shape: Shape, source: Source) {
  const { config, metrics } = deps;
  return (res: HttpResponse, req: HttpRequest): void => {
    const state: Aborted = { aborted: false };
    res.onAborted(() => {
      state.aborted = true;
    });
    // The request object is only valid until the first await: copy what is needed now.
    const authorization = req.getHeader('authorization');
    const contentType = req.getHeader('content-type');
    const contentEncoding = req.getHeader('content-encoding');
    const length = Number(req.getHeader('content-length') || 0);
    const ackParam = req.getQuery('ack') ?? '';
    const started = process.hrtime.bigint();

    void (async () => {
      let limitHeaders: Record<string, string> = {};
      try {
        const body = await readBody(res, config.maxBodyBytes, length);
        if (ackParam !== '' && ackParam !== 'stored' && ackParam !== 'spooled') {
          throw new SluiceError('SLUICE_E_BAD_REQUEST', `ack must be "stored" or "spooled", not "${ackParam}"`);
        }
        const ack: AckMode = ackParam === 'spooled' ? 'spooled' : 'stored';
        // A key in the header is checked before the body is decoded; PostHog puts it in the body.
        const headerKey = keyFromAuthorization(authorization);
        const headerRecord = headerKey ? await deps.authenticate(headerKey) : null;
        const decoded = await decompress(body, contentEncoding, config.maxBodyBytes);
        const { items, key: bodyKey } = shape(decoded, contentType, config.maxEventsPerRequest);
        if (items.length > config.maxEventsPerRequest) {
          throw new SluiceError('SLUICE_E_TOO_MANY_EVENTS', `${items.length} events in one request; at most ${config.maxEventsPerRequest}`);
        }
        const record = headerRecord ?? (await deps.authenticate(bodyKey ?? ''));
        const decision = await deps.limiter.consume(record.id, items.length);
        limitHeaders = rateLimitHeaders(decision);
        if (!decision.allowed) throw new SluiceError('SLUICE_E_RATE_LIMITED', `Rate limit of ${config.rateLimitEvents} events/s for this key exceeded`);
        const result = await deps.pipeline.ingest({ project: record.project_id, source, items, ack });
        metrics.ackSeconds.observe({ ack }, Number(process.hrtime.bigint() - started) / 1e9);
        sendJson(res, state, statusOf(result), source === 'segment' ? { success: true, ...result } : result, limitHeaders);
      } catch (err) {
        const e = err instanceof SluiceError ? err : new SluiceError('SLUICE_E_INTERNAL', (err as Error).message);
        metrics.requestsRefused.inc({ code: e.code });
        sendError(res, state, e, limitHeaders);
      }
    })();
  };
}
