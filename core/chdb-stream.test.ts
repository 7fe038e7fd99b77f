import { describe, expect, it } from 'vitest';
import { concatParquet, dropRepeatedHeader } from './chdb-stream.js';

const bytes = (text: string) => new TextEncoder().encode(text);

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<string> {
  let text = '';
  for await (const c of chunks) text += new TextDecoder().decode(c);
  return text;
}

async function* from(...chunks: Uint8Array[]): AsyncGenerator<Uint8Array> {
  yield* chunks;
}

describe('dropRepeatedHeader', () => {
  it('keeps the first header and drops its repeats', async () => {
    const out = await collect(dropRepeatedHeader(from(bytes('"a","b"\n1,2\n'), bytes('"a","b"\n3,4\n'), bytes('"a","b"\n'))));
    expect(out).toBe('"a","b"\n1,2\n3,4\n');
  });

  it('reads a header whose quoted name holds a newline as one line', async () => {
    const header = '"a","line\nbreak"\n';
    const out = await collect(dropRepeatedHeader(from(bytes(`${header}1,2\n`), bytes(`${header}3,4\n`))));
    expect(out).toBe(`${header}1,2\n3,4\n`);
  });

  it('refuses a chunk that does not repeat the header', async () => {
    await expect(collect(dropRepeatedHeader(from(bytes('"a"\n1\n'), bytes('"b"\n2\n'))))).rejects.toThrow(/header/);
  });
});

describe('concatParquet', () => {
  it('refuses a chunk that is not a Parquet file', async () => {
    await expect(collect(concatParquet(from(bytes('"a"\n1\n'))))).rejects.toThrow(/not a Parquet file/);
  });

  it('yields nothing for no files', async () => {
    expect(await collect(concatParquet(from()))).toBe('');
  });
});
