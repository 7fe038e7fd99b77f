/**
 * Test selectors (`data-testid`) of the funnel panel, in one place for unit and browser tests.
 *
 * - `panel`: the funnel; its `data-orientation` attribute is `horizontal` or `vertical`, and
 *   `data-compact` is `true` when small size hides the secondary labels.
 * - `step(s)`: the element of step s (1-based, as the query's `step` field).
 * - Per step s, and per group g with a breakdown (the group's name as shown in the legend;
 *   leave it out for the whole funnel): `users(s, g)`, `conversionFromFirst(s, g)`,
 *   `conversionFromPrevious(s, g)`, `dropOff(s, g)` (users lost), `dropOffRate(s, g)` and
 *   `medianTime(s, g)`. Each element's text is only the value: `12,345`, `45.7%`, `3.2 min`.
 *   With a breakdown, `users(s)` is the step's total over all groups. Step 1 shows its users
 *   only (no conversions, drop-off or median).
 * - `legend`, `legendItem(g)`: the breakdown's legend.
 * - `emptyState`: the explanation shown instead of a funnel; `emptyStateFound`: the fields
 *   received, when they are not a funnel.
 */
const value = (name: string) => (step: number, group?: string) =>
  group === undefined ? `sluice-funnel-step-${step}-${name}` : `sluice-funnel-step-${step}-group-${group}-${name}`;

export const selectors = {
  funnelPanel: {
    panel: 'sluice-funnel',
    step: (step: number) => `sluice-funnel-step-${step}`,
    users: value('users'),
    conversionFromFirst: value('conversion-from-first'),
    conversionFromPrevious: value('conversion-from-previous'),
    dropOff: value('drop-off'),
    dropOffRate: value('drop-off-rate'),
    medianTime: value('median-time'),
    legend: 'sluice-funnel-legend',
    legendItem: (group: string) => `sluice-funnel-legend-${group}`,
    emptyState: 'sluice-funnel-empty',
    emptyStateFound: 'sluice-funnel-empty-found',
  },
};
