import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Spool } from './spool.js';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'spool-'));
const lines = (...rows: object[]) => Buffer.from(rows.map((r) => JSON.stringify(r) + '\n').join(''));

describe('spool', () => {
  it('appends to one open segment until sealed, then starts another', async () => {
    const dir = tmp();
    const spool = new Spool(dir);
    spool.recover();
    const a = spool.append(lines({ n: 1 }, { n: 2 }), 2);
    const b = spool.append(lines({ n: 3 }), 1);
    expect(b).toBe(a);
    await spool.sync();
    const sealed = await spool.seal();
    expect(sealed?.id).toBe(a.id);
    expect(sealed?.rows).toBe(3);
    const c = spool.append(lines({ n: 4 }), 1);
    expect(c.id).not.toBe(a.id);
    expect((await spool.read(sealed!)).toString()).toBe(lines({ n: 1 }, { n: 2 }, { n: 3 }).toString());
    expect(spool.bytes).toBe(a.bytes + c.bytes);
  });

  it('groups concurrent syncs and resolves every caller', async () => {
    const spool = new Spool(tmp());
    spool.recover();
    const waits: Promise<void>[] = [];
    for (let i = 0; i < 50; i++) {
      spool.append(lines({ i }), 1);
      waits.push(spool.sync());
    }
    await Promise.all(waits);
    expect(spool.open?.rows).toBe(50);
  });

  it('removes a segment only when told, and recovers the rest after a restart', async () => {
    const dir = tmp();
    const spool = new Spool(dir);
    spool.recover();
    spool.append(lines({ a: 1 }), 1);
    const first = (await spool.seal())!;
    spool.append(lines({ b: 1 }, { b: 2 }), 2);
    const second = (await spool.seal())!;
    spool.append(lines({ c: 1 }), 1);
    await spool.sync();
    await spool.remove(first);

    const again = new Spool(dir);
    const found = again.recover();
    expect(found.map((s) => s.id)).toEqual([second.id, spool.open!.id]);
    expect(found.map((s) => s.rows)).toEqual([2, 1]);
    expect(found.every((s) => s.recovered && s.sealed)).toBe(true);
    expect(again.bytes).toBe(found[0].bytes + found[1].bytes);
  });

  it('cuts a torn last line and drops an empty segment at recovery', async () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'seg-a.ndjson'), '{"x":1}\n{"x":2}\n{"x":');
    fs.writeFileSync(path.join(dir, 'seg-b.ndjson'), '{"y":');
    const found = new Spool(dir).recover();
    expect(found).toHaveLength(1);
    expect(found[0].rows).toBe(2);
    expect(fs.readFileSync(path.join(dir, 'seg-a.ndjson'), 'utf8')).toBe('{"x":1}\n{"x":2}\n');
    expect(fs.existsSync(path.join(dir, 'seg-b.ndjson'))).toBe(false);
  });
});
