import React from 'react';
import { Button, IconButton, Stack, Text } from '@grafana/ui';

import { FunnelStep } from '../types';
import { FiltersEditor } from './FiltersEditor';
import { MAX_STEPS } from './kind-rules';
import { MetaCache } from './meta-cache';
import { EventPicker } from './MetaPicker';
import { selectors } from './selectors';
import { text } from './text';

const ids = selectors.queryEditor;
const t = text.queryEditor;

interface Props {
  meta: MetaCache;
  steps: FunnelStep[];
  /** `run: false` while a step is unfinished (a filter without a value). */
  onChange: (steps: FunnelStep[], run: boolean) => void;
  isComplete: (steps: FunnelStep[]) => boolean;
}

/** A funnel's steps in order: each an event and its own filters; add, remove, move. */
export function FunnelStepsEditor({ meta, steps, onChange, isComplete }: Props) {
  const set = (next: FunnelStep[]) => onChange(next, isComplete(next));
  const update = (i: number, step: FunnelStep) => set(steps.map((s, j) => (j === i ? step : s)));
  const move = (i: number, by: -1 | 1) => {
    const next = [...steps];
    [next[i], next[i + by]] = [next[i + by], next[i]];
    set(next);
  };

  return (
    <Stack direction="column" gap={1}>
      {steps.map((step, i) => (
        <Stack key={i} direction="column" gap={0.5} data-testid={ids.funnelStep(i)}>
          <Stack gap={0.5} alignItems="center">
            <Text weight="medium">{t.step(i + 1)}</Text>
            <EventPicker
              meta={meta}
              value={step.event}
              onChange={(event) => update(i, { ...step, event: event ?? '' })}
              testId={ids.funnelStepEvent(i)}
            />
            <IconButton
              name="arrow-up"
              tooltip={t.moveUp}
              aria-label={t.moveUp}
              data-testid={ids.funnelStepUp(i)}
              disabled={i === 0}
              onClick={() => move(i, -1)}
            />
            <IconButton
              name="arrow-down"
              tooltip={t.moveDown}
              aria-label={t.moveDown}
              data-testid={ids.funnelStepDown(i)}
              disabled={i === steps.length - 1}
              onClick={() => move(i, 1)}
            />
            <IconButton
              name="trash-alt"
              tooltip={t.removeStep}
              aria-label={t.removeStep}
              data-testid={ids.funnelStepRemove(i)}
              onClick={() => set(steps.filter((_, j) => j !== i))}
            />
          </Stack>
          <FiltersEditor
            meta={meta}
            event={step.event}
            filters={step.filters}
            onChange={(filters) => update(i, { ...step, filters: filters.length ? filters : undefined })}
            scope={`step-${i}`}
          />
        </Stack>
      ))}
      <div>
        <Button
          variant="secondary"
          size="sm"
          icon="plus"
          data-testid={ids.funnelAddStep}
          disabled={steps.length >= MAX_STEPS}
          onClick={() => set([...steps, { event: '' }])}
        >
          {t.addStep}
        </Button>
      </div>
    </Stack>
  );
}
