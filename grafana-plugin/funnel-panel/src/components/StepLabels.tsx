import React from 'react';
import { css, cx } from '@emotion/css';
import { GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';

import { formatDuration, formatPercent, formatUsers } from '../format';
import { StepValues } from '../funnel-model';
import { selectors } from '../selectors';
import { text } from '../text';

/** Which secondary labels the options ask for. */
export interface LabelChoice {
  conversionFromFirst: boolean;
  conversionFromPrevious: boolean;
  dropOff: boolean;
  medianTime: boolean;
}

interface Props {
  step: number;
  values: StepValues;
  labels: LabelChoice;
  /** The group's name with a breakdown; absent for the whole funnel. */
  group?: string;
  showUsers: boolean;
  showSecondary: boolean;
  /** `inline`: one line joined by dots; `stacked`: one line per label. */
  layout: 'inline' | 'stacked';
  className?: string;
}

const ids = selectors.funnelPanel;

/** The full description of a bar, for tooltips: nothing in it is ever truncated away. */
export function describeStep(event: string, values: StepValues, group?: string): string {
  const parts = [`${formatUsers(values.users)} ${text.funnel.users}`];
  if (values.conversionFromPrevious !== null) {
    parts.push(`${formatPercent(values.conversionFromFirst)} ${text.funnel.ofFirst}`);
    parts.push(`${formatPercent(values.conversionFromPrevious)} ${text.funnel.ofPrevious}`);
  }
  if (values.dropOff !== null && values.dropOffRate !== null) {
    parts.push(`${formatUsers(values.dropOff)} ${text.funnel.lost} (${formatPercent(values.dropOffRate)})`);
  }
  if (values.medianTimeMs !== null) {
    parts.push(`${text.funnel.median} ${formatDuration(values.medianTimeMs)}`);
  }
  return `${group === undefined ? event : `${event} · ${group}`}: ${parts.join(', ')}`;
}

function secondaryLabels(step: number, values: StepValues, labels: LabelChoice, group?: string): React.ReactNode[] {
  const out: React.ReactNode[] = [];
  // The first step converts from nothing: it shows its users only
  if (values.conversionFromPrevious === null) {
    return out;
  }
  if (labels.conversionFromFirst) {
    out.push(
      <span key="first">
        <span data-testid={ids.conversionFromFirst(step, group)}>{formatPercent(values.conversionFromFirst)}</span>{' '}
        {text.funnel.ofFirst}
      </span>
    );
  }
  if (labels.conversionFromPrevious) {
    out.push(
      <span key="previous">
        <span data-testid={ids.conversionFromPrevious(step, group)}>
          {formatPercent(values.conversionFromPrevious)}
        </span>{' '}
        {text.funnel.ofPrevious}
      </span>
    );
  }
  if (labels.dropOff && values.dropOff !== null && values.dropOffRate !== null) {
    out.push(
      <span key="drop-off">
        <span data-testid={ids.dropOff(step, group)}>{formatUsers(values.dropOff)}</span> {text.funnel.lost} (
        <span data-testid={ids.dropOffRate(step, group)}>{formatPercent(values.dropOffRate)}</span>)
      </span>
    );
  }
  if (labels.medianTime && values.medianTimeMs !== null) {
    out.push(
      <span key="median" title={text.funnel.medianTitle}>
        {text.funnel.median}{' '}
        <span data-testid={ids.medianTime(step, group)}>{formatDuration(values.medianTimeMs)}</span>
      </span>
    );
  }
  return out;
}

/** The numbers of one bar: users, then the secondary labels that fit. */
export function StepLabels({ step, values, labels, group, showUsers, showSecondary, layout, className }: Props) {
  const styles = useStyles2(getStyles);
  const secondary = showSecondary ? secondaryLabels(step, values, labels, group) : [];
  const users = showUsers ? (
    <span key="users" className={styles.users} data-testid={ids.users(step, group)}>
      {formatUsers(values.users)}
    </span>
  ) : null;

  if (layout === 'stacked') {
    return (
      <div className={cx(styles.stacked, className)}>
        {users && <div className={styles.line}>{users}</div>}
        {secondary.map((label, i) => (
          <div key={i} className={cx(styles.line, styles.secondary)}>
            {label}
          </div>
        ))}
      </div>
    );
  }
  const parts = users ? [users, ...secondary] : secondary;
  return (
    <div className={cx(styles.line, className)}>
      {parts.map((part, i) => (
        <React.Fragment key={i}>
          {i > 0 && <span className={styles.separator}> · </span>}
          {i === 0 && users ? part : <span className={styles.secondary}>{part}</span>}
        </React.Fragment>
      ))}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  stacked: css({ display: 'flex', flexDirection: 'column', minWidth: 0 }),
  line: css({
    minWidth: 0,
    overflow: 'hidden',
    textOverflow: 'ellipsis',
    whiteSpace: 'nowrap',
    lineHeight: '18px',
  }),
  users: css({ fontWeight: theme.typography.fontWeightMedium, fontVariantNumeric: 'tabular-nums' }),
  secondary: css({
    color: theme.colors.text.secondary,
    fontSize: theme.typography.bodySmall.fontSize,
    fontVariantNumeric: 'tabular-nums',
  }),
  separator: css({ color: theme.colors.text.disabled }),
});
