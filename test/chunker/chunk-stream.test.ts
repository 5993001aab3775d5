// The async-iterable helper: chunks carry exactly the input's bytes at their
// offsets, match the whole-buffer cuts for any piece sizes (including pieces of
// one byte, where cuts straddle pieces), own their data, and honour AbortSignal.
import fc from 'fast-check';
import { createReadStream } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { chunkBuffer, chunkStream } from '../../src/chunker/index.js';
import type { ChunkerOptions, StreamChunk } from '../../src/chunker/index.js';
import { randomBytes, textBytes } from '../helpers/prng.js';
import { makeTempDir } from '../helpers/temp-dir.js';

async function collect(it: AsyncIterable<StreamChunk>): Promise<StreamChunk[]> {
  const out: StreamChunk[] = [];
  for await (const c of it) out.push(c);
  return out;
}

function* pieces(data: Uint8Array, sizes: number[]): Generator<Uint8Array> {
  let at = 0;
  for (let k = 0; at < data.length; k++) {
    const n = Math.max(1, sizes[k % sizes.length]!);
    yield data.subarray(at, at + n);
    at += n;
  }
}

function expectTiles(chunks: StreamChunk[], data: Uint8Array, opts: ChunkerOptions): void {
  expect(chunks.map((c) => c.data.length)).toEqual(chunkBuffer(data, opts));
  let at = 0;
  for (const c of chunks) {
    expect(c.offset).toBe(at);
    expect(Buffer.from(c.data).equals(Buffer.from(data.subarray(at, at + c.data.length)))).toBe(true);
    at += c.data.length;
  }
  expect(at).toBe(data.length);
}

const SMALL: ChunkerOptions = { minSize: 64, avgSize: 256, maxSize: 1024 };

describe('chunkStream', () => {
  it('any piece sizes give the whole-buffer chunks with the right bytes (fast-check)', async () => {
    const data = textBytes(30_000, 1);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 3000 }), { minLength: 1, maxLength: 8 }), fc.constantFrom(SMALL, { minSize: 65, avgSize: 300, maxSize: 1025 }), async (sizes, opts) => {
        expectTiles(await collect(chunkStream(pieces(data, sizes), opts)), data, opts);
      }),
      { numRuns: 60 },
    );
  });

  it('one-byte pieces (every cut straddles a piece boundary somewhere)', async () => {
    const data = randomBytes(8000, 2);
    expectTiles(await collect(chunkStream(pieces(data, [1]), SMALL)), data, SMALL);
  });

  it('empty source and empty pieces', async () => {
    expect(await collect(chunkStream([], SMALL))).toEqual([]);
    const data = randomBytes(3000, 3);
    const withEmpty = [new Uint8Array(0), data.subarray(0, 1000), new Uint8Array(0), data.subarray(1000)];
    expectTiles(await collect(chunkStream(withEmpty, SMALL)), data, SMALL);
  });

  it('yielded data is a copy: changing the input afterwards does not change it', async () => {
    const data = randomBytes(5000, 4);
    const input = Uint8Array.from(data);
    const chunks = await collect(chunkStream([input], SMALL));
    input.fill(0);
    expectTiles(chunks, data, SMALL);
  });

  const tmp = makeTempDir('chunk-stream-');
  afterAll(() => tmp.remove());

  it('chunks a real file read stream like the buffer', async () => {
    const data = randomBytes(700_000, 5);
    const path = tmp.write('input.bin', data);
    const opts = { avgSize: 8192 };
    expectTiles(await collect(chunkStream(createReadStream(path, { highWaterMark: 10_000 }), opts)), data, opts);
  });

  it('stops with ABORTED when the signal fires', async () => {
    const ac = new AbortController();
    const gen = chunkStream(pieces(randomBytes(100_000, 6), [4096]), { ...SMALL, signal: ac.signal });
    await gen.next();
    ac.abort();
    await expect(gen.next()).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('rejects pieces that are not bytes and bad options', async () => {
    await expect(collect(chunkStream(['abc' as unknown as Uint8Array]))).rejects.toThrow(TypeError);
    await expect(collect(chunkStream([], { avgSize: 1 }))).rejects.toThrow(/^"avgSize" expected integer >= 256, got 1$/);
    await expect(collect(chunkStream([], { signal: 1 as never }))).rejects.toThrow(TypeError);
  });
});
