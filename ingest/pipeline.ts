// The ingestion pipeline after a request is decoded and authenticated:
// validate -> enrich -> dedupe -> spool -> batch -> (sink) -> ack.
// Every item ends as accepted, duplicate or rejected-with-reason; one bad event never costs
// its neighbours, and nothing is acknowledged before it is durable as the caller asked.
import type { Config } from '../core/config.js';
import { SluiceError } from '../core/errors.js';
import type { Metrics } from '../core/metrics.js';
import type { SchemaRegistry } from '../schema/registry.js';
import type { Batcher } from './batch.js';
import type { Deduper } from './dedupe.js';
import { enrich } from './enrich.js';
import type { RejectsWriter } from './rejects.js';
import type { Spool } from './spool.js';
import type { AckMode, DecodedItem, EventRow, IngestResult, Rejected, Source } from './types.js';
import { createValidateStep } from './validate.js';

export interface PipelineDeps {
  config: Config;
  schemas: SchemaRegistry;
  dedupe: Deduper;
  spool: Spool;
  batcher: Batcher;
  rejects: RejectsWriter;
  metrics: Metrics;
  /** Told, once the insert holding a request's events has committed, which events landed (live queries). */
  landed?: (project: string, events: string[]) => void;
}

export interface IngestRequest {
  project: string;
  source: Source;
  items: DecodedItem[];
  ack: AckMode;
}

export interface Pipeline {
  ingest(req: IngestRequest): Promise<IngestResult>;
  /** Refuse new work (shutdown). */
  close(): void;
}

export function createPipeline(deps: PipelineDeps): Pipeline {
  const { config, metrics } = deps;
  const validate = createValidateStep(deps.schemas, {
    maxProperties: config.maxProperties,
    maxPropertyDepth: config.maxPropertyDepth,
    maxStringLength: config.maxStringLength,
    maxFutureSkewMs: config.maxFutureSkewMs,
    maxPastMs: config.retentionRawDays * 86_400_000,
  });
  let closed = false;

  async function ingest(req: IngestRequest): Promise<IngestResult> {
    if (closed) throw new SluiceError('SLUICE_E_SHUTTING_DOWN');
    const now = Date.now();
    const rejected: Rejected[] = [];
    const rows: { row: EventRow; line: string; clientId: boolean }[] = [];

    for (const item of req.items) {
      if (item.rejection) {
        rejected.push({ index: item.index, ...item.rejection, raw: item.raw ?? '' });
        continue;
      }
      const v = validate(item.value, now);
      if (!v.ok) {
        rejected.push({ index: item.index, reason: v.reason, errors: v.errors, event: v.event, raw: item.raw ?? safeStringify(item.value) });
        continue;
      }
      const row = enrich(v.value, req.project, req.source, now);
      const line = JSON.stringify(row);
      if (Buffer.byteLength(line) > config.maxEventBytes) {
        rejected.push({
          index: item.index,
          reason: 'too_large',
          event: row.event,
          errors: [{ path: '', message: `event is larger than ${config.maxEventBytes} bytes` }],
          raw: item.raw ?? line,
        });
        continue;
      }
      rows.push({ row, line, clientId: v.value.event_id !== undefined });
    }

    // dedupe: only client-chosen ids can repeat.
    const clientIdx = rows.flatMap((r, i) => (r.clientId ? [i] : []));
    const dup = await deps.dedupe.check(req.project, clientIdx.map((i) => rows[i].row.event_id));
    const isDup = new Set(clientIdx.filter((_, k) => dup[k]));
    const fresh = rows.filter((_, i) => !isDup.has(i));
    const duplicates = isDup.size;
    if (duplicates > 0) metrics.eventsDuplicate.inc(duplicates);

    if (rejected.length > 0) deps.rejects.record(req.project, req.source, rejected, now);
    const result: IngestResult = {
      accepted: fresh.length,
      duplicates,
      rejected: rejected.map(({ index, reason, errors }) => ({ index, reason, errors })).sort((a, b) => a.index - b.index),
    };
    if (fresh.length === 0) return result;
    // Ids checked in but then not accepted must not count as seen.
    const unsee = () => deps.dedupe.forget(req.project, fresh.filter((r) => r.clientId).map((r) => r.row.event_id));

    // Shutdown began while this request awaited dedup (Redis): the spool's final drain may
    // already have sealed, so refuse now rather than append events no drain would flush.
    if (closed) {
      await unsee();
      throw new SluiceError('SLUICE_E_SHUTTING_DOWN');
    }
    // spool: refuse the whole request, before anything is accepted, when the spool is full.
    const buf = Buffer.from(`${fresh.map((r) => r.line).join('\n')}\n`);
    if (deps.spool.bytes + buf.length > config.spoolMaxBytes) {
      await unsee();
      throw new SluiceError('SLUICE_E_SPOOL_FULL', undefined, { retry_after_s: 5 });
    }
    let seg;
    try {
      seg = deps.batcher.add(buf, fresh.length);
    } catch (err) {
      await unsee();
      throw err;
    }
    if (deps.landed) {
      const names = [...new Set(fresh.map((r) => r.row.event))]; // only the names: a stalled insert must not hold the rows
      void seg.committed.then(() => deps.landed?.(req.project, names));
    }
    metrics.eventsAccepted.inc({ source: req.source }, fresh.length);

    await deps.spool.sync();
    if (req.ack === 'stored') {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), config.ackTimeoutMs)));
      const outcome = await Promise.race([seg.committed.then(() => 'stored' as const), timeout]);
      clearTimeout(timer);
      if (outcome === 'timeout') {
        throw new SluiceError('SLUICE_E_STORE_TIMEOUT', undefined, { spooled: fresh.length, retry_after_s: 5, ...result });
      }
    }
    return result;
  }

  return {
    ingest,
    close: () => {
      closed = true;
    },
  };
}

function safeStringify(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    // Nested too deeply for the stack (String() of such a value recurses too): keep the envelope.
    const tooDeep = '[not serializable: nested too deeply]';
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      try {
        return JSON.stringify({ ...v, properties: tooDeep });
      } catch {
        // deep somewhere else too
      }
    }
    return tooDeep;
  }
}
