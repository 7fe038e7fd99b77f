// The rows of the raw baseline: the same events as the load generators send, turned into the
// JSONEachRow lines Sluice writes (validate -> enrich -> JSON.stringify, as in ingest/pipeline.ts).
import fs from 'node:fs';
import { loadConfig } from '../../core/config.js';
import { enrich } from '../../ingest/enrich.js';
import { createValidateStep } from '../../ingest/validate.js';
import { loadSchemas } from '../../schema/registry.js';
import { eventsLib } from './events.js';

/** Writes `count` lines to `file`; returns the bytes written. */
export function writeRowsFile(file: string, count: number, project = 'default'): number {
  const config = loadConfig({});
  const validate = createValidateStep(loadSchemas(), {
    maxProperties: config.maxProperties,
    maxPropertyDepth: config.maxPropertyDepth,
    maxStringLength: config.maxStringLength,
    maxFutureSkewMs: config.maxFutureSkewMs,
    maxPastMs: config.retentionRawDays * 86_400_000,
  });
  const fd = fs.openSync(file, 'w');
  let bytes = 0;
  try {
    for (let done = 0; done < count; ) {
      const now = Date.now();
      const n = Math.min(10_000, count - done);
      const lines: string[] = [];
      for (const e of eventsLib.makeBatch(n, now)) {
        const v = validate(e, now);
        if (!v.ok) throw new Error(`generated event is invalid: ${JSON.stringify(v.errors)}`);
        lines.push(JSON.stringify(enrich(v.value, project, 'http', now)));
      }
      const buf = Buffer.from(lines.join('\n') + '\n');
      fs.writeSync(fd, buf);
      bytes += buf.length;
      done += n;
    }
  } finally {
    fs.closeSync(fd);
  }
  return bytes;
}

/** Splits JSONEachRow bytes into batches of `rows` lines (views on the buffer, no copies). */
export function splitLines(buf: Buffer, rows: number): { body: Buffer; rows: number }[] {
  const out: { body: Buffer; rows: number }[] = [];
  let start = 0;
  let n = 0;
  for (let i = buf.indexOf(0x0a); i !== -1; i = buf.indexOf(0x0a, i + 1)) {
    if (++n === rows) {
      out.push({ body: buf.subarray(start, i + 1), rows: n });
      start = i + 1;
      n = 0;
    }
  }
  if (n > 0) out.push({ body: buf.subarray(start), rows: n });
  return out;
}
