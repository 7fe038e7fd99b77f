// chdb's native result stream frames every block as a complete output of its own: CSVWithNames
// repeats the header line in each chunk, and Parquet makes each chunk a whole file (magic,
// row group, footer). These turn such chunks back into one result, holding only the header or
// the row groups' metadata, never the rows.

/** Drops the header line that every chunk after the first repeats (CSVWithNames). */
export async function* dropRepeatedHeader(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  let header: Uint8Array | undefined;
  for await (const chunk of chunks) {
    if (!header) {
      header = chunk.subarray(0, csvRecordEnd(chunk));
      yield chunk;
      continue;
    }
    if (!startsWith(chunk, header)) throw new Error('stream chunk does not start with the header of the first chunk');
    if (chunk.length > header.length) yield chunk.subarray(header.length);
  }
}

/** Length of the first CSV record including its newline: a newline inside quotes does not end it. */
function csvRecordEnd(bytes: Uint8Array): number {
  let quoted = false;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0x22) quoted = !quoted; // a doubled quote toggles twice
    else if (bytes[i] === 0x0a && !quoted) return i + 1;
  }
  return bytes.length;
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  if (bytes.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false;
  return true;
}

const MAGIC = new Uint8Array([0x50, 0x41, 0x52, 0x31]); // "PAR1"

/**
 * Concatenates Parquet files into one: the first file's bytes up to its footer, every later
 * file's bytes between magic and footer, then one footer listing all row groups with their
 * offsets moved to where their bytes now are. Page indexes are dropped (their page offsets sit
 * in the data, not the footer; the stream is asked not to write them); bloom filters are kept.
 */
export async function* concatParquet(files: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  let written = 0;
  let first: TStruct | undefined;
  let rows = 0n;
  const rowGroups: Encoded[] = []; // kept encoded: a few hundred bytes per column and block
  for await (const file of files) {
    const footerStart = parquetFooterStart(file);
    const meta = readStruct(new Reader(file, footerStart));
    const bodyStart = first ? MAGIC.length : 0; // the first file's magic starts the result
    const shift = BigInt(written - bodyStart);
    first ??= meta;
    rows += field(meta, 3) as bigint;
    for (const rg of listItems(meta, 4)) rowGroups.push(new Encoded(writeStruct(new Writer(), moveRowGroup(rg as TStruct, shift)).bytes()));
    const body = file.subarray(bodyStart, footerStart);
    written += body.length;
    if (body.length) yield body;
  }
  if (!first) return;
  setField(first, 3, TYPE.I64, rows);
  setField(first, 4, TYPE.LIST, { elemType: TYPE.STRUCT, items: rowGroups });
  const footer = writeStruct(new Writer(), first).bytes();
  const tail = new Uint8Array(footer.length + 8);
  tail.set(footer);
  new DataView(tail.buffer).setUint32(footer.length, footer.length, true);
  tail.set(MAGIC, footer.length + 4);
  yield tail;
}

function parquetFooterStart(file: Uint8Array): number {
  const n = file.length;
  if (n < 12 || !startsWith(file, MAGIC) || !startsWith(file.subarray(n - 4), MAGIC)) throw new Error('stream chunk is not a Parquet file');
  const footerLength = new DataView(file.buffer, file.byteOffset, n).getUint32(n - 8, true);
  const start = n - 8 - footerLength;
  if (start < MAGIC.length) throw new Error('Parquet footer length out of range');
  return start;
}

// Field ids from parquet.thrift. RowGroup: 1 columns, 5 file_offset, 7 ordinal. ColumnChunk:
// 2 file_offset, 3 meta_data, 4-7 offset/column index. ColumnMetaData: 9 data_page_offset,
// 10 index_page_offset, 11 dictionary_page_offset, 14 bloom_filter_offset.
function moveRowGroup(rg: TStruct, shift: bigint): TStruct {
  moveOffsets(rg, [5], shift);
  removeFields(rg, [7]); // ordinals would repeat; they only matter to encryption
  for (const chunk of listItems(rg, 1) as TStruct[]) {
    moveOffsets(chunk, [2], shift);
    removeFields(chunk, [4, 5, 6, 7]);
    const meta = field(chunk, 3) as TStruct | undefined;
    if (meta) moveOffsets(meta, [9, 10, 11, 14], shift);
  }
  return rg;
}

function moveOffsets(s: TStruct, ids: number[], shift: bigint): void {
  for (const f of s.fields) if (ids.includes(f.id) && typeof f.value === 'bigint' && f.value > 0n) f.value += shift;
}

function removeFields(s: TStruct, ids: number[]): void {
  s.fields = s.fields.filter((f) => !ids.includes(f.id));
}

// Thrift compact protocol, as much as Parquet's footer uses: read into a tree that keeps every
// field (known or not) and write it back unchanged apart from what was edited.
const TYPE = { STOP: 0, TRUE: 1, FALSE: 2, BYTE: 3, I16: 4, I32: 5, I64: 6, DOUBLE: 7, BINARY: 8, LIST: 9, SET: 10, MAP: 11, STRUCT: 12 } as const;

type TValue = bigint | boolean | number | Uint8Array | TStruct | TList | TMap | Encoded;
interface TField {
  id: number;
  type: number;
  value: TValue;
}
interface TStruct {
  fields: TField[];
}
interface TList {
  elemType: number;
  items: TValue[];
}
/** A struct already written out. */
class Encoded {
  constructor(readonly bytes: Uint8Array) {}
}
interface TMap {
  keyType: number;
  valueType: number;
  entries: [TValue, TValue][];
}

function field(s: TStruct, id: number): TValue | undefined {
  return s.fields.find((f) => f.id === id)?.value;
}

function listItems(s: TStruct, id: number): TValue[] {
  return (field(s, id) as TList | undefined)?.items ?? [];
}

function setField(s: TStruct, id: number, type: number, value: TValue): void {
  const f = s.fields.find((x) => x.id === id);
  if (f) {
    f.type = type;
    f.value = value;
  } else {
    s.fields.push({ id, type, value });
    s.fields.sort((a, b) => a.id - b.id);
  }
}

class Reader {
  constructor(
    private readonly buf: Uint8Array,
    public pos: number,
  ) {}
  byte(): number {
    if (this.pos >= this.buf.length) throw new Error('Parquet footer ends early');
    return this.buf[this.pos++];
  }
  varint(): bigint {
    let result = 0n;
    for (let shift = 0n; ; shift += 7n) {
      const b = this.byte();
      result |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return result;
    }
  }
  zigzag(): bigint {
    const v = this.varint();
    return (v >> 1n) ^ -(v & 1n);
  }
  bytes(n: number): Uint8Array {
    if (this.pos + n > this.buf.length) throw new Error('Parquet footer ends early');
    return this.buf.slice(this.pos, (this.pos += n));
  }
}

function readValue(r: Reader, type: number): TValue {
  switch (type) {
    case TYPE.TRUE:
    case TYPE.FALSE:
      return r.byte() === TYPE.TRUE; // inside a list or map a bool is a byte
    case TYPE.BYTE:
      return r.byte();
    case TYPE.I16:
    case TYPE.I32:
    case TYPE.I64:
      return r.zigzag();
    case TYPE.DOUBLE:
      return new DataView(r.bytes(8).buffer).getFloat64(0, true);
    case TYPE.BINARY:
      return r.bytes(Number(r.varint()));
    case TYPE.LIST:
    case TYPE.SET: {
      const head = r.byte();
      const size = head >> 4 === 15 ? Number(r.varint()) : head >> 4;
      const elemType = head & 0x0f;
      const items: TValue[] = [];
      for (let i = 0; i < size; i++) items.push(readValue(r, elemType));
      return { elemType, items };
    }
    case TYPE.MAP: {
      const size = Number(r.varint());
      const kinds = size ? r.byte() : 0;
      const map: TMap = { keyType: kinds >> 4, valueType: kinds & 0x0f, entries: [] };
      for (let i = 0; i < size; i++) map.entries.push([readValue(r, map.keyType), readValue(r, map.valueType)]);
      return map;
    }
    case TYPE.STRUCT:
      return readStruct(r);
    default:
      throw new Error(`unknown Thrift type ${type} in Parquet footer`);
  }
}

function readStruct(r: Reader): TStruct {
  const fields: TField[] = [];
  let id = 0;
  for (;;) {
    const head = r.byte();
    const type = head & 0x0f;
    if (type === TYPE.STOP) return { fields };
    id = head >> 4 ? id + (head >> 4) : Number(r.zigzag());
    // A bool field carries its value in the type nibble.
    const value = type === TYPE.TRUE || type === TYPE.FALSE ? type === TYPE.TRUE : readValue(r, type);
    fields.push({ id, type: type === TYPE.FALSE ? TYPE.TRUE : type, value });
  }
}

class Writer {
  private out = new Uint8Array(256);
  private length = 0;
  private room(n: number): void {
    if (this.length + n <= this.out.length) return;
    const grown = new Uint8Array(Math.max(this.out.length * 2, this.length + n));
    grown.set(this.out.subarray(0, this.length));
    this.out = grown;
  }
  byte(b: number): void {
    this.room(1);
    this.out[this.length++] = b & 0xff;
  }
  varint(v: bigint): void {
    for (;;) {
      const low = Number(v & 0x7fn);
      v >>= 7n;
      if (v === 0n) return this.byte(low);
      this.byte(low | 0x80);
    }
  }
  zigzag(v: bigint): void {
    this.varint(v >= 0n ? v << 1n : ((-v) << 1n) - 1n);
  }
  raw(bytes: Uint8Array): void {
    this.room(bytes.length);
    this.out.set(bytes, this.length);
    this.length += bytes.length;
  }
  bytes(): Uint8Array {
    return this.out.slice(0, this.length);
  }
}

function writeValue(w: Writer, type: number, value: TValue): void {
  switch (type) {
    case TYPE.TRUE:
    case TYPE.FALSE:
      return w.byte(value ? TYPE.TRUE : TYPE.FALSE);
    case TYPE.BYTE:
      return w.byte(value as number);
    case TYPE.I16:
    case TYPE.I32:
    case TYPE.I64:
      return w.zigzag(value as bigint);
    case TYPE.DOUBLE: {
      const b = new Uint8Array(8);
      new DataView(b.buffer).setFloat64(0, value as number, true);
      return w.raw(b);
    }
    case TYPE.BINARY:
      w.varint(BigInt((value as Uint8Array).length));
      return w.raw(value as Uint8Array);
    case TYPE.LIST:
    case TYPE.SET: {
      const { elemType, items } = value as TList;
      if (items.length < 15) {
        w.byte((items.length << 4) | elemType);
      } else {
        w.byte(0xf0 | elemType);
        w.varint(BigInt(items.length));
      }
      for (const item of items) writeValue(w, elemType, item);
      return;
    }
    case TYPE.MAP: {
      const map = value as TMap;
      w.varint(BigInt(map.entries.length));
      if (map.entries.length) w.byte((map.keyType << 4) | map.valueType);
      for (const [k, v] of map.entries) {
        writeValue(w, map.keyType, k);
        writeValue(w, map.valueType, v);
      }
      return;
    }
    case TYPE.STRUCT:
      if (value instanceof Encoded) w.raw(value.bytes);
      else writeStruct(w, value as TStruct);
      return;
    default:
      throw new Error(`unknown Thrift type ${type} in Parquet footer`);
  }
}

function writeStruct(w: Writer, s: TStruct): Writer {
  let last = 0;
  for (const f of s.fields) {
    const type = f.type === TYPE.TRUE ? (f.value ? TYPE.TRUE : TYPE.FALSE) : f.type;
    const delta = f.id - last;
    if (delta > 0 && delta <= 15) {
      w.byte((delta << 4) | type);
    } else {
      w.byte(type);
      w.zigzag(BigInt(f.id));
    }
    last = f.id;
    if (f.type !== TYPE.TRUE) writeValue(w, f.type, f.value);
  }
  w.byte(TYPE.STOP);
  return w;
}
