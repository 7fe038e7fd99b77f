import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERRORS, SluiceError } from './errors.js';
import { rootPath } from './paths.js';

describe('error registry', () => {
  const doc = fs.readFileSync(rootPath('docs', 'errors.md'), 'utf8');

  it('documents every code with its status', () => {
    for (const [code, { status }] of Object.entries(ERRORS)) {
      expect(doc, code).toMatch(new RegExp(`\\| \`${code}\` \\| ${status} \\|`));
    }
  });

  it('documents no code that does not exist', () => {
    const documented = [...doc.matchAll(/\| `(SLUICE_E_[A-Z_]+)` \|/g)].map((m) => m[1]);
    expect(documented.sort()).toEqual(Object.keys(ERRORS).sort());
  });

  it('serialises code, message and details', () => {
    const e = new SluiceError('SLUICE_E_SPOOL_FULL', undefined, { retry_after_s: 5 });
    expect(e.status).toBe(503);
    expect(e.toJSON()).toEqual({ error: { code: 'SLUICE_E_SPOOL_FULL', message: ERRORS.SLUICE_E_SPOOL_FULL.message, retry_after_s: 5 } });
  });
});
