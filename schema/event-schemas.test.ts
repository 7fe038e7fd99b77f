import { readFileSync, readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Ajv2020, type ErrorObject } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";

// ajv-formats is CommonJS; under NodeNext the default import is module.exports,
// whose `.default` is the plugin function (correct both at runtime and for tsc).
const addFormats = addFormatsModule.default;

type Json = Record<string, unknown>;

const eventsDir = new URL("./events/", import.meta.url);
const examplesDir = new URL("./events/examples/", import.meta.url);

const readJson = (url: URL): Json => JSON.parse(readFileSync(url, "utf8")) as Json;

const EVENT_TYPES = [
  "page_view",
  "api_request",
  "error",
  "order",
  "ml_job",
  "ticket",
  "booking",
] as const;
type EventType = (typeof EVENT_TYPES)[number];

const schemas = Object.fromEntries(
  EVENT_TYPES.map((t) => [t, readJson(new URL(`${t}.json`, eventsDir))]),
) as Record<EventType, Json>;

const examples = Object.fromEntries(
  EVENT_TYPES.map((t) => [t, readJson(new URL(`${t}.json`, examplesDir))]),
) as Record<EventType, { event: string; properties: Json }>;

function makeAjv() {
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  addFormats(ajv);
  return ajv;
}

const ajv = makeAjv();
for (const t of EVENT_TYPES) ajv.addSchema(schemas[t]);
const validatorFor = (t: EventType) => {
  const v = ajv.getSchema(`https://sluice.dev/schemas/events/${t}.json`);
  if (!v) throw new Error(`schema for ${t} not registered`);
  return v;
};

/** Deep-clones the valid example's properties and applies a mutation. */
function variant(t: EventType, mutate: (p: Json) => void): Json {
  const p = structuredClone(examples[t].properties);
  mutate(p);
  return p;
}

interface InvalidCase {
  name: string;
  data: Json;
  /** instancePath of the expected error ("" for a missing required property). */
  path: string;
  keyword: string;
  /** For `required` errors: the missing property. */
  missing?: string;
}

const invalid: Record<EventType, InvalidCase[]> = {
  page_view: [
    { name: "missing path", data: variant("page_view", (p) => delete p.path), path: "", keyword: "required", missing: "path" },
    { name: "negative duration", data: variant("page_view", (p) => (p.duration_ms = -5)), path: "/duration_ms", keyword: "minimum" },
    { name: "numeric title", data: variant("page_view", (p) => (p.title = 42)), path: "/title", keyword: "type" },
    { name: "overlong path", data: variant("page_view", (p) => (p.path = "/" + "a".repeat(5000))), path: "/path", keyword: "maxLength" },
  ],
  api_request: [
    { name: "unknown method", data: variant("api_request", (p) => (p.method = "FETCH")), path: "/method", keyword: "enum" },
    { name: "status out of range", data: variant("api_request", (p) => (p.status = 700)), path: "/status", keyword: "maximum" },
    { name: "fractional status", data: variant("api_request", (p) => (p.status = 200.5)), path: "/status", keyword: "type" },
    { name: "missing duration", data: variant("api_request", (p) => delete p.duration_ms), path: "", keyword: "required", missing: "duration_ms" },
    { name: "negative bytes", data: variant("api_request", (p) => (p.bytes = -1)), path: "/bytes", keyword: "minimum" },
  ],
  error: [
    { name: "missing message", data: variant("error", (p) => delete p.message), path: "", keyword: "required", missing: "message" },
    { name: "unknown severity", data: variant("error", (p) => (p.severity = "critical")), path: "/severity", keyword: "enum" },
    { name: "empty message", data: variant("error", (p) => (p.message = "")), path: "/message", keyword: "minLength" },
  ],
  order: [
    { name: "negative revenue", data: variant("order", (p) => (p.revenue = -10)), path: "/revenue", keyword: "minimum" },
    { name: "lower-case currency", data: variant("order", (p) => (p.currency = "eur")), path: "/currency", keyword: "pattern" },
    { name: "zero quantity", data: variant("order", (p) => ((p.items as Json[])[0].quantity = 0)), path: "/items/0/quantity", keyword: "minimum" },
    { name: "item without product_id", data: variant("order", (p) => delete (p.items as Json[])[1].product_id), path: "/items/1", keyword: "required", missing: "product_id" },
    { name: "unknown discount type", data: variant("order", (p) => (p.discount_type = "loyalty")), path: "/discount_type", keyword: "enum" },
    { name: "too many items", data: variant("order", (p) => (p.items = Array.from({ length: 501 }, (_, i) => ({ product_id: `p${i}`, quantity: 1, price: 1 })))), path: "/items", keyword: "maxItems" },
    { name: "string revenue", data: variant("order", (p) => (p.revenue = "129.90")), path: "/revenue", keyword: "type" },
  ],
  ml_job: [
    { name: "unknown status", data: variant("ml_job", (p) => (p.status = "done")), path: "/status", keyword: "enum" },
    { name: "missing provider", data: variant("ml_job", (p) => delete p.provider), path: "", keyword: "required", missing: "provider" },
    { name: "fractional tokens", data: variant("ml_job", (p) => (p.tokens_out = 1.5)), path: "/tokens_out", keyword: "type" },
    { name: "negative cost", data: variant("ml_job", (p) => (p.cost_usd = -0.01)), path: "/cost_usd", keyword: "minimum" },
  ],
  ticket: [
    { name: "unknown channel", data: variant("ticket", (p) => (p.channel = "fax")), path: "/channel", keyword: "enum" },
    { name: "satisfaction above 5", data: variant("ticket", (p) => (p.satisfaction = 6)), path: "/satisfaction", keyword: "maximum" },
    { name: "satisfaction 0", data: variant("ticket", (p) => (p.satisfaction = 0)), path: "/satisfaction", keyword: "minimum" },
    { name: "unknown priority", data: variant("ticket", (p) => (p.priority = "critical")), path: "/priority", keyword: "enum" },
  ],
  booking: [
    { name: "zero guests", data: variant("booking", (p) => (p.guests = 0)), path: "/guests", keyword: "minimum" },
    { name: "unknown season", data: variant("booking", (p) => (p.season = "winter")), path: "/season", keyword: "enum" },
    { name: "missing value", data: variant("booking", (p) => delete p.value), path: "", keyword: "required", missing: "value" },
    { name: "bad currency", data: variant("booking", (p) => (p.currency = "EURO")), path: "/currency", keyword: "pattern" },
    { name: "negative lead time", data: variant("booking", (p) => (p.lead_time_days = -3)), path: "/lead_time_days", keyword: "minimum" },
  ],
};

describe("event property schemas", () => {
  it("has exactly one schema file per shipped event type", () => {
    const files = readdirSync(eventsDir)
      .filter((f) => f.endsWith(".json"))
      .map((f) => f.slice(0, -".json".length))
      .sort();
    expect(files).toEqual([...EVENT_TYPES].sort());
  });

  it("compiles every schema in strict mode", () => {
    const strictAjv = makeAjv();
    for (const t of EVENT_TYPES) {
      expect(() => strictAjv.compile(schemas[t]), t).not.toThrow();
    }
  });

  describe.each(EVENT_TYPES)("%s", (t) => {
    const schema = schemas[t];
    const validate = validatorFor(t);

    it("has the expected metadata", () => {
      expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
      expect(schema.$id).toBe(`https://sluice.dev/schemas/events/${t}.json`);
      expect(schema.type).toBe("object");
      expect(schema.additionalProperties).toBe(true);
      expect(typeof schema.title).toBe("string");
      expect(typeof schema.description).toBe("string");
      expect(Array.isArray(schema.required) && (schema.required as unknown[]).length).toBeTruthy();
      for (const [name, prop] of Object.entries(schema.properties as Record<string, Json>)) {
        expect(typeof prop.description, `${t}.${name}.description`).toBe("string");
      }
    });

    it("accepts the realistic example", () => {
      expect(examples[t].event).toBe(t);
      const ok = validate(examples[t].properties);
      expect(validate.errors ?? []).toEqual([]);
      expect(ok).toBe(true);
    });

    it("accepts the minimal set of required properties", () => {
      const required = schema.required as string[];
      const minimal = Object.fromEntries(required.map((k) => [k, examples[t].properties[k]]));
      expect(validate(minimal), JSON.stringify(validate.errors)).toBe(true);
    });

    it("accepts app-specific extra properties", () => {
      const extended = { ...examples[t].properties, app_custom_field: { nested: [1, 2, 3] } };
      expect(validate(extended)).toBe(true);
    });

    it("rejects a non-object", () => {
      expect(validate([examples[t].properties])).toBe(false);
      expect(validate.errors?.[0]).toMatchObject({ instancePath: "", keyword: "type" });
    });

    it.each(invalid[t])("rejects: $name", ({ data, path, keyword, missing }) => {
      expect(validate(data)).toBe(false);
      const errors: ErrorObject[] = validate.errors ?? [];
      const match = errors.find(
        (e) =>
          e.instancePath === path &&
          e.keyword === keyword &&
          (missing === undefined || (e.params as { missingProperty?: string }).missingProperty === missing),
      );
      expect(match, JSON.stringify(errors)).toBeDefined();
    });
  });

  it("every event type has at least two invalid cases", () => {
    for (const t of EVENT_TYPES) expect(invalid[t].length, t).toBeGreaterThanOrEqual(2);
  });
});
