import React from 'react';
import { css } from '@emotion/css';
import { GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';

import { FunnelResult } from '../funnel-model';
import { selectors } from '../selectors';
import { text } from '../text';

type Props = { result: Exclude<FunnelResult, { status: 'ok' }> };

/** Says why there is no funnel to draw and what the panel needs instead. */
export function EmptyState({ result }: Props) {
  const styles = useStyles2(getStyles);
  let title: string;
  let body: React.ReactNode;
  switch (result.status) {
    case 'no-data':
      title = text.empty.noDataTitle;
      body = <p>{text.empty.noData}</p>;
      break;
    case 'too-few-steps':
      title = text.empty.tooFewStepsTitle;
      body = <p>{text.empty.tooFewSteps(result.steps)}</p>;
      break;
    case 'not-funnel':
      title = text.empty.notFunnelTitle;
      body = (
        <>
          <p>{text.empty.notFunnel}</p>
          <p className={styles.fields}>{result.expected.join(', ')}</p>
          <p>{text.empty.expectedGroups}</p>
          <p>{text.empty.found}</p>
          <p className={styles.fields} data-testid={selectors.funnelPanel.emptyStateFound}>
            {result.found.join(', ')}
          </p>
        </>
      );
      break;
  }
  return (
    <div className={styles.wrapper} data-testid={selectors.funnelPanel.emptyState}>
      <div className={styles.box}>
        <div className={styles.title}>{title}</div>
        {body}
      </div>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  wrapper: css({
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'center',
    height: '100%',
    overflow: 'auto',
    color: theme.colors.text.secondary,
  }),
  box: css({ maxWidth: 480, padding: theme.spacing(1), '& p': { marginBottom: theme.spacing(1) } }),
  title: css({ ...theme.typography.h5, color: theme.colors.text.primary, marginBottom: theme.spacing(1) }),
  fields: css({ fontFamily: theme.typography.fontFamilyMonospace, fontSize: theme.typography.bodySmall.fontSize }),
});
