// decode: body bytes -> items. Gzip is undone with a bound on the decoded size, JSON and
// NDJSON are parsed, and a bad NDJSON line becomes a rejected item, not a failed request.
import zlib from 'node:zlib';
import { promisify } from 'node:util';
import { SluiceError } from '../core/errors.js';
import type { DecodedItem } from './types.js';

const gunzip = promisify(zlib.gunzip);
const utf8 = new TextDecoder('utf-8', { fatal: true });

export type BodyFormat = 'json' | 'ndjson' | 'sniff';

const TYPES: Record<string, BodyFormat> = {
  'application/json': 'json',
  'application/x-ndjson': 'ndjson',
  'application/ndjson': 'ndjson',
  'application/jsonl': 'ndjson',
  'application/x-jsonlines': 'ndjson',
  'text/plain': 'sniff',
  '': 'sniff',
};

export function bodyFormat(contentType: string): BodyFormat {
  const mime = contentType.split(';')[0].trim().toLowerCase();
  const format = TYPES[mime];
  if (!format) {
    throw new SluiceError('SLUICE_E_UNSUPPORTED_TYPE', `Content-Type "${mime}" is not supported; use application/json or application/x-ndjson`);
  }
  return format;
}

export async function decompress(body: Buffer, contentEncoding: string, maxBytes: number): Promise<Buffer> {
  const enc = contentEncoding.trim().toLowerCase();
  if (enc === '' || enc === 'identity') return body;
  if (enc !== 'gzip') throw new SluiceError('SLUICE_E_UNSUPPORTED_TYPE', `Content-Encoding "${enc}" is not supported; use gzip or none`);
  try {
    return await gunzip(body, { maxOutputLength: maxBytes });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) {
      throw new SluiceError('SLUICE_E_BODY_TOO_LARGE', `Decompressed body is larger than ${maxBytes} bytes`);
    }
    throw new SluiceError('SLUICE_E_BAD_REQUEST', `Body is not valid gzip: ${(err as Error).message}`);
  }
}

function parseJsonBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new SluiceError('SLUICE_E_BAD_REQUEST', `Body is not valid JSON: ${(err as Error).message}`);
  }
}

/** JSON (one event or an array) or NDJSON, into items. */
export function decodeEvents(body: Buffer, format: BodyFormat, maxEvents: number): DecodedItem[] {
  let items: DecodedItem[];
  if (format === 'sniff') format = looksLikeNdjson(body) ? 'ndjson' : 'json';
  if (format === 'json') {
    let text: string;
    try {
      text = utf8.decode(body);
    } catch {
      throw new SluiceError('SLUICE_E_BAD_REQUEST', 'Body is not valid UTF-8');
    }
    const value = parseJsonBody(text);
    items = Array.isArray(value) ? value.map((v, index) => ({ index, value: v })) : [{ index: 0, value }];
  } else {
    items = decodeNdjson(body);
  }
  if (items.length > maxEvents) {
    throw new SluiceError('SLUICE_E_TOO_MANY_EVENTS', `${items.length} events in one request; at most ${maxEvents}`);
  }
  return items;
}

function looksLikeNdjson(body: Buffer): boolean {
  let i = 0;
  while (i < body.length && (body[i] === 0x20 || body[i] === 0x0a || body[i] === 0x0d || body[i] === 0x09)) i++;
  if (body[i] !== 0x7b) return false; // '{'
  const nl = body.indexOf(0x0a, i);
  return nl !== -1 && body.subarray(nl).some((b) => b === 0x7b);
}

function decodeNdjson(body: Buffer): DecodedItem[] {
  let text: string | null;
  try {
    text = utf8.decode(body);
  } catch {
    text = null; // some line is not UTF-8: decode line by line to find which
  }
  if (text !== null) {
    const lines = text.split('\n');
    const nonEmpty = lines.filter((l) => l.trim() !== '');
    // Each line on its own: parsing the lines joined into one array is no faster, and two broken
    // lines can join into valid events ('{"x":[1' + '2]},{"event":"b"}').
    return nonEmpty.map((line, index) => parseLine(line, index));
  }
  const items: DecodedItem[] = [];
  let start = 0;
  while (start <= body.length) {
    let end = body.indexOf(0x0a, start);
    if (end === -1) end = body.length;
    const bytes = body.subarray(start, end);
    start = end + 1;
    if (bytes.toString('latin1').trim() === '') continue;
    const index = items.length;
    try {
      items.push(parseLine(utf8.decode(bytes), index));
    } catch {
      items.push({
        index,
        raw: bytes.toString('utf8'),
        rejection: { reason: 'invalid_utf8', errors: [{ path: '', message: 'line is not valid UTF-8' }] },
      });
    }
  }
  return items;
}

function parseLine(line: string, index: number): DecodedItem {
  try {
    return { index, value: JSON.parse(line), raw: line };
  } catch (err) {
    return { index, raw: line, rejection: { reason: 'invalid_json', errors: [{ path: '', message: (err as Error).message }] } };
  }
}
