// authenticate: a write key from `Authorization: Bearer`, Basic auth (Segment: key as user),
// `?key=` (WebSocket) or the body (PostHog's api_key). Read keys are refused here.
import type { KeyRecord, KeyStore } from '../core/keys.js';
import { SluiceError } from '../core/errors.js';

export function keyFromAuthorization(header: string): string {
  const [scheme, value = ''] = header.trim().split(/\s+/, 2);
  if (/^bearer$/i.test(scheme)) return value;
  if (/^basic$/i.test(scheme)) {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    return decoded.split(':')[0];
  }
  return '';
}

export function createAuthenticateStep(keys: KeyStore) {
  return async function authenticate(key: string): Promise<KeyRecord> {
    if (!key) throw new SluiceError('SLUICE_E_UNAUTHORIZED', 'Missing write key: send Authorization: Bearer <write key>');
    const record = await keys.lookup(key);
    if (!record) throw new SluiceError('SLUICE_E_UNAUTHORIZED', 'Unknown or revoked key');
    if (record.kind !== 'write') throw new SluiceError('SLUICE_E_FORBIDDEN', 'This is a read key; ingestion needs a write key');
    return record;
  };
}
