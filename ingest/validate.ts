// validate: the envelope schema, the limits on properties, the timestamp window, and the
// event's own schema. Bad data is a result with a reason, never an exception.
import type { SchemaRegistry } from '../schema/registry.js';
import { fieldErrors } from '../schema/registry.js';
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

    const limitErrors = checkLimits(properties, limits);
    if (limitErrors.length > 0) return { ok: false, reason: 'limit_exceeded', errors: limitErrors, event };
    const unstorable = checkStorable(v, properties);
    if (unstorable) return { ok: false, ...unstorable, event };

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

/** Key count, nesting depth and string length over the whole properties tree. */
export function checkLimits(properties: Record<string, unknown>, limits: Pick<Limits, 'maxProperties' | 'maxPropertyDepth' | 'maxStringLength'>): FieldError[] {
  const errors: FieldError[] = [];
  let keys = 0;
  const walk = (node: unknown, path: string, depth: number): void => {
    if (errors.length >= 5) return;
    if (typeof node === 'string') {
      if (node.length > limits.maxStringLength) errors.push({ path, message: `string longer than ${limits.maxStringLength} characters` });
      return;
    }
    if (node === null || typeof node !== 'object') return;
    if (depth > limits.maxPropertyDepth) {
      errors.push({ path, message: `nested deeper than ${limits.maxPropertyDepth} levels` });
      return;
    }
    if (Array.isArray(node)) {
      node.forEach((child, i) => walk(child, `${path}/${i}`, depth + 1));
      return;
    }
    for (const [k, child] of Object.entries(node)) {
      if (++keys > limits.maxProperties) {
        errors.push({ path: '/properties', message: `more than ${limits.maxProperties} keys` });
        return;
      }
      if (k.length > 256) errors.push({ path: `${path}/${k.slice(0, 32)}…`, message: 'key longer than 256 characters' });
      walk(child, `${path}/${k}`, depth + 1);
    }
  };
  walk(properties, '/properties', 1);
  return errors;
}

const LONE_SURROGATE = /\p{Cs}/u;
const ENVELOPE_STRINGS = ['event', 'user_id', 'session_id', 'correlation_id'];

/**
 * Values ClickHouse refuses, failing the whole insert they are in (and so every event batched
 * with them): lone surrogates (not encodable as UTF-8), integers outside 64 bits (JSON.stringify
 * writes 1e20 as 21 digits), and keys whose dotted paths collide ({"a.b": 1, "a": {"b": 2}}).
 */
export function checkStorable(envelope: Record<string, unknown>, properties: Record<string, unknown>): { reason: RejectReason; errors: FieldError[] } | null {
  for (const f of ENVELOPE_STRINGS) {
    const s = envelope[f];
    if (typeof s === 'string' && LONE_SURROGATE.test(s)) return { reason: 'invalid_utf8', errors: [{ path: `/${f}`, message: 'is not valid Unicode (lone surrogate)' }] };
  }
  let found: { reason: RejectReason; errors: FieldError[] } | null = null;
  const fail = (reason: RejectReason, path: string, message: string): void => {
    found ??= { reason, errors: [{ path, message }] };
  };
  // `leaves`: the dotted paths of one JSON object's leaves (objects inside arrays start their own).
  const walk = (node: unknown, path: string, leaves: Set<string> | null, dotted: string): void => {
    if (found || node === null || node === undefined) return;
    const isObject = typeof node === 'object' && !Array.isArray(node);
    if (!isObject && leaves) {
      if (leaves.has(dotted)) return fail('invalid_properties', path, `collides with another key: both are the path "${dotted}"`);
      leaves.add(dotted);
    }
    if (typeof node === 'string') {
      if (LONE_SURROGATE.test(node)) fail('invalid_utf8', path, 'is not valid Unicode (lone surrogate)');
    } else if (typeof node === 'number') {
      if (Number.isInteger(node) && Math.abs(node) < 1e21 && (node >= 2 ** 64 || node <= -(2 ** 63))) {
        fail('limit_exceeded', path, 'integer outside the 64-bit range; send it as a string');
      }
    } else if (Array.isArray(node)) {
      node.forEach((child, i) => walk(child, `${path}/${i}`, null, ''));
    } else if (isObject) {
      const own = leaves ?? new Set<string>();
      for (const [k, child] of Object.entries(node as Record<string, unknown>)) {
        if (LONE_SURROGATE.test(k)) return fail('invalid_utf8', `${path}/${k.slice(0, 32)}`, 'key is not valid Unicode (lone surrogate)');
        walk(child, `${path}/${k}`, own, leaves ? `${dotted}.${k}` : k);
      }
    }
  };
  walk(properties, '/properties', null, '');
  return found;
}
