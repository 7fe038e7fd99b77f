import { createDataFrame, FieldType } from '@grafana/data';

import { buildFunnel, FunnelModel, FunnelResult } from './funnel-model';
import { funnelFrame, groupedFunnelFrame } from './test/fixtures';

function model(result: FunnelResult): FunnelModel {
  if (result.status !== 'ok') {
    throw new Error(`expected a funnel, got ${result.status}`);
  }
  return result.model;
}

describe('buildFunnel', () => {
  it('reads steps, users and the conversions Sluice sends', () => {
    const m = model(buildFunnel([funnelFrame()]));
    expect(m.groups).toEqual([]);
    expect(m.steps.map((s) => [s.step, s.event, s.total.users])).toEqual([
      [1, 'page_view', 12345],
      [2, 'add_to_cart', 4938],
      [3, 'checkout_started', 3086],
      [4, 'order', 1234],
    ]);
    expect(m.steps[2].total.conversionFromFirst).toBe(0.25);
    expect(m.steps[2].total.conversionFromPrevious).toBe(0.625);
  });

  it('gives drop-offs from the previous step and nothing before the first', () => {
    const [first, second, third] = model(buildFunnel([funnelFrame()])).steps;
    expect(first.total).toMatchObject({ conversionFromFirst: 1, conversionFromPrevious: null, dropOff: null });
    expect(first.total.dropOffRate).toBeNull();
    expect(second.total.dropOff).toBe(12345 - 4938);
    expect(second.total.dropOffRate).toBeCloseTo(0.6, 10);
    expect(third.total.dropOff).toBe(4938 - 3086);
    expect(third.total.dropOffRate).toBeCloseTo(0.375, 10);
  });

  it('keeps the median time per step, none for the first', () => {
    const steps = model(buildFunnel([funnelFrame()])).steps;
    expect(steps.map((s) => s.total.medianTimeMs)).toEqual([null, 45_000, 192_000, 5_400_000]);
  });

  it('computes conversions from users when the source has no conversion fields', () => {
    const frame = createDataFrame({
      fields: [
        { name: 'event', type: FieldType.string, values: ['visit', 'signup', 'pay'] },
        { name: 'users', type: FieldType.number, values: [200, 50, 20] },
      ],
    });
    const steps = model(buildFunnel([frame])).steps;
    expect(steps.map((s) => s.step)).toEqual([1, 2, 3]);
    expect(steps.map((s) => s.total.conversionFromFirst)).toEqual([1, 0.25, 0.1]);
    expect(steps.map((s) => s.total.conversionFromPrevious)).toEqual([null, 0.25, 0.4]);
    expect(steps.map((s) => s.total.dropOff)).toEqual([null, 150, 30]);
    expect(steps.map((s) => s.total.medianTimeMs)).toEqual([null, null, null]);
  });

  it('keeps the fixed colour of the users field', () => {
    const frame = funnelFrame();
    frame.fields[2].config = { color: { mode: 'fixed', fixedColor: 'purple' } };
    expect(model(buildFunnel([frame])).fieldColor).toBe('purple');
    expect(model(buildFunnel([funnelFrame()])).fieldColor).toBeUndefined();
    frame.fields[2].config = { color: { mode: 'palette-classic', fixedColor: 'purple' } };
    expect(model(buildFunnel([frame])).fieldColor).toBeUndefined();
  });

  it('orders rows by step and names steps without an event field', () => {
    const frame = createDataFrame({
      fields: [
        { name: 'step', type: FieldType.number, values: [2, 1] },
        { name: 'users', type: FieldType.number, values: [30, 90] },
      ],
    });
    const steps = model(buildFunnel([frame])).steps;
    expect(steps.map((s) => [s.event, s.total.users])).toEqual([
      ['Step 1', 90],
      ['Step 2', 30],
    ]);
  });

  it('falls back to field types: the last text field is the step, earlier ones the groups', () => {
    const frame = createDataFrame({
      fields: [
        { name: 'source', type: FieldType.string, values: ['ads', 'ads', 'mail', 'mail'] },
        { name: 'stage', type: FieldType.string, values: ['visit', 'buy', 'visit', 'buy'] },
        { name: 'count', type: FieldType.number, values: [10, 4, 30, 3] },
      ],
    });
    const m = model(buildFunnel([frame]));
    expect(m.groupFields).toEqual(['source']);
    expect(m.groups).toEqual(['mail', 'ads']);
    expect(m.steps.map((s) => s.event)).toEqual(['visit', 'buy']);
    expect(m.steps[1].groups.map((g) => g.conversionFromFirst)).toEqual([0.1, 0.4]);
  });

  describe('with a breakdown', () => {
    it('orders groups by first-step users with "(other)" last', () => {
      const m = model(buildFunnel([groupedFunnelFrame()]));
      expect(m.groupFields).toEqual(['utm_source']);
      expect(m.groups).toEqual(['google', 'bing', '(other)']);
      expect(m.hiddenGroups).toBe(0);
    });

    it('gives each group its own users, conversions, drop-offs and medians', () => {
      const steps = model(buildFunnel([groupedFunnelFrame()])).steps;
      const google = steps.map((s) => s.groups[0]);
      expect(google.map((v) => v.users)).toEqual([600, 300, 150]);
      expect(google.map((v) => v.conversionFromFirst)).toEqual([1, 0.5, 0.25]);
      expect(google.map((v) => v.conversionFromPrevious)).toEqual([null, 0.5, 0.5]);
      expect(google.map((v) => v.dropOff)).toEqual([null, 300, 150]);
      expect(google.map((v) => v.medianTimeMs)).toEqual([null, 30_000, 90_000]);
    });

    it('sums users over all groups for the totals, without a median', () => {
      const steps = model(buildFunnel([groupedFunnelFrame()])).steps;
      expect(steps.map((s) => s.total.users)).toEqual([1500, 450, 210]);
      expect(steps[1].total.conversionFromFirst).toBeCloseTo(0.3, 10);
      expect(steps[2].total.conversionFromPrevious).toBeCloseTo(210 / 450, 10);
      expect(steps[2].total.dropOff).toBe(240);
      expect(steps.map((s) => s.total.medianTimeMs)).toEqual([null, null, null]);
    });

    it('shows at most maxGroups groups and still counts the others in the totals', () => {
      const m = model(buildFunnel([groupedFunnelFrame()], 2));
      expect(m.groups).toEqual(['google', 'bing']);
      expect(m.hiddenGroups).toBe(1);
      expect(m.steps[0].groups).toHaveLength(2);
      expect(m.steps[0].total.users).toBe(1500);
    });

    it('joins two group fields into one group name', () => {
      const frame = createDataFrame({
        fields: [
          { name: 'utm_source', type: FieldType.string, values: ['google', 'google', 'google', 'google'] },
          { name: 'utm_medium', type: FieldType.string, values: ['cpc', 'cpc', 'email', 'email'] },
          { name: 'step', type: FieldType.number, values: [1, 2, 1, 2] },
          { name: 'event', type: FieldType.string, values: ['a', 'b', 'a', 'b'] },
          { name: 'users', type: FieldType.number, values: [10, 5, 20, 1] },
        ],
      });
      const m = model(buildFunnel([frame]));
      expect(m.groupFields).toEqual(['utm_source', 'utm_medium']);
      expect(m.groups).toEqual(['google / email', 'google / cpc']);
    });

    it('counts a step a group never reached as zero users', () => {
      const frame = createDataFrame({
        fields: [
          { name: 'plan', type: FieldType.string, values: ['free', 'free', 'pro'] },
          { name: 'step', type: FieldType.number, values: [1, 2, 1] },
          { name: 'event', type: FieldType.string, values: ['a', 'b', 'a'] },
          { name: 'users', type: FieldType.number, values: [10, 5, 4] },
        ],
      });
      const steps = model(buildFunnel([frame])).steps;
      expect(steps[1].groups.map((g) => [g.users, g.dropOff])).toEqual([
        [5, 5],
        [0, 4],
      ]);
    });
  });

  describe('when there is no funnel', () => {
    it('says there is no data for no frames or empty frames', () => {
      expect(buildFunnel([])).toEqual({ status: 'no-data' });
      const empty = createDataFrame({ fields: [{ name: 'users', type: FieldType.number, values: [] }] });
      expect(buildFunnel([empty])).toEqual({ status: 'no-data' });
    });

    it('lists the fields it expected and the ones it got for a non-funnel frame', () => {
      const frame = createDataFrame({
        fields: [
          { name: 'time', type: FieldType.time, values: [1, 2] },
          { name: 'count', type: FieldType.number, values: [3, 4] },
        ],
      });
      const result = buildFunnel([frame]);
      expect(result).toEqual({
        status: 'not-funnel',
        expected: expect.arrayContaining(['step', 'event', 'users', 'conversion_from_first']),
        found: ['time (time)', 'count (number)'],
      });
    });

    it('needs at least two steps', () => {
      const frame = createDataFrame({
        fields: [
          { name: 'step', type: FieldType.number, values: [1] },
          { name: 'event', type: FieldType.string, values: ['page_view'] },
          { name: 'users', type: FieldType.number, values: [10] },
        ],
      });
      expect(buildFunnel([frame])).toEqual({ status: 'too-few-steps', steps: 1 });
    });

    it('uses the first frame that is a funnel', () => {
      const other = createDataFrame({ fields: [{ name: 'time', type: FieldType.time, values: [1] }] });
      expect(buildFunnel([other, funnelFrame()]).status).toBe('ok');
    });
  });
});
