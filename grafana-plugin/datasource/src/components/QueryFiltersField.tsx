import React from 'react';
import { InlineField } from '@grafana/ui';

import { Filter } from '../types';
import { LABEL_WIDTH } from './editor-props';
import { allComplete } from './filter-values';
import { FiltersEditor } from './FiltersEditor';
import { MetaCache } from './meta-cache';
import { text } from './text';

interface Props {
  meta: MetaCache;
  /** The event whose properties and values are suggested. */
  event?: string;
  filters?: Filter[];
  /** As SectionProps' onPatch: the query runs only once every filter is complete. */
  onPatch: (patch: { filters: Filter[] }, run?: boolean) => void;
}

/** The query's own filters (scope `query`), labelled like the other fields of a kind's section. */
export function QueryFiltersField({ meta, event, filters, onPatch }: Props) {
  return (
    <InlineField label={text.queryEditor.filters} labelWidth={LABEL_WIDTH} grow>
      <FiltersEditor
        meta={meta}
        event={event}
        filters={filters}
        onChange={(next) => onPatch({ filters: next }, allComplete(next))}
        scope="query"
      />
    </InlineField>
  );
}
