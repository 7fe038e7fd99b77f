import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { SluiceError } from '../core/errors.js';
import { bodyFormat, decodeEvents, decompress } from './decode.js';

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (err) {
    return (err as SluiceError).code;
  }
  return undefined;
};

describe('decode', () => {
  it('reads one object, an array, and NDJSON', () => {
    expect(decodeEvents(Buffer.from('{"event":"a"}'), 'json', 10)).toEqual([{ index: 0, value: { event: 'a' } }]);
    expect(decodeEvents(Buffer.from('[{"event":"a"},{"event":"b"}]'), 'json', 10).map((i) => i.value)).toEqual([{ event: 'a' }, { event: 'b' }]);
    expect(decodeEvents(Buffer.from('{"event":"a"}\n\n{"event":"b"}\n'), 'ndjson', 10).map((i) => i.value)).toEqual([{ event: 'a' }, { event: 'b' }]);
  });

  it('sniffs NDJSON sent as text/plain or without a type', () => {
    expect(bodyFormat('text/plain; charset=utf-8')).toBe('sniff');
    expect(decodeEvents(Buffer.from('{"event":"a"}\n{"event":"b"}'), 'sniff', 10)).toHaveLength(2);
    expect(decodeEvents(Buffer.from('[{"event":"a"}]'), 'sniff', 10)).toHaveLength(1);
  });

  it('rejects a bad NDJSON line alone', () => {
    const items = decodeEvents(Buffer.from('{"event":"a"}\n{"event":\n{"event":"c"}'), 'ndjson', 10);
    expect(items.map((i) => i.rejection?.reason ?? 'ok')).toEqual(['ok', 'invalid_json', 'ok']);
    expect(items[1].raw).toBe('{"event":');
  });

  it('rejects a non-UTF-8 NDJSON line alone', () => {
    const body = Buffer.concat([Buffer.from('{"event":"a"}\n{"event":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}\n{"event":"c"}')]);
    const items = decodeEvents(body, 'ndjson', 10);
    expect(items.map((i) => i.rejection?.reason ?? 'ok')).toEqual(['ok', 'invalid_utf8', 'ok']);
  });

  it('refuses a malformed JSON body, bad UTF-8 JSON, and too many events', () => {
    expect(codeOf(() => decodeEvents(Buffer.from('{"event":'), 'json', 10))).toBe('SLUICE_E_BAD_REQUEST');
    expect(codeOf(() => decodeEvents(Buffer.from([0x7b, 0xff, 0x7d]), 'json', 10))).toBe('SLUICE_E_BAD_REQUEST');
    expect(codeOf(() => decodeEvents(Buffer.from('[1,2,3]'), 'json', 2))).toBe('SLUICE_E_TOO_MANY_EVENTS');
    expect(codeOf(() => bodyFormat('application/xml'))).toBe('SLUICE_E_UNSUPPORTED_TYPE');
  });

  it('gunzips within the size bound', async () => {
    const small = zlib.gzipSync(Buffer.from('{"event":"a"}'));
    expect((await decompress(small, 'gzip', 1000)).toString()).toBe('{"event":"a"}');
    const bomb = zlib.gzipSync(Buffer.alloc(10_000_000, 0x20));
    await expect(decompress(bomb, 'gzip', 1_000_000)).rejects.toMatchObject({ code: 'SLUICE_E_BODY_TOO_LARGE' });
    await expect(decompress(Buffer.from('nope'), 'gzip', 1000)).rejects.toMatchObject({ code: 'SLUICE_E_BAD_REQUEST' });
    await expect(decompress(small, 'br', 1000)).rejects.toMatchObject({ code: 'SLUICE_E_UNSUPPORTED_TYPE' });
  });
});
