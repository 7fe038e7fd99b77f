import { SluiceQuery } from '../types';
import { AGGREGATE_KINDS, COUNTING, MAX_FILTERS, MIN_STEPS, PERCENTILE_LEVELS } from './kind-rules';
import { text } from './text';

const hints = text.queryEditor.hints;

/** Problems in a builder query that the user can fix, in the order the editor shows its fields. */
export function queryHints(q: SluiceQuery): string[] {
  const found: string[] = [];
  if (AGGREGATE_KINDS.has(q.kind)) {
    if (!q.event) {
      found.push(hints.eventNeeded);
    }
    // Percentiles without aggregations answer all five levels, which need a measure too.
    const aggregations = q.aggregations?.length ? q.aggregations : q.kind === 'percentiles' ? PERCENTILE_LEVELS : [];
    const needMeasure = aggregations.filter((a) => !COUNTING.has(a));
    if (!q.measure && needMeasure.length) {
      found.push(hints.measureNeeded(needMeasure));
    }
  }
  if (q.kind === 'funnel') {
    const steps = q.steps ?? [];
    if (steps.length < MIN_STEPS) {
      found.push(hints.funnelTooFewSteps);
    }
    steps.forEach((step, i) => {
      if (!step.event) {
        found.push(hints.funnelStepEvent(i + 1));
      }
    });
  }
  if (q.kind === 'retention' && (!q.start_event || !q.return_event)) {
    found.push(hints.retentionEvents);
  }
  if (q.kind !== 'funnel') {
    const filters = q.filters ?? [];
    if (filters.length > MAX_FILTERS) {
      found.push(hints.tooManyFilters);
    }
    filters.forEach((f, i) => {
      if (!f.property) {
        found.push(hints.filterProperty(i + 1));
      } else if (f.op !== 'exists' && (f.value === undefined || (Array.isArray(f.value) && !f.value.length))) {
        found.push(hints.filterValue(i + 1));
      }
    });
  }
  return found;
}
