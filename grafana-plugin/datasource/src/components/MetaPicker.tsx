import React, { useCallback } from 'react';
import { Combobox, ComboboxOption, MultiCombobox } from '@grafana/ui';

import { MetaCache } from './meta-cache';
import { asOption, isMeasure, matching } from './meta-options';

// Pickers fed by Sluice's meta endpoints. Each takes custom values (a property the meta
// endpoints have not seen yet, or a nested path such as `items[].quantity`) and the
// dashboard's template variables.

interface SingleProps {
  meta: MetaCache;
  value?: string;
  onChange: (value: string | undefined) => void;
  testId: string;
  placeholder?: string;
  width?: number;
}

type Loader = (input: string) => Promise<Array<ComboboxOption<string>>>;

/** One event or property name; clearing it, or an empty custom value, reports undefined. */
function NamePicker({
  load,
  value,
  onChange,
  testId,
  placeholder,
  width,
}: Omit<SingleProps, 'meta'> & { load: Loader }) {
  return (
    <Combobox
      data-testid={testId}
      options={load}
      value={asOption(value)}
      onChange={(o) => onChange(o?.value || undefined)}
      isClearable
      createCustomValue
      placeholder={placeholder}
      width={width}
    />
  );
}

export function EventPicker({ meta, value, onChange, testId, placeholder, width = 30 }: SingleProps) {
  const load = useCallback(
    async (input: string) =>
      matching(
        (await meta.events()).map((e) => ({ label: e.name, value: e.name })),
        input
      ),
    [meta]
  );
  return (
    <NamePicker load={load} value={value} onChange={onChange} testId={testId} placeholder={placeholder} width={width} />
  );
}

interface PropertyProps extends SingleProps {
  /** Scope the properties to one event. */
  event?: string;
  /** List only measures (numeric properties). */
  measures?: boolean;
}

function usePropertyLoader(meta: MetaCache, event: string | undefined, measures = false) {
  return useCallback(
    async (input: string): Promise<Array<ComboboxOption<string>>> => {
      const properties = await meta.properties(event);
      const options = properties
        .filter((p) => !measures || isMeasure(p))
        .map((p) => ({ label: p.name, value: p.name, description: p.type }));
      return matching(options, input);
    },
    [meta, event, measures]
  );
}

export function PropertyPicker({
  meta,
  value,
  onChange,
  testId,
  placeholder,
  width = 30,
  event,
  measures,
}: PropertyProps) {
  const load = usePropertyLoader(meta, event, measures);
  return (
    <NamePicker load={load} value={value} onChange={onChange} testId={testId} placeholder={placeholder} width={width} />
  );
}

interface MultiPropertyProps {
  meta: MetaCache;
  event?: string;
  value?: string[];
  onChange: (value: string[]) => void;
  testId: string;
  placeholder?: string;
  /** Most properties that may be picked; further picks are ignored. */
  max?: number;
  width?: number;
}

export function PropertiesPicker({
  meta,
  event,
  value,
  onChange,
  testId,
  placeholder,
  max,
  width = 40,
}: MultiPropertyProps) {
  const load = usePropertyLoader(meta, event);
  return (
    <MultiCombobox
      data-testid={testId}
      options={load}
      value={(value ?? []).map((v) => ({ label: v, value: v }))}
      onChange={(options) => {
        const picked = options.map((o) => o.value);
        onChange(max ? picked.slice(0, max) : picked);
      }}
      createCustomValue
      isClearable
      placeholder={placeholder}
      width={width}
    />
  );
}

interface ValueProps {
  meta: MetaCache;
  property: string;
  event?: string;
  testId: string;
  width?: number;
  placeholder?: string;
}

function useValueLoader(meta: MetaCache, property: string, event?: string) {
  return useCallback(
    async (input: string): Promise<Array<ComboboxOption<string>>> => {
      // A `$variable` property or none has no values to suggest.
      const values = property && !property.startsWith('$') ? await meta.values(property, event, input.trim()) : [];
      return matching(
        values.map((v) => ({ label: v, value: v })),
        input
      );
    },
    [meta, property, event]
  );
}

export function ValuePicker({
  meta,
  property,
  event,
  testId,
  width = 25,
  placeholder,
  value,
  onChange,
}: ValueProps & { value?: string; onChange: (value: string | undefined) => void }) {
  const load = useValueLoader(meta, property, event);
  return (
    <Combobox
      data-testid={testId}
      options={load}
      value={asOption(value)}
      onChange={(o) => onChange(o?.value ?? undefined)}
      isClearable
      createCustomValue
      placeholder={placeholder}
      width={width}
    />
  );
}

export function ValuesPicker({
  meta,
  property,
  event,
  testId,
  width = 40,
  placeholder,
  value,
  onChange,
}: ValueProps & { value: string[]; onChange: (value: string[]) => void }) {
  const load = useValueLoader(meta, property, event);
  return (
    <MultiCombobox
      data-testid={testId}
      options={load}
      value={value.map((v) => ({ label: v, value: v }))}
      onChange={(options) => onChange(options.map((o) => o.value))}
      createCustomValue
      isClearable
      placeholder={placeholder}
      width={width}
    />
  );
}
