import { isComplete, valueFor, valueTexts, withOp } from './filter-values';

describe('filter values', () => {
  it('types the value for its op', () => {
    expect(valueFor('gt', ['10.5'])).toBe(10.5);
    expect(valueFor('gt', ['$min'])).toBe('$min');
    expect(valueFor('eq', ['200'])).toBe('200');
    expect(valueFor('in', ['a', 'b'])).toEqual(['a', 'b']);
    expect(valueFor('not_in', [])).toEqual([]);
    expect(valueFor('exists', ['x'])).toBeUndefined();
    expect(valueFor('eq', [])).toBeUndefined();
  });

  it('carries the value over when the op changes shape', () => {
    expect(withOp({ property: 'p', op: 'eq', value: 'a' }, 'in')).toEqual({ property: 'p', op: 'in', value: ['a'] });
    expect(withOp({ property: 'p', op: 'in', value: ['5', 'b'] }, 'gte')).toEqual({
      property: 'p',
      op: 'gte',
      value: 5,
    });
    expect(withOp({ property: 'p', op: 'eq', value: 'a' }, 'exists')).toEqual({ property: 'p', op: 'exists' });
    expect(valueTexts(false)).toEqual(['false']);
  });

  it('tells a filter that can be sent', () => {
    expect(isComplete({ property: 'p', op: 'exists' })).toBe(true);
    expect(isComplete({ property: 'p', op: 'eq', value: 0 })).toBe(true);
    expect(isComplete({ property: 'p', op: 'eq' })).toBe(false);
    expect(isComplete({ property: '', op: 'exists' })).toBe(false);
  });
});
