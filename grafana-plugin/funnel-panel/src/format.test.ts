import { formatDuration, formatPercent, formatUsers } from './format';

describe('formatUsers', () => {
  it('shows integers with thousands separators', () => {
    expect(formatUsers(0)).toBe('0');
    expect(formatUsers(999)).toBe('999');
    expect(formatUsers(12345)).toBe('12,345');
    expect(formatUsers(1234567)).toBe('1,234,567');
  });

  it('rounds fractions', () => {
    expect(formatUsers(1234.6)).toBe('1,235');
  });
});

describe('formatPercent', () => {
  it('shows a fraction as a percentage with one decimal', () => {
    expect(formatPercent(1)).toBe('100.0%');
    expect(formatPercent(0.4)).toBe('40.0%');
    expect(formatPercent(0.45678)).toBe('45.7%');
    expect(formatPercent(0)).toBe('0.0%');
  });

  it('never shows a negative zero', () => {
    expect(formatPercent(-0.00001)).toBe('0.0%');
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0 ms'],
    [850, '850 ms'],
    [999.6, '1 s'],
    [4_500, '4.5 s'],
    [45_000, '45 s'],
    [59_600, '1 min'],
    [192_000, '3.2 min'],
    [600_000, '10 min'],
    [5_400_000, '1.5 h'],
    [36 * 3_600_000, '36 h'],
    [2.3 * 86_400_000, '2.3 d'],
  ])('%d ms is %s', (ms, expected) => {
    expect(formatDuration(ms)).toBe(expected);
  });
});
