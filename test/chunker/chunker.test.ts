// The push engine: cut points independent of how the input is split (fast-check
// over random splits, one-byte pushes), size bounds, empty and tiny inputs, and
// argument errors with the house message template.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Chunker, chunkBoundaries, chunkBuffer, keyedGear } from '../../src/chunker/index.js';
import type { ChunkBoundary, ChunkerOptions } from '../../src/chunker/index.js';
import { randomBytes, textBytes } from '../helpers/prng.js';

/** Pushes `data` cut at `splits` (sorted offsets) and returns every boundary. */
function pushSplit(data: Uint8Array, splits: number[], opts: ChunkerOptions): ChunkBoundary[] {
  const c = new Chunker(opts);
  const out: ChunkBoundary[] = [];
  let at = 0;
  for (const s of [...splits, data.length]) {
    out.push(...c.push(data.subarray(at, s)));
    at = s;
  }
  out.push(...c.finish());
  return out;
}

const SMALL: ChunkerOptions = { minSize: 64, avgSize: 256, maxSize: 1024 };
const ODD: ChunkerOptions = { minSize: 65, avgSize: 300, maxSize: 1025, normalization: 2 };

describe('split invariance', () => {
  it('random data, random split points, several parameter sets (fast-check)', () => {
    const big = randomBytes(20_000, 1);
    const text = textBytes(20_000, 2);
    fc.assert(
      fc.property(
        fc.constantFrom(big, text, new Uint8Array(5000)),
        fc.integer({ min: 0, max: 20_000 }),
        fc.array(fc.integer({ min: 0, max: 20_000 }), { maxLength: 40 }),
        fc.constantFrom(SMALL, ODD, { minSize: 1024, avgSize: 4096, maxSize: 8192, normalization: 0 } as ChunkerOptions),
        (source, n, rawSplits, opts) => {
          const data = source.subarray(0, Math.min(n, source.length));
          const splits = [...new Set(rawSplits.map((s) => s % (data.length + 1)))].sort((a, b) => a - b);
          expect(pushSplit(data, splits, opts)).toEqual(chunkBoundaries(data, opts));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('one byte per push gives the whole-buffer cuts (even and odd sizes)', () => {
    for (const opts of [SMALL, ODD]) {
      const data = randomBytes(12_000, 3);
      const every = Array.from({ length: data.length - 1 }, (_, i) => i + 1);
      expect(pushSplit(data, every, opts)).toEqual(chunkBoundaries(data, opts));
    }
  });

  it('boundaries tile the input: offsets continue, lengths add up, push() reports position', () => {
    const data = textBytes(100_000, 4);
    const c = new Chunker({ avgSize: 4096 });
    const b = [...c.push(data.subarray(0, 33_333)), ...c.push(data.subarray(33_333))];
    expect(c.position).toBe(data.length);
    b.push(...c.finish());
    let at = 0;
    for (const x of b) {
      expect(x.offset).toBe(at);
      at += x.length;
    }
    expect(at).toBe(data.length);
  });
});

describe('sizes', () => {
  it('every chunk but the last is within [min, max]; the last within [1, max]', () => {
    const cases: [Uint8Array, ChunkerOptions][] = [
      [randomBytes(300_000, 5), { minSize: 2048, avgSize: 8192, maxSize: 32768 }],
      [textBytes(300_000, 6), { minSize: 4096, avgSize: 16384, maxSize: 65536, normalization: 3 }],
      [new Uint8Array(300_000), { minSize: 2048, avgSize: 8192, maxSize: 32768 }],
      [randomBytes(100_000, 7), { minSize: 64, avgSize: 256, maxSize: 1024, normalization: 0 }],
    ];
    for (const [data, opts] of cases) {
      const lengths = chunkBuffer(data, opts);
      expect(lengths.reduce((a, b) => a + b, 0)).toBe(data.length);
      for (const [i, len] of lengths.entries()) {
        expect(len).toBeLessThanOrEqual(opts.maxSize!);
        expect(len).toBeGreaterThanOrEqual(i === lengths.length - 1 ? 1 : opts.minSize!);
      }
    }
  });

  it('an odd minSize allows minSize - 1, as the reference (its scan starts at 2 * floor(min / 2))', () => {
    const lengths = chunkBuffer(randomBytes(400_000, 8), { minSize: 65, avgSize: 256, maxSize: 1024, normalization: 0 });
    expect(Math.min(...lengths.slice(0, -1))).toBeGreaterThanOrEqual(64);
  });

  it('zeros with (1024, 4096, 16385) never cut: every chunk is maxSize, odd maxSize included', () => {
    expect(chunkBuffer(new Uint8Array(100_000), { minSize: 1024, avgSize: 4096, maxSize: 16385 })).toEqual([16385, 16385, 16385, 16385, 16385, 16385, 1690]);
  });

  it('the average on random data is near avgSize (normalization 1)', () => {
    const data = randomBytes(4 << 20, 9);
    for (const avgSize of [8192, 16384]) {
      const n = chunkBuffer(data, { avgSize }).length;
      const mean = data.length / n;
      expect(mean).toBeGreaterThan(avgSize * 0.7);
      expect(mean).toBeLessThan(avgSize * 1.5);
    }
  });
});

describe('empty and tiny inputs', () => {
  it('empty input: no chunks, whether pushed or not', () => {
    expect(chunkBuffer(new Uint8Array(0))).toEqual([]);
    const c = new Chunker();
    expect(c.push(new Uint8Array(0))).toEqual([]);
    expect(c.finish()).toEqual([]);
  });

  it('inputs up to minSize + 1 are one chunk with hash 0', () => {
    for (const n of [1, 2, 63, 64, 65]) {
      const b = chunkBoundaries(randomBytes(n, n), SMALL);
      expect(b).toEqual([{ offset: 0, length: n, hash: 0n }]);
    }
  });

  it('a maxSize chunk is returned by the push that completes it, not later', () => {
    expect(new Chunker(SMALL).push(new Uint8Array(1024)).map((b) => b.length)).toEqual([1024]);
    const c = new Chunker(SMALL);
    for (let k = 0; k < 1023; k++) expect(c.push(new Uint8Array(1))).toEqual([]);
    expect(c.push(new Uint8Array(1)).map((b) => b.length)).toEqual([1024]);
    expect(c.finish()).toEqual([]);
  });

  it('input of exactly maxSize zeros is one chunk; maxSize + 1 is two', () => {
    expect(chunkBuffer(new Uint8Array(1024), SMALL)).toEqual([1024]);
    expect(chunkBuffer(new Uint8Array(1025), SMALL)).toEqual([1024, 1]);
  });
});

describe('keyed tables change the cuts', () => {
  it('two keys and the standard table cut the same data differently; one key always the same way', () => {
    const data = randomBytes(200_000, 10);
    const k1 = new Uint8Array(32).fill(1);
    const k2 = new Uint8Array(32).fill(2);
    const a = chunkBuffer(data, { avgSize: 4096, gear: keyedGear(k1) });
    expect(chunkBuffer(data, { avgSize: 4096, gear: keyedGear(Uint8Array.from(k1)) })).toEqual(a);
    expect(chunkBuffer(data, { avgSize: 4096, gear: keyedGear(k2) })).not.toEqual(a);
    expect(chunkBuffer(data, { avgSize: 4096 })).not.toEqual(a);
  });
});

describe('argument errors', () => {
  const bad: [ChunkerOptions, RegExp, typeof RangeError | typeof TypeError][] = [
    [{ minSize: 63, avgSize: 256, maxSize: 1024 }, /^"minSize" expected integer >= 64, got 63$/, RangeError],
    [{ avgSize: 255, minSize: 64, maxSize: 1024 }, /^"avgSize" expected integer >= 256, got 255$/, RangeError],
    [{ avgSize: (4 << 20) + 1 }, /^"avgSize" expected integer <= 4194304, got 4194305$/, RangeError],
    [{ minSize: 64, avgSize: 256, maxSize: 1023 }, /^"maxSize" expected integer >= 1024, got 1023$/, RangeError],
    [{ avgSize: 1 << 20, maxSize: (16 << 20) + 1 }, /^"maxSize" expected integer <= 16777216, got 16777217$/, RangeError],
    [{ minSize: 8192, avgSize: 4096 }, /^"minSize" expected integer <= 4096, got 8192$/, RangeError],
    [{ avgSize: 8192, maxSize: 4096 }, /^"maxSize" expected integer >= 8192, got 4096$/, RangeError],
    [{ minSize: (1 << 20) + 2, avgSize: 2 << 20 }, /^"minSize" expected integer <= 1048576, got 1048578$/, RangeError],
    [{ normalization: 4 as 1 }, /^"normalization" expected one of 0, 1, 2, 3, got 4$/, RangeError],
    [{ avgSize: 1.5 }, /^"avgSize" expected integer, got 1.5$/, TypeError],
    [{ minSize: '64' as unknown as number }, /^"minSize" expected integer, got "64"$/, TypeError],
    [{ gear: {} as never }, /^"gear" expected GearTable/, TypeError],
  ];
  for (const [opts, msg, type] of bad) {
    it(`${JSON.stringify(opts)} -> ${type.name}`, () => {
      expect(() => new Chunker(opts)).toThrow(type);
      expect(() => new Chunker(opts)).toThrow(msg);
    });
  }

  it('push() of a non-Uint8Array is a TypeError; push() or finish() after finish() throws', () => {
    const c = new Chunker();
    expect(() => c.push('abc' as unknown as Uint8Array)).toThrow(/^"data" expected Uint8Array, got "abc"$/);
    c.finish();
    expect(() => c.push(new Uint8Array(1))).toThrow(/after finish/);
    expect(() => c.finish()).toThrow(/twice/);
  });
});
