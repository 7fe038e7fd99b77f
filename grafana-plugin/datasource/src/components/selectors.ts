/**
 * Test selectors (`data-testid`) of the datasource's editors, in one place for unit and browser
 * tests. Each editor has its own section.
 *
 * Query editor (QueryEditor.tsx and the components it uses):
 * - `kind`: the query kind picker (combobox input).
 * - `rawToggle`: switches between the builder and raw JSON (a switch input).
 * - `rawJson`: the raw JSON text area; `rawError`: the inline parse error under it.
 * - `live`: the live toggle (a switch input), shown for kinds that can stream.
 * - `hint`: an inline hint about something the user can fix (one element per hint).
 * - `event`: the event picker; `measure`: the measure picker.
 * - `aggregations`: aggregations (multi combobox; a single combobox for forecast and anomalies).
 * - `groupBy`: group-by properties (multi combobox, up to 2; 1 for funnels).
 * - `limit`: top-N groups, or rows per page for kind events (number input).
 * - `interval`: `auto` or a fixed DSL interval; `compare`: none / previous period / previous year.
 * - `horizon`: forecast buckets ahead (number input).
 * - `properties`: columns returned by kind events (multi combobox).
 * - Funnel: `funnelAddStep` adds a step; per step i (0-based): `funnelStep(i)` the step's row,
 *   `funnelStepEvent(i)`, `funnelStepUp(i)`, `funnelStepDown(i)`, `funnelStepRemove(i)`, and
 *   its filters under the scope `step-<i>`; `window` the conversion window; `strictOrder` the
 *   strict order switch.
 * - Retention: `startEvent`, `returnEvent`, `period` (day / week radio group), `periods`.
 * - Filters, per scope (`query` for the query's own filters, `step-<i>` for funnel step i) and
 *   row i: `filterAdd(scope)` adds a row; `filterRow(scope, i)`, `filterProperty(scope, i)`,
 *   `filterOp(scope, i)`, `filterValue(scope, i)` (a combobox, or a multi combobox for `in` /
 *   `not_in`, absent for `exists`), `filterRemove(scope, i)`.
 *
 * Variable editor (VariableQueryEditor.tsx): `target` (what the variable lists), `event`,
 * `property` (for values), `prefix`, `limit`.
 *
 * Annotation editor (AnnotationQueryEditor.tsx): `rule` (rule id), `severity`, `state`, `limit`.
 *
 * Config editor (ConfigEditor.tsx): `url`, `readKey`.
 *
 * Combobox test ids sit on the input; its options are `role="option"` elements in a portal.
 * Switch test ids (`rawToggle`, `live`, `strictOrder`) sit on the checkbox input, which its
 * label covers: a browser clicks it with `{ force: true }` (or clicks the label).
 */
export const selectors = {
  queryEditor: {
    kind: 'sluice-query-kind',
    rawToggle: 'sluice-query-raw-toggle',
    rawJson: 'sluice-query-raw-json',
    rawError: 'sluice-query-raw-error',
    live: 'sluice-query-live',
    hint: 'sluice-query-hint',
    event: 'sluice-query-event',
    measure: 'sluice-query-measure',
    aggregations: 'sluice-query-aggregations',
    groupBy: 'sluice-query-group-by',
    limit: 'sluice-query-limit',
    interval: 'sluice-query-interval',
    compare: 'sluice-query-compare',
    horizon: 'sluice-query-horizon',
    properties: 'sluice-query-properties',
    funnelAddStep: 'sluice-query-funnel-add-step',
    funnelStep: (i: number) => `sluice-query-funnel-step-${i}`,
    funnelStepEvent: (i: number) => `sluice-query-funnel-step-${i}-event`,
    funnelStepUp: (i: number) => `sluice-query-funnel-step-${i}-up`,
    funnelStepDown: (i: number) => `sluice-query-funnel-step-${i}-down`,
    funnelStepRemove: (i: number) => `sluice-query-funnel-step-${i}-remove`,
    window: 'sluice-query-window',
    strictOrder: 'sluice-query-strict-order',
    startEvent: 'sluice-query-start-event',
    returnEvent: 'sluice-query-return-event',
    period: 'sluice-query-period',
    periods: 'sluice-query-periods',
    filterAdd: (scope: string) => `sluice-query-filters-${scope}-add`,
    filterRow: (scope: string, i: number) => `sluice-query-filters-${scope}-${i}`,
    filterProperty: (scope: string, i: number) => `sluice-query-filters-${scope}-${i}-property`,
    filterOp: (scope: string, i: number) => `sluice-query-filters-${scope}-${i}-op`,
    filterValue: (scope: string, i: number) => `sluice-query-filters-${scope}-${i}-value`,
    filterRemove: (scope: string, i: number) => `sluice-query-filters-${scope}-${i}-remove`,
  },
  variableEditor: {
    target: 'sluice-variable-target',
    event: 'sluice-variable-event',
    property: 'sluice-variable-property',
    prefix: 'sluice-variable-prefix',
    limit: 'sluice-variable-limit',
  },
  annotationEditor: {
    rule: 'sluice-annotation-rule',
    severity: 'sluice-annotation-severity',
    state: 'sluice-annotation-state',
    limit: 'sluice-annotation-limit',
  },
  configEditor: {
    url: 'sluice-config-url',
    readKey: 'sluice-config-read-key',
  },
};
