// Segment's HTTP tracking API shape (/v1/batch, /v1/track): messages become Sluice envelopes,
// so apps instrumented with a Segment SDK can point it at Sluice.
import { v5 as uuidv5, validate as isUuid } from 'uuid';
import type { DecodedItem } from './types.js';

// Namespace for turning non-UUID message ids into stable UUIDs (so retries still dedupe).
const MESSAGE_ID_NS = '6f1d6a3c-2f6e-4b8e-9a51-5a1c1e0f7d42';

const EVENT_OF_TYPE: Record<string, string> = {
  identify: '$identify',
  group: '$group',
  alias: '$alias',
  screen: 'screen_view',
  page: 'page_view',
};

/** An ISO string for a parseable date; anything else as given, so validation rejects that one event. */
export function wireTimestamp(t: unknown): unknown {
  if (typeof t !== 'string') return t;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? t : new Date(ms).toISOString();
}

export const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function messageIdToEventId(id: unknown): string | undefined {
  if (typeof id !== 'string' || id === '') return undefined;
  return isUuid(id) ? id.toLowerCase() : uuidv5(id, MESSAGE_ID_NS);
}

function segmentMessage(msg: Record<string, unknown>, typeHint?: string): Record<string, unknown> {
  const type = String(msg.type ?? typeHint ?? 'track');
  const context = (msg.context ?? {}) as Record<string, unknown>;
  const page = (context.page ?? {}) as Record<string, unknown>;
  let event: unknown = msg.event;
  let properties = (msg.properties ?? {}) as Record<string, unknown>;
  if (type !== 'track') event = EVENT_OF_TYPE[type] ?? `$${type}`;
  if (type === 'identify' || type === 'group') properties = { ...((msg.traits ?? {}) as object), ...(msg.groupId ? { group_id: msg.groupId } : {}) };
  if (type === 'alias') properties = { previous_id: msg.previousId };
  if (type === 'page') {
    properties = { path: properties.path ?? page.path ?? '/', url: properties.url ?? page.url, title: properties.title ?? page.title, referrer: properties.referrer ?? page.referrer, ...properties };
    if (msg.name) properties.name = msg.name;
  }
  // Properties (or traits) that are not an object are passed on as they are, for validation to reject.
  const given = type === 'identify' || type === 'group' ? msg.traits : type === 'alias' ? undefined : msg.properties;
  const out: Record<string, unknown> = {
    event,
    properties: given != null && !isPlainObject(given) ? given : Object.fromEntries(Object.entries(properties).filter(([, v]) => v !== undefined)),
  };
  const user = msg.userId ?? msg.anonymousId;
  if (user !== undefined && user !== null) out.user_id = user;
  if (msg.timestamp !== undefined) out.timestamp = wireTimestamp(msg.timestamp);
  const eventId = messageIdToEventId(msg.messageId);
  if (eventId) out.event_id = eventId;
  const session = (context.sessionId ?? (msg.properties as Record<string, unknown> | undefined)?.session_id) as unknown;
  if (session !== undefined) out.session_id = session;
  if (context.requestId !== undefined) out.correlation_id = context.requestId;
  return out;
}

/** Items from a Segment body, and the write key if the body carries one. */
export function fromSegment(body: unknown, single: boolean): { items: DecodedItem[]; writeKey?: string } {
  const b = (body ?? {}) as Record<string, unknown>;
  const writeKey = typeof b.writeKey === 'string' ? b.writeKey : undefined;
  const messages = single ? [b] : Array.isArray(b.batch) ? (b.batch as unknown[]) : null;
  if (!messages) return { writeKey, items: [{ index: 0, rejection: { reason: 'invalid_envelope', errors: [{ path: '/batch', message: 'must be an array of messages' }] }, raw: JSON.stringify(b).slice(0, 2000) }] };
  return {
    writeKey,
    items: messages.map((m, index) =>
      m && typeof m === 'object'
        ? { index, value: segmentMessage(m as Record<string, unknown>, single ? 'track' : undefined) }
        : { index, raw: JSON.stringify(m), rejection: { reason: 'invalid_envelope', errors: [{ path: `/batch/${index}`, message: 'must be an object' }] } },
    ),
  };
}
