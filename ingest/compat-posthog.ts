// PostHog's capture shape (POST /batch/ with `api_key` in the body): events become Sluice
// envelopes, `distinct_id` is the user.
import type { DecodedItem } from './types.js';
import { isPlainObject, messageIdToEventId, wireTimestamp } from './compat-segment.js';

function posthogEvent(e: Record<string, unknown>): Record<string, unknown> {
  const props = { ...((e.properties ?? {}) as Record<string, unknown>) };
  const distinct = e.distinct_id ?? props.distinct_id ?? e.$distinct_id;
  delete props.distinct_id;
  // Properties that are not an object are passed on as they are, for validation to reject.
  const out: Record<string, unknown> = { event: e.event, properties: e.properties != null && !isPlainObject(e.properties) ? e.properties : props };
  if (distinct !== undefined && distinct !== null) out.user_id = distinct;
  if (e.timestamp !== undefined) out.timestamp = wireTimestamp(e.timestamp);
  const id = messageIdToEventId(e.uuid);
  if (id) out.event_id = id;
  if (props.$session_id !== undefined) out.session_id = props.$session_id;
  return out;
}

export function fromPosthog(body: unknown): { items: DecodedItem[]; apiKey?: string } {
  const b = (body ?? {}) as Record<string, unknown>;
  const apiKey = typeof b.api_key === 'string' ? b.api_key : typeof b.token === 'string' ? b.token : undefined;
  const list = Array.isArray(b.batch) ? (b.batch as unknown[]) : Array.isArray(body) ? (body as unknown[]) : b.event ? [b] : null;
  if (!list) return { apiKey, items: [{ index: 0, raw: JSON.stringify(b).slice(0, 2000), rejection: { reason: 'invalid_envelope', errors: [{ path: '/batch', message: 'must be an array of events' }] } }] };
  return {
    apiKey,
    items: list.map((e, index) =>
      e && typeof e === 'object'
        ? { index, value: posthogEvent(e as Record<string, unknown>) }
        : { index, raw: JSON.stringify(e), rejection: { reason: 'invalid_envelope', errors: [{ path: `/batch/${index}`, message: 'must be an object' }] } },
    ),
  };
}
