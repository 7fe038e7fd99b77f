import { describe, expect, it } from 'vitest';
import { checkEvent } from './property-check.js';

const limits = { maxProperties: 10, maxPropertyDepth: 3, maxStringLength: 20 };
const deep = (properties: Record<string, unknown>) => checkEvent({ event: 'x' }, properties, { ...limits, maxPropertyDepth: 6 });
const check = (properties: Record<string, unknown>, envelope: Record<string, unknown> = { event: 'x' }) => checkEvent(envelope, properties, limits);

describe('property check', () => {
  it('passes ordinary properties', () => {
    expect(check({ a: 1, b: 'two', c: [1, { d: true }], e: { f: null }, 'g.h': 1 })).toBeNull();
  });

  it('names the path of a limit that is passed', () => {
    expect(check({ a: { b: { c: { d: 1 } } } })).toEqual({ reason: 'limit_exceeded', errors: [{ path: '/properties/a/b/c', message: 'nested deeper than 3 levels' }] });
    expect(check({ list: ['ok', 'x'.repeat(21)] })).toEqual({ reason: 'limit_exceeded', errors: [{ path: '/properties/list/1', message: 'string longer than 20 characters' }] });
    expect(check(Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, i])))?.errors[0]).toEqual({ path: '/properties', message: 'more than 10 keys' });
  });

  it('refuses what ClickHouse would refuse for the whole batch', () => {
    expect(check({ big: 2 ** 64 })).toMatchObject({ reason: 'limit_exceeded', errors: [{ path: '/properties/big' }] });
    expect(check({ big: 2 ** 63 - 1024 })).toBeNull();
    expect(check({ s: 'a\ud800b' })).toMatchObject({ reason: 'invalid_utf8', errors: [{ path: '/properties/s' }] });
    expect(check({ ['k\udc00']: 1 })).toMatchObject({ reason: 'invalid_utf8' });
    expect(check({}, { event: 'x', user_id: '\ud83d' })).toMatchObject({ reason: 'invalid_utf8', errors: [{ path: '/user_id' }] });
  });

  it('finds dotted keys that collide with nested ones, within one object only', () => {
    expect(check({ 'a.b': 1, a: { b: 2 } })).toMatchObject({ reason: 'invalid_properties', errors: [{ message: 'collides with another key: both are the path "a.b"' }] });
    expect(check({ a: { 'b.c': 1, b: { c: 2 } } })).toMatchObject({ reason: 'invalid_properties' });
    expect(check({ 'a.b': 1, a: { c: 2 } })).toBeNull();
    expect(deep({ items: [{ 'a.b': 1 }, { a: { b: 2 } }] })).toBeNull();
    expect(deep({ items: [{ 'a.b': 1, a: { b: 2 } }] })).toMatchObject({ reason: 'invalid_properties', errors: [{ path: '/properties/items/0/a/b' }] });
  });
});
