// validate: the envelope schema, the limits on properties, the timestamp window, and the
// event's own schema. Bad data is a result with a reason, never an exception.
import type { SchemaRegistry } from '../schema/registry.js';
import { fieldErrors } from '../schema/registry.js';
import { checkEvent } from './property-check.js';
import type { FieldError, RejectReason } from './types.js';

export interface Limits {
  maxProperties: number;
  maxPropertyDepth: number;
  maxStringLength: number;
  maxFutureSkewMs: number;
  maxPastMs: number;
}

export interface ValidEvent {
  event: string;
  timestamp: number;
  event_id?: string;
  user_id: string;
  session_id: string;
  correlation_id: string;
  properties: Record<string, unknown>;
}

export type Validation = { ok: true; value: ValidEvent } | { ok: false; reason: RejectReason; errors: FieldError[]; event?: string };

export function createValidateStep(schemas: SchemaRegistry, limits: Limits) {
  return function validate(value: unknown, now: number): Validation {
    if (!schemas.envelope(value)) {
      const event = typeof (value as { event?: unknown })?.event === 'string' ? (value as { event: string }).event : undefined;
      return { ok: false, reason: 'invalid_envelope', errors: fieldErrors(schemas.envelope.errors), event };
    }
    const v = value as Record<string, unknown>;
    const event = v.event as string;
    const properties = (v.properties ?? {}) as Record<string, unknown>;

    const problem = checkEvent(v, properties, limits);
    if (problem) return { ok: false, ...problem, event };

    const timestamp = v.timestamp === undefined ? now : typeof v.timestamp === 'number' ? Math.floor(v.timestamp) : Date.parse(v.timestamp as string);
    if (Number.isNaN(timestamp)) {
      return { ok: false, reason: 'invalid_envelope', errors: [{ path: '/timestamp', message: 'is not a valid date' }], event };
    }
    if (timestamp > now + limits.maxFutureSkewMs) {
      return { ok: false, reason: 'timestamp_out_of_range', event, errors: [{ path: '/timestamp', message: `is more than ${limits.maxFutureSkewMs} ms in the future` }] };
    }
    if (timestamp < now - limits.maxPastMs) {
      return { ok: false, reason: 'timestamp_out_of_range', event, errors: [{ path: '/timestamp', message: `is older than the raw retention (${Math.round(limits.maxPastMs / 86_400_000)} days)` }] };
    }

    const validateProps = schemas.forEvent(event);
    if (validateProps && !validateProps(properties)) {
      return { ok: false, reason: 'invalid_properties', errors: fieldErrors(validateProps.errors, '/properties'), event };
    }
    return {
      ok: true,
      value: {
        event,
        timestamp,
        event_id: (v.event_id as string | undefined)?.toLowerCase(),
        user_id: v.user_id === undefined ? '' : String(v.user_id),
        session_id: v.session_id === undefined ? '' : String(v.session_id),
        correlation_id: v.correlation_id === undefined ? '' : String(v.correlation_id),
        properties,
      },
    };
  };
}
