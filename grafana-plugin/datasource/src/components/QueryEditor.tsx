import React, { useMemo } from 'react';
import { Combobox, Icon, InlineField, InlineFieldRow, InlineSwitch, Stack, Text } from '@grafana/ui';
import { QueryEditorProps } from '@grafana/data';

import { DataSource } from '../datasource';
import { DEFAULT_QUERY, Kind, KINDS, SluiceOptions, SluiceQuery } from '../types';
import { AggregateFields } from './AggregateFields';
import { LABEL_WIDTH, SectionProps } from './editor-props';
import { EventsFields } from './EventsFields';
import { FunnelFields } from './FunnelFields';
import { AGGREGATE_KINDS, LIVE_KINDS, switchKind } from './kind-rules';
import { metaCache } from './meta-cache';
import { queryHints } from './query-hints';
import { builderDocument, fromDocument, parseRaw, rawText } from './raw-document';
import { RawJsonEditor } from './RawJsonEditor';
import { RetentionFields } from './RetentionFields';
import { selectors } from './selectors';
import { text } from './text';

type Props = QueryEditorProps<DataSource, SluiceQuery, SluiceOptions>;

const ids = selectors.queryEditor;
const t = text.queryEditor;
const KIND_OPTIONS = KINDS.map((kind) => ({ label: t.kinds[kind], value: kind }));

/** A builder for every query kind, or the query document as raw JSON. */
export function QueryEditor({ query: stored, datasource, onChange, onRunQuery }: Props) {
  // Defaults only for a query that has none yet: a saved percentiles query has no aggregations
  // on purpose (it answers all five levels).
  const query: SluiceQuery = stored.kind ? stored : { ...DEFAULT_QUERY, ...stored, kind: DEFAULT_QUERY.kind! };
  const meta = useMemo(() => metaCache(datasource.api), [datasource]);

  const onPatch = (patch: Partial<SluiceQuery>, run = true) => {
    onChange({ ...query, ...patch });
    if (run) {
      onRunQuery();
    }
  };

  const onKind = (kind: Kind) => {
    onChange(switchKind(query, kind));
    onRunQuery();
  };

  const onRawToggle = (raw: boolean) => {
    if (raw) {
      // Start from what the builder sends, so raw mode is a refinement of it.
      onChange({ ...query, rawMode: true, rawJson: rawText(builderDocument(query)) });
      return;
    }
    const parsed = parseRaw(query.rawJson);
    onChange(parsed.ok ? { ...fromDocument(query, parsed.doc), rawMode: false } : { ...query, rawMode: false });
    onRunQuery();
  };

  const rawDoc = query.rawMode ? parseRaw(query.rawJson) : undefined;
  const kind: Kind = rawDoc?.ok && KINDS.includes(rawDoc.doc.kind as Kind) ? (rawDoc.doc.kind as Kind) : query.kind;
  const hints = query.rawMode ? [] : queryHints(query);
  const section: SectionProps = { query, meta, onPatch, onRunQuery };

  return (
    <Stack direction="column" gap={0.5}>
      <InlineFieldRow>
        <InlineField label={t.kind} labelWidth={LABEL_WIDTH} disabled={query.rawMode}>
          <Combobox
            data-testid={ids.kind}
            options={KIND_OPTIONS}
            value={kind}
            onChange={(o) => onKind(o.value)}
            width={20}
          />
        </InlineField>
        <InlineField label={t.rawToggle} tooltip={t.rawTooltip}>
          <InlineSwitch
            data-testid={ids.rawToggle}
            value={query.rawMode ?? false}
            onChange={(e) => onRawToggle(e.currentTarget.checked)}
          />
        </InlineField>
        {LIVE_KINDS.has(kind) && (
          <InlineField label={t.live} tooltip={t.liveTooltip}>
            <InlineSwitch
              data-testid={ids.live}
              value={query.live ?? false}
              onChange={(e) => onPatch({ live: e.currentTarget.checked || undefined })}
            />
          </InlineField>
        )}
      </InlineFieldRow>
      {query.rawMode ? (
        <RawJsonEditor
          value={query.rawJson ?? ''}
          onChange={(rawJson) => onChange({ ...query, rawJson })}
          onRunQuery={onRunQuery}
        />
      ) : (
        <BuilderSection {...section} />
      )}
      {hints.map((hint) => (
        <Stack key={hint} gap={0.5} alignItems="center" data-testid={ids.hint}>
          <Icon name="info-circle" />
          <Text color="warning" variant="bodySmall">
            {hint}
          </Text>
        </Stack>
      ))}
    </Stack>
  );
}

function BuilderSection(props: SectionProps) {
  const { kind } = props.query;
  if (AGGREGATE_KINDS.has(kind)) {
    return <AggregateFields {...props} />;
  }
  switch (kind) {
    case 'funnel':
      return <FunnelFields {...props} />;
    case 'retention':
      return <RetentionFields {...props} />;
    case 'events':
      return <EventsFields {...props} />;
    default:
      return null;
  }
}
