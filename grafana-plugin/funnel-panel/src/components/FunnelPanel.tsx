import React, { useMemo } from 'react';
import { css } from '@emotion/css';
import { LoadingState, PanelProps } from '@grafana/data';
import { useStyles2, useTheme2 } from '@grafana/ui';

import { formatUsers } from '../format';
import { buildFunnel } from '../funnel-model';
import { chooseLayout } from '../layout';
import { selectors } from '../selectors';
import { funnelSeries } from '../series';
import { text } from '../text';
import { FunnelOptions } from '../types';
import { EmptyState } from './EmptyState';
import { FunnelBars } from './FunnelBars';
import { LabelChoice } from './StepLabels';
import { Legend } from './Legend';

type Props = PanelProps<FunnelOptions>;

/** The funnel panel: a Sluice funnel query's steps as bars, with an optional breakdown. */
export function FunnelPanel({ data, options, width, height }: Props) {
  const theme = useTheme2();
  const styles = useStyles2(getStyles);
  const result = useMemo(() => buildFunnel(data.series, options.maxGroups), [data.series, options.maxGroups]);
  const series = useMemo(
    () => (result.status === 'ok' ? funnelSeries(result.model, theme, options.color) : []),
    [result, theme, options.color]
  );

  // While the first answer loads there is nothing to explain yet
  if (result.status === 'no-data' && data.state === LoadingState.Loading) {
    return <div className={styles.panel} style={{ width, height }} />;
  }
  if (result.status !== 'ok') {
    return (
      <div className={styles.panel} style={{ width, height }}>
        <EmptyState result={result} />
      </div>
    );
  }

  const { model } = result;
  const labels: LabelChoice = {
    conversionFromFirst: options.showConversionFromFirst,
    conversionFromPrevious: options.showConversionFromPrevious,
    dropOff: options.showDropOff,
    medianTime: options.showMedianTime,
  };
  const layout = chooseLayout({
    width,
    height,
    steps: model.steps.length,
    series: series.length,
    orientation: options.orientation,
    secondaryLabels: Object.values(labels).filter(Boolean).length,
    usersChars: Math.max(...series.flatMap((s) => s.values.map((v) => formatUsers(v.users).length))),
  });

  return (
    <div
      className={styles.panel}
      style={{ width, height }}
      role="figure"
      aria-label={text.funnel.ariaLabel}
      data-testid={selectors.funnelPanel.panel}
      data-orientation={layout.orientation}
      data-compact={layout.compact}
    >
      <div className={styles.plot}>
        <FunnelBars model={model} series={series} layout={layout} labels={labels} />
      </div>
      {model.groups.length > 0 && (
        <Legend series={series} groupFields={model.groupFields} hiddenGroups={model.hiddenGroups} />
      )}
    </div>
  );
}

const getStyles = () => ({
  panel: css({ display: 'flex', flexDirection: 'column', overflow: 'hidden' }),
  plot: css({ flex: '1 1 0', minHeight: 0, minWidth: 0 }),
});
