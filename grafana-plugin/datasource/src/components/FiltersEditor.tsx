import React from 'react';
import { Button, Combobox, IconButton, Stack } from '@grafana/ui';

import { Filter, FILTER_OPS, FilterOp } from '../types';
import { takesValue, takesValues, valueFor, valueTexts, withOp } from './filter-values';
import { MetaCache } from './meta-cache';
import { PropertyPicker, ValuePicker, ValuesPicker } from './MetaPicker';
import { selectors } from './selectors';
import { text } from './text';

const OP_OPTIONS = FILTER_OPS.map((op) => ({ label: op, value: op }));
const ids = selectors.queryEditor;
const t = text.queryEditor;

interface Props {
  meta: MetaCache;
  /** The event whose properties and values are suggested. */
  event?: string;
  filters?: Filter[];
  onChange: (filters: Filter[]) => void;
  /** Names this list in test ids: `query`, or `step-<i>` for a funnel step. */
  scope: string;
}

export function FiltersEditor({ meta, event, filters = [], onChange, scope }: Props) {
  const update = (i: number, filter: Filter) => onChange(filters.map((f, j) => (j === i ? filter : f)));
  const remove = (i: number) => onChange(filters.filter((_, j) => j !== i));
  const add = () => onChange([...filters, { property: '', op: 'eq' }]);

  return (
    <Stack direction="column" gap={0.5}>
      {filters.map((filter, i) => (
        <Stack key={i} gap={0.5} alignItems="center" data-testid={ids.filterRow(scope, i)}>
          <PropertyPicker
            meta={meta}
            event={event}
            value={filter.property}
            onChange={(property) => update(i, { ...filter, property: property ?? '' })}
            testId={ids.filterProperty(scope, i)}
            placeholder={t.filterProperty}
            width={25}
          />
          <Combobox
            data-testid={ids.filterOp(scope, i)}
            options={OP_OPTIONS}
            value={filter.op}
            onChange={(o) => update(i, withOp(filter, o.value as FilterOp))}
            width={12}
          />
          {takesValue(filter.op) && takesValues(filter.op) && (
            <ValuesPicker
              meta={meta}
              property={filter.property}
              event={event}
              testId={ids.filterValue(scope, i)}
              placeholder={t.filterValues}
              value={valueTexts(filter.value)}
              onChange={(values) => update(i, { ...filter, value: valueFor(filter.op, values) })}
            />
          )}
          {takesValue(filter.op) && !takesValues(filter.op) && (
            <ValuePicker
              meta={meta}
              property={filter.property}
              event={event}
              testId={ids.filterValue(scope, i)}
              placeholder={t.filterValue}
              value={valueTexts(filter.value)[0]}
              onChange={(value) =>
                update(i, withValue(filter, valueFor(filter.op, value === undefined ? [] : [value])))
              }
            />
          )}
          <IconButton
            name="trash-alt"
            tooltip={t.removeFilter}
            aria-label={t.removeFilter}
            data-testid={ids.filterRemove(scope, i)}
            onClick={() => remove(i)}
          />
        </Stack>
      ))}
      <div>
        <Button variant="secondary" size="sm" icon="plus" data-testid={ids.filterAdd(scope)} onClick={add}>
          {t.addFilter}
        </Button>
      </div>
    </Stack>
  );
}

function withValue(filter: Filter, value: Filter['value']): Filter {
  const { value: _old, ...rest } = filter;
  return value === undefined ? rest : { ...rest, value };
}
