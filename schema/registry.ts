// JSON Schemas are the single source of truth for events: compiled once into ajv validators.
import fs from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { rootPath } from '../core/paths.js';
import type { FieldError } from '../ingest/types.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;

export interface SchemaRegistry {
  envelope: ValidateFunction;
  /** The validator of an event's properties, if the event has a schema. */
  forEvent(event: string): ValidateFunction | undefined;
  events(): string[];
  schemaOf(event: string): object | undefined;
  envelopeSchema: object;
}

export function loadSchemas(dir = rootPath('schema', 'events')): SchemaRegistry {
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true, verbose: true });
  addFormats(ajv);
  const envelopeSchema = JSON.parse(fs.readFileSync(rootPath('schema', 'envelope.json'), 'utf8')) as object;
  const envelope = ajv.compile(envelopeSchema);
  const schemas = new Map<string, object>();
  const validators = new Map<string, ValidateFunction>();
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const schema = JSON.parse(fs.readFileSync(`${dir}/${file}`, 'utf8')) as object;
    const event = file.slice(0, -'.json'.length);
    schemas.set(event, schema);
    validators.set(event, ajv.compile(schema));
  }
  return {
    envelope,
    envelopeSchema,
    forEvent: (event) => validators.get(event),
    events: () => [...schemas.keys()],
    schemaOf: (event) => schemas.get(event),
  };
}

/** ajv errors as `{path, message}` with the path naming the offending field itself. */
export function fieldErrors(errors: ErrorObject[] | null | undefined, prefix = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const e of errors ?? []) {
    let path = prefix + e.instancePath;
    let message = e.message ?? 'is invalid';
    const p = e.params as Record<string, unknown>;
    if (e.keyword === 'required') {
      path += `/${String(p.missingProperty)}`;
      message = 'is required';
    } else if (e.keyword === 'additionalProperties') {
      path += `/${String(p.additionalProperty)}`;
      message = 'is not an allowed field';
    } else if (e.keyword === 'enum') {
      message = `must be one of: ${(p.allowedValues as unknown[]).join(', ')}`;
    } else if (e.keyword === 'pattern') {
      const description = (e.parentSchema as { description?: string } | undefined)?.description;
      message = description ? `has the wrong format: ${description}` : `must match ${String(p.pattern)}`;
    } else if (e.keyword === 'type') {
      message = `must be ${String(p.type).split(',').join(' or ')}`;
    } else if (e.keyword === 'oneOf' || e.keyword === 'if') {
      continue; // the branch errors already say what is wrong
    }
    out.push({ path, message });
  }
  return dedupeErrors(out);
}

function dedupeErrors(errors: FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const k = `${e.path}\u0000${e.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
