import React from 'react';
import { render, screen, within } from '@testing-library/react';
import { createDataFrame, DataFrame, FieldType, getDefaultTimeRange, LoadingState, PanelProps } from '@grafana/data';

import { selectors } from '../selectors';
import { funnelFrame, groupedFunnelFrame } from '../test/fixtures';
import { DEFAULT_OPTIONS, FunnelOptions } from '../types';
import { FunnelPanel } from './FunnelPanel';

const ids = selectors.funnelPanel;

function renderPanel(
  series: DataFrame[],
  options: Partial<FunnelOptions> = {},
  width = 800,
  height = 400,
  state = LoadingState.Done
) {
  const timeRange = getDefaultTimeRange();
  const props = {
    id: 1,
    data: { series, state, timeRange },
    timeRange,
    timeZone: 'utc',
    options: { ...DEFAULT_OPTIONS, ...options },
    fieldConfig: { defaults: {}, overrides: [] },
    width,
    height,
    title: 'Funnel',
    transparent: false,
    renderCounter: 0,
    eventBus: {},
    onOptionsChange: jest.fn(),
    onFieldConfigChange: jest.fn(),
    onChangeTimeRange: jest.fn(),
    replaceVariables: (s: string) => s,
  } as unknown as PanelProps<FunnelOptions>;
  return render(<FunnelPanel {...props} />);
}

const textOf = (testId: string) => screen.getByTestId(testId).textContent;

describe('FunnelPanel', () => {
  describe('without a breakdown', () => {
    it('shows every step with its users', () => {
      renderPanel([funnelFrame()]);
      expect([1, 2, 3, 4].map((s) => textOf(ids.users(s)))).toEqual(['12,345', '4,938', '3,086', '1,234']);
      expect(within(screen.getByTestId(ids.step(3))).getByText('checkout_started')).toBeInTheDocument();
    });

    it('shows conversions, drop-off and median time from the second step on', () => {
      renderPanel([funnelFrame()]);
      expect(textOf(ids.conversionFromFirst(2))).toBe('40.0%');
      expect(textOf(ids.conversionFromPrevious(3))).toBe('62.5%');
      expect(textOf(ids.conversionFromFirst(4))).toBe('10.0%');
      expect(textOf(ids.dropOff(2))).toBe('7,407');
      expect(textOf(ids.dropOffRate(2))).toBe('60.0%');
      expect(textOf(ids.dropOffRate(4))).toBe('60.0%');
      expect([2, 3, 4].map((s) => textOf(ids.medianTime(s)))).toEqual(['45 s', '3.2 min', '1.5 h']);
      expect(screen.queryByTestId(ids.conversionFromPrevious(1))).not.toBeInTheDocument();
      expect(screen.queryByTestId(ids.dropOff(1))).not.toBeInTheDocument();
    });

    it('shows only the labels the options ask for', () => {
      renderPanel([funnelFrame()], { showConversionFromPrevious: false, showMedianTime: false });
      expect(textOf(ids.conversionFromFirst(2))).toBe('40.0%');
      expect(textOf(ids.dropOff(2))).toBe('7,407');
      expect(screen.queryByTestId(ids.conversionFromPrevious(2))).not.toBeInTheDocument();
      expect(screen.queryByTestId(ids.medianTime(2))).not.toBeInTheDocument();
    });

    it('has no legend', () => {
      renderPanel([funnelFrame()]);
      expect(screen.queryByTestId(ids.legend)).not.toBeInTheDocument();
    });

    it('puts the full numbers of a bar in its tooltip', () => {
      renderPanel([funnelFrame()], {}, 200, 100);
      const titled = within(screen.getByTestId(ids.step(2))).getAllByTitle(/^add_to_cart: 4,938 users/);
      expect(titled[0]).toHaveAttribute('title', expect.stringContaining('7,407 lost (60.0%)'));
    });
  });

  describe('orientation', () => {
    it('draws columns in a wide panel and rows in a tall one on auto', () => {
      const { unmount } = renderPanel([funnelFrame()], {}, 800, 300);
      expect(screen.getByTestId(ids.panel)).toHaveAttribute('data-orientation', 'vertical');
      unmount();
      renderPanel([funnelFrame()], {}, 300, 800);
      expect(screen.getByTestId(ids.panel)).toHaveAttribute('data-orientation', 'horizontal');
    });

    it('follows the orientation option and shows the same numbers', () => {
      renderPanel([funnelFrame()], { orientation: 'horizontal' }, 800, 300);
      expect(screen.getByTestId(ids.panel)).toHaveAttribute('data-orientation', 'horizontal');
      expect(textOf(ids.users(2))).toBe('4,938');
      expect(textOf(ids.conversionFromPrevious(2))).toBe('40.0%');
    });
  });

  describe('at small sizes', () => {
    it.each([
      ['short', 600, 90],
      ['narrow', 180, 400],
    ])('keeps step names and users and hides secondary labels when %s', (_, width, height) => {
      renderPanel([funnelFrame()], {}, width, height);
      expect(screen.getByTestId(ids.panel)).toHaveAttribute('data-compact', 'true');
      expect(textOf(ids.users(4))).toBe('1,234');
      expect(screen.getByText('order')).toBeInTheDocument();
      expect(screen.queryByTestId(ids.conversionFromFirst(2))).not.toBeInTheDocument();
      expect(screen.queryByTestId(ids.dropOff(2))).not.toBeInTheDocument();
      expect(screen.queryByTestId(ids.medianTime(2))).not.toBeInTheDocument();
    });

    it('gives truncated step names their full name as a tooltip', () => {
      renderPanel([funnelFrame()], {}, 180, 400);
      expect(screen.getByText('checkout_started')).toHaveAttribute('title', 'Step 3: checkout_started');
    });
  });

  describe('with a breakdown', () => {
    it('draws one bar per group within each step, with each group’s numbers', () => {
      renderPanel([groupedFunnelFrame()], {}, 1200, 600);
      expect(textOf(ids.users(2, 'google'))).toBe('300');
      expect(textOf(ids.users(2, 'bing'))).toBe('50');
      expect(textOf(ids.users(2, '(other)'))).toBe('100');
      expect(textOf(ids.conversionFromFirst(3, 'google'))).toBe('25.0%');
      expect(textOf(ids.dropOff(3, 'bing'))).toBe('40');
      expect(textOf(ids.dropOffRate(3, 'bing'))).toBe('80.0%');
      expect(textOf(ids.medianTime(3, 'bing'))).toBe('2 h');
    });

    it('shows each step’s total over all groups', () => {
      renderPanel([groupedFunnelFrame()], {}, 1200, 600);
      expect([1, 2, 3].map((s) => textOf(ids.users(s)))).toEqual(['1,500', '450', '210']);
    });

    it('shows step totals instead of group numbers when group rows are too thin for text', () => {
      renderPanel([groupedFunnelFrame()], { orientation: 'horizontal' }, 500, 120);
      expect([1, 2, 3].map((s) => textOf(ids.users(s)))).toEqual(['1,500', '450', '210']);
      expect(screen.queryByTestId(ids.users(1, 'google'))).not.toBeInTheDocument();
      expect(screen.getByText('add_to_cart')).toBeInTheDocument();
    });

    it('has a legend with the groups, largest first, in palette colours', () => {
      renderPanel([groupedFunnelFrame()]);
      const items = within(screen.getByTestId(ids.legend)).getAllByTestId(/^sluice-funnel-legend-/);
      expect(items.map((i) => i.textContent)).toEqual(['google', 'bing', '(other)']);
      const swatches = items.map((i) => (i.firstElementChild as HTMLElement).style.background);
      expect(new Set(swatches).size).toBe(3);
    });

    it('leaves out groups beyond max groups and says how many', () => {
      renderPanel([groupedFunnelFrame()], { maxGroups: 2 });
      expect(screen.queryByTestId(ids.legendItem('(other)'))).not.toBeInTheDocument();
      expect(screen.queryByTestId(ids.users(1, '(other)'))).not.toBeInTheDocument();
      expect(screen.getByTestId(ids.legend)).toHaveTextContent('+1 more group not shown');
    });
  });

  describe('empty state', () => {
    it('explains what the panel needs when there is no data', () => {
      renderPanel([]);
      const empty = screen.getByTestId(ids.emptyState);
      expect(empty).toHaveTextContent('No funnel data');
      expect(empty).toHaveTextContent(/Sluice data source.*Funnel.*at least two steps/);
    });

    it('shows nothing while the first answer is loading', () => {
      renderPanel([], {}, 800, 400, LoadingState.Loading);
      expect(screen.queryByTestId(ids.emptyState)).not.toBeInTheDocument();
      expect(screen.queryByTestId(ids.panel)).not.toBeInTheDocument();
    });

    it('lists the expected and received fields for a non-funnel frame', () => {
      const frame = createDataFrame({
        fields: [
          { name: 'time', type: FieldType.time, values: [1] },
          { name: 'count', type: FieldType.number, values: [3] },
        ],
      });
      renderPanel([frame]);
      expect(screen.getByTestId(ids.emptyState)).toHaveTextContent('This data is not a funnel');
      expect(screen.getByTestId(ids.emptyState)).toHaveTextContent('step, event, users');
      expect(textOf(ids.emptyStateFound)).toBe('time (time), count (number)');
    });

    it('asks for a second step when there is only one', () => {
      const frame = createDataFrame({
        fields: [
          { name: 'event', type: FieldType.string, values: ['page_view'] },
          { name: 'users', type: FieldType.number, values: [5] },
        ],
      });
      renderPanel([frame]);
      expect(screen.getByTestId(ids.emptyState)).toHaveTextContent('A funnel needs at least two steps');
    });
  });
});
