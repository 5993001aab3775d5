// SQLite databases are chunked on page boundaries, so an in-place page update
// changes only the chunks of the pages it touched; other files use FastCDC.
import Database from 'better-sqlite3';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chunkBuffer } from '../../src/chunker/chunk-buffer.js';
import { chunkFile, FileChunker, sqliteChunkSize } from '../../src/chunker/file-chunks.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clawback-fc-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function* pieces(data: Uint8Array, size: number) {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}
async function chunksOf(data: Uint8Array, pieceSize = 7777) {
  const out: { len: number; hash: string }[] = [];
  for await (const c of chunkFile(pieces(data, pieceSize))) out.push({ len: c.data.length, hash: createHash('sha256').update(c.data).digest('hex') });
  return out;
}

describe('chunkFile', () => {
  it('cuts a real SQLite database on page boundaries; an update changes only its pages', async () => {
    const path = join(dir, 'm.sqlite');
    const db = new Database(path);
    db.pragma('page_size = 4096');
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)');
    const ins = db.prepare('INSERT INTO t (v) VALUES (?)');
    for (let i = 0; i < 500; i++) ins.run(randomBytes(1000));
    db.close();
    const a = new Uint8Array(await readFile(path));
    expect(sqliteChunkSize(a)).toBe(4096);
    const ca = await chunksOf(a, 5000);
    expect(ca.every((c) => c.len === 4096)).toBe(true);
    const db2 = new Database(path);
    db2.prepare('UPDATE t SET v = ? WHERE id = 250').run(randomBytes(1000));
    db2.close();
    const cb = await chunksOf(new Uint8Array(await readFile(path)));
    const known = new Set(ca.map((c) => c.hash));
    const changed = cb.filter((c) => !known.has(c.hash)).length;
    expect(changed).toBeGreaterThan(0);
    expect(changed).toBeLessThanOrEqual(3); // the row's page, the header page, maybe one more
  });

  it('uses FastCDC for other content, independent of how it is read', async () => {
    const data = new Uint8Array(randomBytes(300_000));
    const want = chunkBuffer(data);
    for (const size of [1, 99, 100, 101, 65536]) {
      if (size === 1) continue; // byte-at-a-time is covered by the chunker tests; slow here
      expect((await chunksOf(data, size)).map((c) => c.len)).toEqual(want);
    }
    // A file that merely mentions the magic later is not a database.
    expect(sqliteChunkSize(new Uint8Array(200))).toBe(0);
  });

  it('with views, chunks from a source that reuses one buffer are the same bytes as owned chunks', async () => {
    // A database-like head (fixed 4 KiB chunks) and plain data (FastCDC), read in pieces of
    // sizes that do and do not divide the chunk size, through one buffer the source overwrites.
    const db = new Uint8Array(randomBytes(200_000));
    db.set(Buffer.from('SQLite format 3\0'), 0);
    db[16] = 0x10;
    db[17] = 0x00; // page size 4096
    expect(sqliteChunkSize(db)).toBe(4096);
    for (const data of [db, new Uint8Array(randomBytes(300_000))]) {
      const want = (await chunksOf(data)).map((c) => c.hash);
      for (const size of [50, 4096, 5000, 65536]) {
        const buf = new Uint8Array(size);
        async function* reusing() {
          for (let i = 0; i < data.length; i += size) {
            const n = Math.min(size, data.length - i);
            buf.set(data.subarray(i, i + n));
            yield buf.subarray(0, n);
            buf.fill(0xee); // the source reuses its buffer once the next piece is asked for
          }
        }
        const got: string[] = [];
        for await (const c of chunkFile(reusing(), { views: true })) got.push(createHash('sha256').update(c.data).digest('hex'));
        expect(got, `piece size ${size}`).toEqual(want);
        // The push engine: chunks valid until the next push.
        const fc = new FileChunker({ views: true });
        const pushed: string[] = [];
        for (let i = 0; i < data.length; i += size) {
          const n = Math.min(size, data.length - i);
          buf.set(data.subarray(i, i + n));
          for (const c of fc.push(buf.subarray(0, n))) pushed.push(createHash('sha256').update(c.data).digest('hex'));
          buf.fill(0xee);
        }
        for (const c of fc.finish()) pushed.push(createHash('sha256').update(c.data).digest('hex'));
        expect(pushed, `push engine, piece size ${size}`).toEqual(want);
      }
    }
  });
});
