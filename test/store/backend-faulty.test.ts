/*
 * The fault-injection wrapper: transparent (it passes the conformance suite)
 * until a fault is set, then each fault does exactly what it says to exactly
 * the objects it matches, and a failed write leaves nothing in the inner store.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FaultyBackend } from '../../src/store/backend-faulty.js';
import { LocalBackend } from '../../src/store/backend-local.js';
import { MemoryBackend } from '../../src/store/backend-memory.js';
import { listAll, type Backend } from '../../src/store/backend.js';
import { backendConformance, expectBytes, idOf, testBytes } from './backend-conformance.js';

backendConformance('FaultyBackend(MemoryBackend) without faults', async () => ({
  backend: new FaultyBackend(new MemoryBackend(), { match: () => false, flipByteAt: 0, failReads: true, failWritesAfter: 0, failDeletes: true }),
  dispose: async () => {},
}));

async function* chunks(data: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let off = 0; off < data.length; off += size) yield data.slice(off, off + size);
}

describe('FaultyBackend', () => {
  const data = testBytes(1000, 1);
  const id = idOf(data);

  async function setup(): Promise<{ inner: MemoryBackend; f: FaultyBackend }> {
    const inner = new MemoryBackend();
    await inner.write('data', id, data);
    await inner.write('index', id, data);
    return { inner, f: new FaultyBackend(inner) };
  }

  it('flips the chosen object byte in every read that covers it, and only there', async () => {
    const { f } = await setup();
    f.faults = { flipByteAt: 500, match: (type) => type === 'data' };
    const whole = await f.read('data', id);
    const diff = [...whole.keys()].filter((i) => whole[i] !== data[i]);
    expect(diff).toEqual([500]);
    expect(whole[500]).toBe(data[500]! ^ 0x01);
    const range = await f.read('data', id, { offset: 490, length: 20 });
    expect([...range.keys()].filter((i) => range[i] !== data[490 + i])).toEqual([10]);
    expectBytes(await f.read('data', id, { offset: 0, length: 500 }), data.subarray(0, 500));
    expectBytes(await f.read('data', id, { offset: 501 }), data.subarray(501));
    expectBytes(await f.read('index', id), data); // not matched
    expect(f.counts.flipped).toBe(2);
  });

  it('truncates reads to simulate a short object', async () => {
    const { f } = await setup();
    f.faults = { truncateReadsBy: 7 };
    expectBytes(await f.read('data', id), data.subarray(0, 993));
    expectBytes(await f.read('data', id, { offset: 10, length: 5 }), new Uint8Array(0));
    expect(await f.stat('data', id)).toEqual({ size: 1000 }); // stat is not affected
  });

  it('fails reads with IO, but a missing object is still NOT_FOUND', async () => {
    const { f } = await setup();
    f.faults = { failReads: true };
    await expect(f.read('data', id)).rejects.toMatchObject({ code: 'IO', message: expect.stringContaining('injected') });
    await expect(f.read('data', 'ab'.repeat(32))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(f.read('data', 'BAD')).rejects.toThrow(RangeError);
    expect(f.counts.failedReads).toBe(1);
  });

  it('fails deletes with IO and deletes nothing', async () => {
    const { inner, f } = await setup();
    f.faults = { failDeletes: true };
    await expect(f.delete('data', id)).rejects.toMatchObject({ code: 'IO' });
    expect(await inner.stat('data', id)).toEqual({ size: 1000 });
    f.faults = {};
    await f.delete('data', id);
    await expect(inner.stat('data', id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  async function failWrites(inner: Backend): Promise<void> {
    const f = new FaultyBackend(inner, { failWritesAfter: 300, match: (type) => type === 'snapshots' });
    const big = testBytes(1000, 2);
    await expect(f.write('snapshots', idOf(big), chunks(big, 128))).rejects.toMatchObject({ code: 'IO' });
    await expect(f.write('snapshots', idOf(big), big)).rejects.toMatchObject({ code: 'IO' });
    expect(await listAll(inner, 'snapshots')).toEqual([]);
    const small = testBytes(300, 3); // at the limit: written
    await f.write('snapshots', idOf(small), chunks(small, 100));
    expectBytes(await inner.read('snapshots', idOf(small)), small);
    await f.write('index', idOf(big), chunks(big, 128)); // not matched
    expectBytes(await inner.read('index', idOf(big)), big);
    expect(f.counts.failedWrites).toBe(2);
  }

  it('fails writes part-way and the memory backend keeps nothing', async () => {
    await failWrites(new MemoryBackend());
  });

  it('fails writes part-way and the local backend keeps nothing, not even a temporary', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'clawback-faulty-'));
    try {
      await failWrites(await LocalBackend.create(join(parent, 'repo')));
      expect((await readdir(join(parent, 'repo', 'snapshots'))).filter((n) => n.startsWith('.'))).toEqual([]);
    } finally {
      await rm(parent, { recursive: true, force: true });
    }
  });
});
