/** UI text of the funnel panel, in one place. */
export const text = {
  funnel: {
    ariaLabel: 'Funnel',
    stepTitle: (step: number, event: string) => `Step ${step}: ${event}`,
    users: 'users',
    total: 'total',
    ofFirst: 'of first',
    ofPrevious: 'of previous',
    lost: 'lost',
    median: 'median',
    medianTitle: 'Median time to convert from the previous step',
    hiddenGroups: (n: number) => `+${n} more ${n === 1 ? 'group' : 'groups'} not shown`,
  },
  empty: {
    noDataTitle: 'No funnel data',
    noData:
      'This panel shows a Sluice funnel. Query the Sluice data source with the kind "Funnel" and at least two steps.',
    notFunnelTitle: 'This data is not a funnel',
    notFunnel:
      'The panel needs one row per step (and per group with a breakdown), from a Sluice funnel query with at least two steps. It looks for these fields:',
    expectedGroups: 'and, with a breakdown, one or two leading text fields for the groups.',
    found: 'The query returned:',
    tooFewStepsTitle: 'A funnel needs at least two steps',
    tooFewSteps: (n: number) =>
      `The query returned ${n} ${n === 1 ? 'step' : 'steps'}. Add steps to the Sluice funnel query so there is something to convert to.`,
  },
  options: {
    category: ['Funnel'],
    orientation: 'Orientation',
    orientationDescription: 'Auto draws horizontal bars when the panel is taller than it is wide.',
    orientationAuto: 'Auto',
    orientationHorizontal: 'Horizontal',
    orientationVertical: 'Vertical',
    labelsCategory: ['Labels'],
    showConversionFromFirst: 'Conversion from first step',
    showConversionFromPrevious: 'Conversion from previous step',
    showDropOff: 'Drop-off',
    showDropOffDescription: 'Users lost since the previous step, and their share of it.',
    showMedianTime: 'Median time to convert',
    labelsDescription: 'Step names and users are always shown; these labels give way first in small panels.',
    color: 'Colour',
    colorDescription:
      'Bar colour without a breakdown; unset, the field colour or the classic palette. With a breakdown, groups take the classic palette.',
    colorPlaceholder: 'From the field or palette',
    maxGroups: 'Max groups',
    maxGroupsDescription: 'Groups shown with a breakdown, the largest by first-step users first.',
  },
};
