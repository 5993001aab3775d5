/*
 * deltaFile with the candidate scan on worker threads (deltaChunksFromFile):
 * on files large enough to start workers, with literal and matching regions
 * alternating at chunk scale (so the driver switches between scanning ahead
 * and not), the delta is byte-identical to the single-threaded one, rdiff
 * applies it, an abort leaves nothing behind and the workers never keep the
 * process alive.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deltaChunksFromFile, deltaFile, patch, PARALLEL_DELTA_MIN, readSignature, signature } from '../../src/rsync/index.js';
import { concat, firstDiff } from '../helpers/bytes.js';
import { randomBytes } from '../helpers/prng.js';
import { Rdiff } from '../helpers/rdiff.js';
import { makeTempDir, type TempDir } from '../helpers/temp-dir.js';

let dir: TempDir;
const rdiff = new Rdiff();
const MiB = 1 << 20;
// 8 MiB basis; the new file: unrelated 6 MiB, the basis shifted by one inserted byte, unrelated 3 MiB, half the basis, an unrelated tail.
const basis = randomBytes(8 * MiB, 11);
const data = concat(randomBytes(6 * MiB, 12), basis.subarray(0, 3 * MiB), Uint8Array.of(7), basis.subarray(3 * MiB), randomBytes(3 * MiB + 5, 13), basis.subarray(MiB, 5 * MiB + 17), randomBytes(777, 14));

beforeAll(() => {
  dir = makeTempDir('delta-parallel');
  dir.write('basis.bin', basis);
  dir.write('new.bin', data);
});
afterAll(() => {
  dir.remove();
  rdiff.remove();
});

describe('deltaFile with scan workers', () => {
  it('is large enough to use them', () => {
    expect(data.length).toBeGreaterThan(PARALLEL_DELTA_MIN);
  });

  for (const kind of [{ format: 'native' as const }, { format: 'librsync' as const, weak: 'rabinkarp' as const, strong: 'blake2' as const }]) {
    it(`${kind.format}: the same delta as one thread, and rdiff applies it`, async () => {
      const sig = signature(basis, { ...kind, blockLen: 2048 });
      dir.write(`${kind.format}.sig`, sig);
      const one = await deltaFile(dir.file(`${kind.format}.sig`), dir.file('new.bin'), dir.file(`${kind.format}.1.delta`), { threads: 0 });
      const two = await deltaFile(dir.file(`${kind.format}.sig`), dir.file('new.bin'), dir.file(`${kind.format}.2.delta`), { threads: 2, chunkSize: 256 * 1024 });
      expect(two).toEqual(one);
      const d1 = dir.read(`${kind.format}.1.delta`);
      // The workers scanned the literal stretches and were left out of the matching ones.
      let report = { chunks: 0, scanned: 0 };
      const sigObj = readSignature(sig);
      const h = await open(dir.file('new.bin'), 'r');
      try {
        for await (const c of deltaChunksFromFile(sigObj, h, data.length, { threads: 2, chunkSize: 256 * 1024, scanReport: (r) => (report = r) })) void c;
      } finally {
        await h.close();
      }
      // The JavaScript loop in the workers (where WebAssembly is missing) gives the same delta.
      const jsOut: Uint8Array[] = [];
      const h3 = await open(dir.file('new.bin'), 'r');
      try {
        for await (const c of deltaChunksFromFile(sigObj, h3, data.length, { threads: 2, wasm: false })) jsOut.push(c.slice());
      } finally {
        await h3.close();
      }
      expect(firstDiff(concat(...jsOut), d1)).toBeUndefined();
      expect(report.chunks).toBe(Math.ceil(data.length / (256 * 1024)));
      expect(report.scanned).toBeGreaterThan(30);
      expect(report.scanned).toBeLessThan(report.chunks - 30);
      expect(one.copyBytes).toBeGreaterThan(10 * MiB);
      expect(one.literalBytes).toBeGreaterThan(9 * MiB);
      const d2 = dir.read(`${kind.format}.2.delta`);
      expect(firstDiff(d2, d1)).toBeUndefined();
      if (kind.format === 'librsync') expect(firstDiff(rdiff.patch(basis, d2), data)).toBeUndefined();
    });
  }

  it('stops at an abort, leaving no output or temp file', async () => {
    dir.write('a.sig', signature(basis, { format: 'native', blockLen: 2048 }));
    const ac = new AbortController();
    const p = deltaFile(dir.file('a.sig'), dir.file('new.bin'), dir.file('aborted.delta'), {
      threads: 2,
      signal: ac.signal,
      onProgress: (q) => {
        if (q.bytesDone > 5 * MiB) ac.abort();
      },
    });
    await expect(p).rejects.toMatchObject({ code: 'ABORTED' });
    expect(readdirSync(dir.path).filter((n) => n.includes('aborted'))).toEqual([]);
  });

  it('reads a pipe to its end (its size is 0)', async () => {
    if (process.platform === 'win32' || spawnSync('mkfifo', ['--version']).status !== 0) return;
    dir.write('p.sig', signature(basis, { format: 'native', blockLen: 2048 }));
    const fifo = dir.file('new.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const writer = spawn('sh', ['-c', 'cat "$1" > "$2"', 'sh', dir.file('new.bin'), fifo]);
    const closed = new Promise((r) => writer.on('close', r));
    const stats = await deltaFile(dir.file('p.sig'), fifo, dir.file('p.delta'));
    expect(await closed).toBe(0);
    expect(stats.newLength).toBe(data.length);
    expect(firstDiff(patch(basis, dir.read('p.delta')), data)).toBeUndefined();
  });

  it('a read that comes back short ends the data: chunks read before the file shrank are not spliced on', async () => {
    const sigObj = readSignature(signature(basis, { format: 'native', blockLen: 2048 }));
    let current = data;
    const cut = 2 * MiB + 512 * 1024;
    // The read of the third chunk is slow, and the file is cut to 2.5 MiB just before it completes;
    // the reads of the chunks after it (issued at the same time) see the old, longer file.
    const fake = {
      async read(buf: Uint8Array, off: number, len: number, pos: number | null) {
        const at = pos ?? 0;
        if (at >= 2 * MiB - 4096 && at < 3 * MiB - 4096) {
          await new Promise((r) => setTimeout(r, 50));
          current = data.subarray(0, cut);
        }
        const n = Math.max(0, Math.min(len, current.length - at));
        buf.set(current.subarray(at, at + n), off);
        return { bytesRead: n, buffer: buf };
      },
    } as unknown as FileHandle;
    const out: Uint8Array[] = [];
    for await (const c of deltaChunksFromFile(sigObj, fake, data.length, { threads: 1, chunkSize: MiB })) out.push(c.slice());
    expect(firstDiff(patch(basis, concat(...out)), data.subarray(0, cut))).toBeUndefined();
  });

  it('a consumer that stops early closes the workers', async () => {
    const sig = readSignature(signature(basis, { format: 'native', blockLen: 2048 }));
    const h = await open(dir.file('new.bin'), 'r');
    try {
      const gen = deltaChunksFromFile(sig, h, data.length, { threads: 2 });
      const first = await gen.next();
      expect(first.done).toBe(false);
      await gen.return(undefined);
    } finally {
      await h.close();
    }
    // A worker left running would keep vitest's fork alive; the pool's close() terminates them.
    const chunks: Uint8Array[] = [];
    const h2 = await open(dir.file('new.bin'), 'r');
    try {
      for await (const c of deltaChunksFromFile(sig, h2, data.length, { threads: 1 })) chunks.push(c);
    } finally {
      await h2.close();
    }
    expect(concat(...chunks).length).toBeGreaterThan(9 * MiB);
  });
});
