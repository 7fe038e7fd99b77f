// envInt: the integer settings of the benchmark scripts.
import { expect, it } from 'vitest';
import { envInt } from './env-int.js';

it('reads non-negative integers with _ separators, falls back when unset, refuses the rest', () => {
  expect(envInt('N', 7, {})).toBe(7);
  expect(envInt('N', 7, { N: '' })).toBe(7);
  expect(envInt('N', 7, { N: ' 2_000_000 ' })).toBe(2_000_000);
  expect(envInt('N', 7, { N: '0' })).toBe(0);
  expect(() => envInt('N', 7, { N: '-1' })).toThrow('N must be a non-negative integer, got "-1"');
  expect(() => envInt('N', 7, { N: '1.5' })).toThrow('N must be a non-negative integer');
  expect(() => envInt('N', 7, { N: 'ten' })).toThrow('N must be a non-negative integer');
});
