// docs/operations.md names settings, metrics and tables that operators act on: each must exist.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SETTINGS } from '../core/config.js';
import { PLACEMENT } from '../schema/cluster.js';

const doc = fs.readFileSync(new URL('../docs/operations.md', import.meta.url), 'utf8');
const found = (re: RegExp) => [...new Set([...doc.matchAll(re)].map((m) => m[0]))];

describe('docs/operations.md', () => {
  it('cites only settings that exist', () => {
    const known = new Set(Object.values(SETTINGS).map((s) => s.env));
    const cited = found(/\b(SLUICE|CLICKHOUSE|REDIS)_[A-Z0-9_]+\b/g).filter((name) => !name.startsWith('SLUICE_E_'));
    expect(cited.length).toBeGreaterThan(20);
    expect(cited.filter((name) => !known.has(name))).toEqual([]);
  });

  it('cites only metrics that exist', () => {
    const source = fs.readFileSync(new URL('../core/metrics.ts', import.meta.url), 'utf8');
    const cited = found(/\bsluice_[a-z_]+\b/g).filter((name) => !/^sluice_(bench|user)/.test(name));
    expect(cited.length).toBeGreaterThan(10);
    expect(cited.filter((name) => !source.includes(`'${name}'`))).toEqual([]);
  });

  it('places every table the cluster schema places', () => {
    for (const table of Object.keys(PLACEMENT)) expect(doc, table).toContain(`\`${table}\``);
  });
});
