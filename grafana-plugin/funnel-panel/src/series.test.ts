import { createTheme } from '@grafana/data';

import { buildFunnel, FunnelModel } from './funnel-model';
import { funnelSeries } from './series';
import { funnelFrame, groupedFunnelFrame } from './test/fixtures';

const theme = createTheme();
const named = (name: string) => theme.visualization.getColorByName(name);

function model(frame = funnelFrame(), maxGroups?: number): FunnelModel {
  const result = buildFunnel([frame], maxGroups);
  if (result.status !== 'ok') {
    throw new Error(result.status);
  }
  return result.model;
}

describe('funnelSeries', () => {
  it('draws the whole funnel in the option colour', () => {
    const series = funnelSeries(model(), theme, 'purple');
    expect(series).toHaveLength(1);
    expect(series[0].group).toBeUndefined();
    expect(series[0].color).toBe(named('purple'));
    expect(series[0].values.map((v) => v.users)).toEqual([12345, 4938, 3086, 1234]);
  });

  it('makes the drop-off segment a lighter shade of the bar', () => {
    const [series] = funnelSeries(model(), theme, '#336699');
    expect(series.dropOffColor).toBe('#33669940');
  });

  it('falls back to the field colour, then to the classic palette', () => {
    const frame = funnelFrame();
    frame.fields[2].config = { color: { mode: 'fixed', fixedColor: 'orange' } };
    expect(funnelSeries(model(frame), theme, '')[0].color).toBe(named('orange'));
    expect(funnelSeries(model(), theme, '')[0].color).toBe(named(theme.visualization.palette[0]));
  });

  it('gives each group the next colour of the classic palette', () => {
    const series = funnelSeries(model(groupedFunnelFrame()), theme, 'purple');
    expect(series.map((s) => s.group)).toEqual(['google', 'bing', '(other)']);
    expect(series.map((s) => s.color)).toEqual(theme.visualization.palette.slice(0, 3).map(named));
    expect(series[1].values.map((v) => v.users)).toEqual([200, 50, 10]);
  });
});
