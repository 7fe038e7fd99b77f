import React from 'react';
import { css } from '@emotion/css';
import { GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';

import { selectors } from '../selectors';
import { FunnelSeries } from '../series';
import { text } from '../text';

interface Props {
  series: FunnelSeries[];
  groupFields: string[];
  hiddenGroups: number;
}

/** The breakdown's groups and their colours. */
export function Legend({ series, groupFields, hiddenGroups }: Props) {
  const styles = useStyles2(getStyles);
  return (
    <div className={styles.legend} data-testid={selectors.funnelPanel.legend} aria-label={groupFields.join(' / ')}>
      {series.map((s) => (
        <div
          key={s.group}
          className={styles.item}
          data-testid={selectors.funnelPanel.legendItem(s.group ?? '')}
          title={`${groupFields.join(' / ')}: ${s.group}`}
        >
          <span className={styles.swatch} style={{ background: s.color }} />
          <span className={styles.label}>{s.group}</span>
        </div>
      ))}
      {hiddenGroups > 0 && <div className={styles.hidden}>{text.funnel.hiddenGroups(hiddenGroups)}</div>}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  legend: css({
    display: 'flex',
    flexWrap: 'wrap',
    columnGap: theme.spacing(2),
    flex: '0 0 auto',
    maxHeight: 44,
    overflow: 'auto',
    paddingTop: theme.spacing(0.5),
    fontSize: theme.typography.bodySmall.fontSize,
    lineHeight: '20px',
  }),
  item: css({ display: 'flex', alignItems: 'center', gap: theme.spacing(0.5), minWidth: 0, maxWidth: 200 }),
  swatch: css({ flex: '0 0 auto', width: 14, height: 4, borderRadius: theme.shape.radius.default }),
  label: css({ minWidth: 0, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }),
  hidden: css({ color: theme.colors.text.secondary }),
});
