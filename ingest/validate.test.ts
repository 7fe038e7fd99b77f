import { describe, expect, it } from 'vitest';
import { loadSchemas } from '../schema/registry.js';
import { createValidateStep } from './validate.js';

const now = Date.parse('2026-11-21T12:00:00Z');
const validate = createValidateStep(loadSchemas(), {
  maxProperties: 20,
  maxPropertyDepth: 3,
  maxStringLength: 50,
  maxFutureSkewMs: 300_000,
  maxPastMs: 30 * 86_400_000,
});

const order = { order_id: 'o1', revenue: 10, currency: 'EUR' };

describe('validate', () => {
  it('accepts a valid event and normalises ids and time', () => {
    const r = validate({ event: 'order', timestamp: '2026-11-21T11:00:00.5+01:00', user_id: 42, event_id: '0193A0A0-0000-7000-8000-000000000001', properties: order }, now);
    expect(r).toEqual({
      ok: true,
      value: { event: 'order', timestamp: Date.parse('2026-11-21T10:00:00.500Z'), user_id: '42', session_id: '', correlation_id: '', event_id: '0193a0a0-0000-7000-8000-000000000001', properties: order },
    });
  });

  it('takes epoch milliseconds and defaults a missing timestamp to now', () => {
    expect(validate({ event: 'x', timestamp: now - 1000 }, now)).toMatchObject({ ok: true, value: { timestamp: now - 1000 } });
    expect(validate({ event: 'x' }, now)).toMatchObject({ ok: true, value: { timestamp: now, properties: {} } });
  });

  it('names envelope problems by path', () => {
    expect(validate({ properties: {} }, now)).toMatchObject({ ok: false, reason: 'invalid_envelope', errors: [{ path: '/event', message: 'is required' }] });
    expect(validate({ event: 'x', propeties: {} }, now)).toMatchObject({ ok: false, errors: [{ path: '/propeties', message: 'is not an allowed field' }] });
    expect(validate({ event: 'x', event_id: 'nope' }, now)).toMatchObject({ ok: false, errors: [{ path: '/event_id' }] });
    expect(validate({ event: 'x', timestamp: 'yesterday' }, now)).toMatchObject({ ok: false, errors: [{ path: '/timestamp' }] });
    expect(validate({ event: '' }, now)).toMatchObject({ ok: false, errors: [{ path: '/event' }] });
    expect(validate('text', now)).toMatchObject({ ok: false, reason: 'invalid_envelope' });
  });

  it('checks properties against the event schema', () => {
    const r = validate({ event: 'order', properties: { ...order, revenue: 'lots', items: [{ product_id: 'p', quantity: 0, price: 1 }] } }, now);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.reason).toBe('invalid_properties');
      expect(r.event).toBe('order');
      expect(r.errors.map((e) => e.path).sort()).toEqual(['/properties/items/0/quantity', '/properties/revenue']);
    }
  });

  it('refuses timestamps outside the accepted window', () => {
    expect(validate({ event: 'x', timestamp: now + 600_000 }, now)).toMatchObject({ ok: false, reason: 'timestamp_out_of_range' });
    expect(validate({ event: 'x', timestamp: now - 31 * 86_400_000 }, now)).toMatchObject({ ok: false, reason: 'timestamp_out_of_range' });
    expect(validate({ event: 'x', timestamp: now + 60_000 }, now).ok).toBe(true);
  });

  it('enforces limits on keys, depth and string length', () => {
    const many = Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`k${i}`, i]));
    expect(validate({ event: 'x', properties: many }, now)).toMatchObject({ ok: false, reason: 'limit_exceeded' });
    expect(validate({ event: 'x', properties: { a: { b: { c: { d: 1 } } } } }, now)).toMatchObject({ ok: false, reason: 'limit_exceeded', errors: [{ path: '/properties/a/b/c' }] });
    expect(validate({ event: 'x', properties: { s: 'x'.repeat(51) } }, now)).toMatchObject({ ok: false, reason: 'limit_exceeded', errors: [{ path: '/properties/s' }] });
  });
});
