import React from 'react';
import { css } from '@emotion/css';
import { GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';

import { formatUsers } from '../format';
import { FunnelModel, FunnelStep, StepValues } from '../funnel-model';
import { FunnelLayout, LINE_PX } from '../layout';
import { selectors } from '../selectors';
import { FunnelSeries } from '../series';
import { text } from '../text';
import { describeStep, LabelChoice, StepLabels } from './StepLabels';

interface Props {
  model: FunnelModel;
  series: FunnelSeries[];
  layout: FunnelLayout;
  labels: LabelChoice;
}

const ids = selectors.funnelPanel;

/** Bar and drop-off lengths as percentages of the largest bar, so all bars share one scale. */
function extents(values: StepValues, max: number): { bar: string; dropOff: string } {
  const pct = (n: number) => `${max > 0 ? (Math.max(0, n) / max) * 100 : 0}%`;
  return { bar: pct(values.users), dropOff: pct(values.dropOff ?? 0) };
}

function StepTitle({ step, showTotal, inline }: { step: FunnelStep; showTotal: boolean; inline: boolean }) {
  const styles = useStyles2(getStyles);
  return (
    <div className={inline ? styles.stepTitleInline : styles.stepTitle}>
      <div className={styles.ellipsis} title={text.funnel.stepTitle(step.step, step.event)}>
        {step.event}
      </div>
      {showTotal && (
        <div
          className={inline ? styles.total : styles.ellipsis}
          title={`${formatUsers(step.total.users)} ${text.funnel.total}`}
        >
          <span data-testid={ids.users(step.step)}>{formatUsers(step.total.users)}</span>
          {/* On one line with the name, the number alone leaves the name more room */}
          {!inline && ` ${text.funnel.total}`}
        </div>
      )}
    </div>
  );
}

/** The funnel's bars and their labels, one row (horizontal) or column (vertical) per step. */
export function FunnelBars({ model, series, layout, labels }: Props) {
  const styles = useStyles2(getStyles);
  const grouped = model.groups.length > 0;
  const max = Math.max(0, ...series.flatMap((s) => s.values.map((v) => v.users + Math.max(0, v.dropOff ?? 0))));
  const horizontal = layout.orientation === 'horizontal';

  return (
    <div className={horizontal ? (grouped ? styles.groupedRows : styles.rows) : styles.columns}>
      {model.steps.map((step, i) => {
        const bars = series.map((s) => {
          const values = s.values[i];
          const size = extents(values, max);
          const tooltip = describeStep(step.event, values, s.group);
          return { s, values, size, tooltip };
        });
        // With a breakdown the step's total is secondary to the groups' bars, unless the groups
        // have no room for their own numbers
        const showTotal = grouped && (!layout.compact || !layout.seriesValues);
        if (horizontal) {
          return (
            <div key={step.step} className={styles.row} data-testid={ids.step(step.step)}>
              <div className={styles.rowLabel} style={{ width: layout.labelWidth }}>
                <StepTitle step={step} showTotal={showTotal} inline={layout.inlineTitle} />
              </div>
              <div className={styles.rowSeries}>
                {bars.map(({ s, values, size, tooltip }) => (
                  <div key={s.group ?? ''} className={styles.seriesRow} title={tooltip}>
                    <div className={styles.barLine}>
                      <div className={styles.hTrack}>
                        <div className={styles.hBar} style={{ width: size.bar, background: s.color }} />
                        <div className={styles.hBar} style={{ width: size.dropOff, background: s.dropOffColor }} />
                      </div>
                      {layout.seriesValues && (
                        <div className={styles.rowValue} style={{ width: layout.valueWidth }}>
                          <StepLabels
                            step={step.step}
                            values={values}
                            labels={labels}
                            group={s.group}
                            showUsers
                            showSecondary={grouped && !layout.compact}
                            layout="inline"
                          />
                        </div>
                      )}
                    </div>
                    {!grouped && !layout.compact && (
                      <StepLabels
                        step={step.step}
                        values={values}
                        labels={labels}
                        showUsers={false}
                        showSecondary
                        layout="inline"
                      />
                    )}
                  </div>
                ))}
              </div>
            </div>
          );
        }
        return (
          <div key={step.step} className={styles.column} data-testid={ids.step(step.step)}>
            <StepTitle step={step} showTotal={showTotal} inline={layout.inlineTitle} />
            <div className={styles.columnValues} style={{ height: layout.valueLines * LINE_PX }}>
              {bars.map(({ s, values, tooltip }) => (
                <div key={s.group ?? ''} className={styles.columnValue} title={tooltip}>
                  {grouped && <span className={styles.swatch} style={{ background: s.color }} />}
                  <StepLabels
                    className={styles.grow}
                    step={step.step}
                    values={values}
                    labels={labels}
                    group={s.group}
                    showUsers
                    showSecondary={!layout.compact}
                    layout={grouped ? 'inline' : 'stacked'}
                  />
                </div>
              ))}
            </div>
            <div className={styles.vTracks}>
              {bars.map(({ s, size, tooltip }) => (
                <div key={s.group ?? ''} className={styles.vTrack} title={tooltip}>
                  <div style={{ height: size.bar, background: s.color }} />
                  <div style={{ height: size.dropOff, background: s.dropOffColor }} />
                </div>
              ))}
            </div>
          </div>
        );
      })}
    </div>
  );
}

const ellipsis = { minWidth: 0, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' } as const;

const getStyles = (theme: GrafanaTheme2) => ({
  ellipsis: css(ellipsis),
  grow: css({ flex: '1 1 auto', minWidth: 0 }),
  rows: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(0.5), height: '100%', minHeight: 0 }),
  groupedRows: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(1.5), height: '100%', minHeight: 0 }),
  // Rows clip rather than spill into their neighbours when the panel is too short for the text
  row: css({
    display: 'flex',
    flex: '1 1 0',
    minHeight: 0,
    alignItems: 'center',
    gap: theme.spacing(1),
    overflow: 'hidden',
  }),
  rowLabel: css({ flex: '0 0 auto', minWidth: 0, lineHeight: '18px' }),
  stepTitle: css({ minWidth: 0, lineHeight: '18px' }),
  stepTitleInline: css({ display: 'flex', gap: theme.spacing(1), minWidth: 0, lineHeight: '18px' }),
  total: css({ flex: '0 0 auto', color: theme.colors.text.secondary }),
  rowSeries: css({
    display: 'flex',
    flexDirection: 'column',
    justifyContent: 'center',
    flex: '1 1 0',
    minWidth: 0,
    height: '100%',
  }),
  seriesRow: css({
    display: 'flex',
    flexDirection: 'column',
    flex: '1 1 0',
    minHeight: 0,
    maxHeight: 64,
    overflow: 'hidden',
  }),
  barLine: css({ display: 'flex', alignItems: 'center', gap: theme.spacing(1), flex: '1 1 0', minHeight: 0 }),
  hTrack: css({ display: 'flex', flex: '1 1 0', minWidth: 0, height: '80%', maxHeight: 32, minHeight: 2 }),
  hBar: css({ height: '100%', flex: '0 0 auto' }),
  rowValue: css({ flex: '0 0 auto', minWidth: 0 }),
  columns: css({ display: 'flex', gap: theme.spacing(1), height: '100%', minWidth: 0 }),
  column: css({ display: 'flex', flexDirection: 'column', flex: '1 1 0', minWidth: 0 }),
  columnValues: css({ flex: '0 0 auto', overflow: 'hidden', maxHeight: '60%' }),
  columnValue: css({ display: 'flex', alignItems: 'center', gap: theme.spacing(0.5), minWidth: 0 }),
  swatch: css({ flex: '0 0 auto', width: 8, height: 8, borderRadius: theme.shape.radius.circle }),
  vTracks: css({
    display: 'flex',
    alignItems: 'flex-end',
    gap: 2,
    flex: '1 1 0',
    minHeight: 0,
    marginTop: theme.spacing(0.5),
  }),
  vTrack: css({ display: 'flex', flexDirection: 'column-reverse', flex: '1 1 0', height: '100%', minWidth: 0 }),
});
