/*
 * The one conformance suite every storage backend passes (restic's
 * internal/backend/test). `backendConformance(name, factory)` registers the
 * describe/it blocks; each test gets a fresh, empty backend from the factory.
 * Optional harness hooks check what only some media have (temp files, modes).
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CONFIG_NAME,
  OBJECT_TYPES,
  deleteIfExists,
  listAll,
  type Backend,
  type ObjectType,
} from '../../src/store/backend.js';

/** A backend under test plus optional views of its storage medium. */
export interface BackendHarness {
  readonly backend: Backend;
  /** Temporary files currently on the medium (local: `.tmp-*`), for leak checks. */
  tempFiles?: () => Promise<string[]>;
  /** Every directory and file of the storage with its permission bits (POSIX media). */
  modes?: () => Promise<Array<{ path: string; kind: 'dir' | 'file'; mode: number }>>;
  /** A second backend instance on the same storage, for persistence checks. */
  reopen?: () => Promise<Backend>;
  /** Frees the storage. */
  dispose(): Promise<void>;
}

const HEX_TYPES = OBJECT_TYPES.filter((t): t is Exclude<ObjectType, 'config'> => t !== 'config');
const CONTENT_TYPES = HEX_TYPES.filter((t) => t !== 'locks');
const BAD_NAMES = ['', '../x', 'a/b', 'a\\b', '..', '.', 'AB01', 'ab01 ', ' ab01', 'ab.01', 'a', 'zz', '.tmp-ab01', 'ab\u0000', 'f'.repeat(129), 'config'];

/** Deterministic pseudo-random bytes (xorshift32); the seed picks the stream. */
export function testBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

/** The content address of `data` (SHA-256 hex), as the repository will name objects. */
export function idOf(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** A promise with its resolve function. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

async function* chunked(data: Uint8Array, sizes: number[]): AsyncGenerator<Uint8Array> {
  let off = 0;
  for (let i = 0; off < data.length; i++) {
    const n = sizes[i % sizes.length]!;
    yield data.slice(off, off + n);
    off += n;
  }
}

function nameFor(type: ObjectType, data: Uint8Array): string {
  return type === 'config' ? CONFIG_NAME : idOf(data);
}

/**
 * Byte equality without vitest's element-by-element diff (slow on large arrays);
 * on a mismatch it names the first differing offset.
 */
export function expectBytes(got: Uint8Array, want: Uint8Array): void {
  expect(got).toBeInstanceOf(Uint8Array);
  if (got.length === want.length && Buffer.compare(got, want) === 0) return;
  let i = 0;
  while (i < got.length && i < want.length && got[i] === want[i]) i++;
  expect.fail(`bytes differ: got ${got.length} bytes, want ${want.length}; first difference at offset ${i}`);
}

async function expectCode(p: Promise<unknown>, code: string): Promise<void> {
  await expect(p).rejects.toMatchObject({ code });
}

/**
 * Registers the conformance tests for one backend.
 * @example backendConformance('MemoryBackend', async () => ({ backend: new MemoryBackend(), dispose: async () => {} }));
 */
export function backendConformance(name: string, factory: () => Promise<BackendHarness>): void {
  describe(`backend conformance: ${name}`, () => {
    let h: BackendHarness;
    let b: Backend;
    beforeEach(async () => {
      h = await factory();
      b = h.backend;
    });
    afterEach(async () => {
      await b.close();
      await h.dispose();
    });

    async function expectNoTemps(): Promise<void> {
      if (h.tempFiles) expect(await h.tempFiles()).toEqual([]);
    }

    it('has a location', () => {
      expect(typeof b.location()).toBe('string');
      expect(b.location().length).toBeGreaterThan(0);
    });

    it('starts empty and reports missing objects as NOT_FOUND', async () => {
      const name = idOf(new Uint8Array([1]));
      for (const type of OBJECT_TYPES) {
        expect(await listAll(b, type)).toEqual([]);
        const n = type === 'config' ? CONFIG_NAME : name;
        await expectCode(b.stat(type, n), 'NOT_FOUND');
        await expectCode(b.read(type, n), 'NOT_FOUND');
        await expectCode(b.read(type, n, { offset: 0, length: 0 }), 'NOT_FOUND');
        await expect(b.read(type, n)).rejects.toThrow(type === 'config' ? 'config' : name);
      }
    });

    it('round-trips an object of every type through write, stat, read and list', async () => {
      for (const [i, type] of OBJECT_TYPES.entries()) {
        const data = testBytes(100 + i * 37, i + 1);
        const n = nameFor(type, data);
        await b.write(type, n, data);
        expect(await b.stat(type, n)).toEqual({ size: data.length });
        expect(await b.read(type, n)).toEqual(data);
        expect(await listAll(b, type)).toEqual([{ name: n, size: data.length }]);
      }
    });

    it('keeps the types apart: one name in every type, listed and deleted independently', async () => {
      const name = 'ab'.repeat(32);
      for (const [i, type] of HEX_TYPES.entries()) await b.write(type, name, testBytes(10 + i, i));
      for (const [i, type] of HEX_TYPES.entries()) {
        expect(await listAll(b, type)).toEqual([{ name, size: 10 + i }]);
        expect(await b.read(type, name)).toEqual(testBytes(10 + i, i));
      }
      await b.delete('index', name);
      expect(await listAll(b, 'index')).toEqual([]);
      for (const type of HEX_TYPES.filter((t) => t !== 'index')) expect(await listAll(b, type)).toHaveLength(1);
      expect(await listAll(b, 'config')).toEqual([]);
    });

    it('lists many objects with their sizes, each exactly once', async () => {
      const want = new Map<string, number>();
      for (let i = 0; i < 60; i++) {
        const data = testBytes(i * 3, 1000 + i);
        const n = idOf(data);
        want.set(n, data.length);
        await b.write('data', n, data);
      }
      await b.write('data', 'ab', testBytes(5, 1)); // shortest legal name
      want.set('ab', 5);
      const got = await listAll(b, 'data');
      expect(got).toHaveLength(want.size);
      expect(new Map(got.map((o) => [o.name, o.size]))).toEqual(want);
      expect(await listAll(b, 'snapshots')).toEqual([]);
    });

    it('reads every offset/length range of a small object', async () => {
      const data = testBytes(17, 7);
      const n = idOf(data);
      await b.write('data', n, data);
      for (let offset = 0; offset <= data.length; offset++) {
        expect(await b.read('data', n, { offset })).toEqual(data.slice(offset));
        for (let length = 0; offset + length <= data.length; length++) {
          expect(await b.read('data', n, { offset, length })).toEqual(data.slice(offset, offset + length));
        }
      }
      for (let length = 0; length <= data.length; length++) {
        expect(await b.read('data', n, { length })).toEqual(data.slice(0, length));
      }
    });

    it('rejects ranges past the end with TRUNCATED', async () => {
      const data = testBytes(17, 8);
      const n = idOf(data);
      await b.write('data', n, data);
      for (let offset = 0; offset <= data.length + 2; offset++) {
        for (let length = data.length - offset + 1; length <= data.length + 2; length++) {
          if (length < 0) continue;
          await expectCode(b.read('data', n, { offset, length }), 'TRUNCATED');
        }
      }
      await expectCode(b.read('data', n, { offset: 18 }), 'TRUNCATED');
      await expectCode(b.read('data', n, { offset: 2 ** 40 }), 'TRUNCATED');
    });

    it('rejects bad offsets and lengths as argument errors', async () => {
      const data = testBytes(10, 9);
      const n = idOf(data);
      await b.write('data', n, data);
      for (const bad of [-1, 1.5, Number.NaN, Infinity]) {
        await expect(b.read('data', n, { offset: bad })).rejects.toThrow(bad === -1 ? RangeError : TypeError);
        await expect(b.read('data', n, { length: bad })).rejects.toThrow(bad === -1 ? RangeError : TypeError);
      }
      await expect(b.read('data', n, { offset: '1' as unknown as number })).rejects.toThrow(TypeError);
      await expect(b.read('data', n, { offset: -1 })).rejects.toThrow('"offset" expected integer >= 0, got -1');
    });

    it('reads random ranges of a larger object correctly (property)', async () => {
      const data = testBytes(70_001, 10);
      const n = idOf(data);
      await b.write('data', n, data);
      await fc.assert(
        fc.asyncProperty(fc.nat(data.length), fc.nat(data.length), async (a, c) => {
          const offset = Math.min(a, c);
          const length = Math.max(a, c) - offset;
          expectBytes(await b.read('data', n, { offset, length }), data.subarray(offset, offset + length));
        }),
        { numRuns: 60 },
      );
    });

    it('stores and reads an empty object', async () => {
      const n = idOf(new Uint8Array(0));
      await b.write('snapshots', n, new Uint8Array(0));
      expect(await b.stat('snapshots', n)).toEqual({ size: 0 });
      expect(await b.read('snapshots', n)).toEqual(new Uint8Array(0));
      expect(await b.read('snapshots', n, { offset: 0, length: 0 })).toEqual(new Uint8Array(0));
      await expectCode(b.read('snapshots', n, { offset: 1 }), 'TRUNCATED');
      await expectCode(b.read('snapshots', n, { length: 1 }), 'TRUNCATED');
      expect(await listAll(b, 'snapshots')).toEqual([{ name: n, size: 0 }]);
    });

    it('validates types and names on every operation: no path tricks', async () => {
      const data = new Uint8Array([1, 2, 3]);
      for (const type of HEX_TYPES) {
        for (const bad of BAD_NAMES) {
          await expect(b.write(type, bad, data)).rejects.toThrow(RangeError);
          await expect(b.read(type, bad)).rejects.toThrow(RangeError);
          await expect(b.stat(type, bad)).rejects.toThrow(RangeError);
          await expect(b.delete(type, bad)).rejects.toThrow(RangeError);
        }
      }
      for (const bad of ['', 'ab01', '../config', 'CONFIG', 'config/']) {
        await expect(b.write('config', bad, data)).rejects.toThrow(RangeError);
        await expect(b.read('config', bad)).rejects.toThrow(RangeError);
      }
      for (const badType of ['tmp', 'data/..', '', 'Data', '..']) {
        await expect(b.write(badType as ObjectType, 'ab01', data)).rejects.toThrow(RangeError);
        await expect(b.stat(badType as ObjectType, 'ab01')).rejects.toThrow(RangeError);
        expect(() => b.list(badType as ObjectType)).toThrow(RangeError);
      }
      await expect(b.read('data', 42 as unknown as string)).rejects.toThrow(TypeError);
      await expect(b.write('data', 'ab01', 'text' as unknown as Uint8Array)).rejects.toThrow(TypeError);
      await expect(b.write('data', 'ab01', [data] as unknown as Uint8Array)).rejects.toThrow(TypeError);
      for (const type of OBJECT_TYPES) expect(await listAll(b, type)).toEqual([]);
      await expectNoTemps();
    });

    it('treats a second write of a content-addressed name as a no-op that keeps the first object', async () => {
      for (const type of CONTENT_TYPES) {
        const first = testBytes(50, 1);
        const n = idOf(first);
        await b.write(type, n, first);
        await b.write(type, n, first);
        await b.write(type, n, testBytes(80, 2)); // different bytes: still the first object
        expect(await b.read(type, n)).toEqual(first);
        expect(await listAll(b, type)).toEqual([{ name: n, size: 50 }]);
      }
      await expectNoTemps();
    });

    it('refuses to overwrite a lock or the config with EXISTS and keeps the old object', async () => {
      for (const type of ['locks', 'config'] as const) {
        const first = testBytes(40, 3);
        const n = type === 'config' ? CONFIG_NAME : 'cd'.repeat(32);
        await b.write(type, n, first);
        await expectCode(b.write(type, n, testBytes(40, 4)), 'EXISTS');
        await expectCode(b.write(type, n, chunked(testBytes(40, 4), [7])), 'EXISTS');
        expect(await b.read(type, n)).toEqual(first);
      }
      await expectNoTemps();
    });

    it('lets exactly one of two racing writers create a lock', async () => {
      const n = 'ef'.repeat(32);
      const a = testBytes(3000, 5);
      const c = testBytes(3000, 6);
      const results = await Promise.allSettled([b.write('locks', n, chunked(a, [100])), b.write('locks', n, chunked(c, [100]))]);
      const ok = results.filter((r) => r.status === 'fulfilled');
      expect(ok).toHaveLength(1);
      const failed = results.find((r) => r.status === 'rejected');
      expect(failed).toMatchObject({ reason: { code: 'EXISTS' } });
      const winner = results[0]!.status === 'fulfilled' ? a : c;
      expectBytes(await b.read('locks', n), winner);
      await expectNoTemps();
    });

    it('lets racing writers of one content-addressed object all succeed', async () => {
      const data = testBytes(5000, 11);
      const n = idOf(data);
      await Promise.all(Array.from({ length: 6 }, () => b.write('data', n, chunked(data, [333]))));
      expectBytes(await b.read('data', n), data);
      expect(await listAll(b, 'data')).toEqual([{ name: n, size: data.length }]);
      await expectNoTemps();
    });

    it('writes from an AsyncIterable of uneven chunks, empty ones included', async () => {
      const data = testBytes(100_000, 12);
      const n = idOf(data);
      await b.write('data', n, chunked(data, [1, 0, 4096, 7, 0, 65_536, 13]));
      expectBytes(await b.read('data', n), data);
      expect(await b.stat('data', n)).toEqual({ size: data.length });
    });

    it('copies data in and out: callers cannot change stored bytes', async () => {
      const data = testBytes(64, 13);
      const original = data.slice();
      const n = idOf(data);
      const chunk = data.slice(0, 32);
      await b.write('data', n, (async function* () {
        yield chunk;
        yield data.subarray(32);
      })());
      chunk.fill(0);
      data.fill(0);
      const got = await b.read('data', n);
      expect(got).toEqual(original);
      got.fill(0xff);
      expect(await b.read('data', n)).toEqual(original);
      expect(await b.read('data', n, { offset: 3, length: 5 })).toEqual(original.slice(3, 8));
    });

    it('does not list, stat or read an object while its write is in progress', async () => {
      const data = testBytes(2000, 14);
      const n = idOf(data);
      const firstSent = deferred();
      const release = deferred();
      const w = b.write('data', n, (async function* () {
        yield data.slice(0, 1000);
        firstSent.resolve();
        await release.promise;
        yield data.slice(1000);
      })());
      await firstSent.promise;
      expect(await listAll(b, 'data')).toEqual([]);
      await expectCode(b.stat('data', n), 'NOT_FOUND');
      await expectCode(b.read('data', n), 'NOT_FOUND');
      release.resolve();
      await w;
      expect(await listAll(b, 'data')).toEqual([{ name: n, size: 2000 }]);
    });

    it('leaves nothing behind when the signal fired before the write', async () => {
      const data = testBytes(100, 15);
      const n = idOf(data);
      const ac = new AbortController();
      ac.abort(new Error('stop'));
      await expectCode(b.write('data', n, data, { signal: ac.signal }), 'ABORTED');
      await expectCode(b.write('locks', n, chunked(data, [10]), { signal: ac.signal }), 'ABORTED');
      await expectCode(b.stat('data', n), 'NOT_FOUND');
      await expectCode(b.stat('locks', n), 'NOT_FOUND');
      await expectNoTemps();
    });

    it('leaves no object and no temporary when a write is aborted mid-stream', async () => {
      for (const type of ['data', 'locks', 'config'] as const) {
        const data = testBytes(10_000, 16);
        const n = nameFor(type, data);
        const ac = new AbortController();
        const firstSent = deferred();
        const never = deferred(); // the producer stalls: only the signal can end the write
        const w = b.write(type, n, (async function* () {
          yield data.slice(0, 5000);
          firstSent.resolve();
          await never.promise;
          yield data.slice(5000);
        })(), { signal: ac.signal });
        await firstSent.promise;
        ac.abort(new Error('user pressed ^C'));
        await expectCode(w, 'ABORTED');
        never.resolve();
        await expectCode(b.stat(type, n), 'NOT_FOUND');
        expect(await listAll(b, type)).toEqual([]);
        await expectNoTemps();
        // The name is still free afterwards.
        await b.write(type, n, data);
        expect(await b.read(type, n)).toEqual(data);
      }
    });

    it('leaves no object when the data iterable throws midway, and passes its error through', async () => {
      const data = testBytes(10_000, 17);
      const n = idOf(data);
      const boom = new Error('source vanished');
      const w = b.write('data', n, (async function* () {
        yield data.slice(0, 4000);
        throw boom;
      })());
      await expect(w).rejects.toBe(boom);
      await expectCode(b.stat('data', n), 'NOT_FOUND');
      expect(await listAll(b, 'data')).toEqual([]);
      await expectNoTemps();
    });

    it('leaves no object when the iterable yields something that is not bytes', async () => {
      const n = 'ab'.repeat(32);
      const w = b.write('index', n, (async function* () {
        yield new Uint8Array(10);
        yield 'oops' as unknown as Uint8Array;
      })());
      await expect(w).rejects.toThrow(TypeError);
      await expectCode(b.stat('index', n), 'NOT_FOUND');
      await expectNoTemps();
    });

    it('writes many different objects concurrently', async () => {
      const objects = Array.from({ length: 64 }, (_, i) => testBytes(500 + i * 101, 100 + i));
      await Promise.all(objects.map((d, i) => b.write(i % 2 === 0 ? 'data' : 'index', idOf(d), chunked(d, [97, 1000]))));
      const listed = [...(await listAll(b, 'data')), ...(await listAll(b, 'index'))];
      expect(listed).toHaveLength(objects.length);
      for (const [i, d] of objects.entries()) {
        expectBytes(await b.read(i % 2 === 0 ? 'data' : 'index', idOf(d)), d);
      }
      await expectNoTemps();
    });

    it('round-trips a 20 MB object streamed in 1 MiB chunks, with ranges across chunk boundaries', async () => {
      const data = testBytes(20 * 1000 * 1000 + 3, 18);
      const n = idOf(data);
      await b.write('data', n, chunked(data, [1 << 20]));
      expect(await b.stat('data', n)).toEqual({ size: data.length });
      expectBytes(await b.read('data', n), data);
      for (const [offset, length] of [[(1 << 20) - 3, (2 << 20) + 7], [(4 << 20) - 1, 2], [data.length - 4, 4], [0, 5 << 20]] as const) {
        expectBytes(await b.read('data', n, { offset, length }), data.subarray(offset, offset + length));
      }
      await expectCode(b.read('data', n, { offset: data.length - 4, length: 5 }), 'TRUNCATED');
    });

    it('deletes: the object is gone, deleting again is NOT_FOUND, the name can be reused', async () => {
      for (const type of OBJECT_TYPES) {
        const data = testBytes(33, 19);
        const n = nameFor(type, data);
        await b.write(type, n, data);
        await b.delete(type, n);
        await expectCode(b.stat(type, n), 'NOT_FOUND');
        await expectCode(b.read(type, n), 'NOT_FOUND');
        expect(await listAll(b, type)).toEqual([]);
        await expectCode(b.delete(type, n), 'NOT_FOUND');
        expect(await deleteIfExists(b, type, n)).toBe(false);
        await b.write(type, n, testBytes(12, 20));
        expect(await b.read(type, n)).toEqual(testBytes(12, 20));
        expect(await deleteIfExists(b, type, n)).toBe(true);
        expect(await listAll(b, type)).toEqual([]);
      }
    });

    it('honours an aborted signal on read and list', async () => {
      const data = testBytes(100, 21);
      const n = idOf(data);
      await b.write('data', n, data);
      const ac = new AbortController();
      ac.abort();
      await expectCode(b.read('data', n, { signal: ac.signal }), 'ABORTED');
      await expectCode(listAll(b, 'data', { signal: ac.signal }), 'ABORTED');
      expect(() => b.list('data', { signal: 'x' as unknown as AbortSignal })).toThrow(TypeError);
    });

    it('refuses work after close(), which is idempotent', async () => {
      const data = testBytes(10, 22);
      const n = idOf(data);
      await b.write('data', n, data);
      await b.close();
      await b.close();
      await expectCode(b.read('data', n), 'IO');
      await expectCode(b.write('data', idOf(testBytes(11, 1)), data), 'IO');
      await expectCode(b.stat('data', n), 'IO');
      await expectCode(b.delete('data', n), 'IO');
      expect(() => b.list('data')).toThrow(expect.objectContaining({ code: 'IO' }));
    });

    it.runIf(process.platform !== 'win32')('creates directories 0700 and files 0600', async (ctx) => {
      if (!h.modes) return ctx.skip();
      for (const type of OBJECT_TYPES) {
        const data = testBytes(10, 23);
        await b.write(type, nameFor(type, data), data);
      }
      const entries = await h.modes();
      expect(entries.filter((e) => e.kind === 'file')).toHaveLength(OBJECT_TYPES.length);
      for (const e of entries) expect({ path: e.path, mode: e.mode & 0o777 }).toEqual({ path: e.path, mode: e.kind === 'dir' ? 0o700 : 0o600 });
    });

    it('persists objects for a second instance on the same storage', async (ctx) => {
      if (!h.reopen) return ctx.skip();
      const data = testBytes(1000, 24);
      const n = idOf(data);
      await b.write('data', n, data);
      await b.write('config', CONFIG_NAME, data.subarray(0, 10));
      const other = await h.reopen();
      try {
        expect(await other.read('data', n)).toEqual(data);
        expect(await listAll(other, 'config')).toEqual([{ name: CONFIG_NAME, size: 10 }]);
        await other.delete('data', n);
        await expectCode(b.stat('data', n), 'NOT_FOUND');
      } finally {
        await other.close();
      }
    });
  });
}
