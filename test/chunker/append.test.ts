// The append fast path: for content that starts with the old content, keeping
// the old chunks but the last and chunking from the start of the old last chunk
// gives exactly the cuts of chunking the whole new content (fast-check over old
// sizes, appended sizes, parameters and gear tables).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { appendPlan, chunkAppended, chunkBuffer, keyedGear } from '../../src/chunker/index.js';
import type { ChunkerOptions } from '../../src/chunker/index.js';
import { randomBytes, textBytes } from '../helpers/prng.js';

const OPTS: ChunkerOptions[] = [
  { minSize: 64, avgSize: 256, maxSize: 1024 },
  { minSize: 65, avgSize: 300, maxSize: 1025, normalization: 3 },
  { minSize: 1024, avgSize: 4096, maxSize: 16384, gear: keyedGear(new Uint8Array(32).fill(9)) },
];

describe('append fast path', () => {
  it('keep + chunks of the tail from restartAt = chunks of the whole new content (fast-check)', () => {
    const pool = [randomBytes(60_000, 1), textBytes(60_000, 2), new Uint8Array(60_000)];
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 40_000 }), fc.integer({ min: 0, max: 20_000 }), fc.integer({ min: 0, max: 2 }), (p, oldSize, added, o) => {
        const opts = OPTS[o]!;
        const full = pool[p]!.subarray(0, oldSize + added);
        const oldLengths = chunkBuffer(full.subarray(0, oldSize), opts);
        const { keep, restartAt } = appendPlan(oldLengths);
        const expected = chunkBuffer(full, opts);
        expect([...keep, ...chunkBuffer(full.subarray(restartAt), opts)]).toEqual(expected);
        expect(chunkAppended(oldLengths, full, opts)).toEqual(expected);
        expect(restartAt).toBe(oldSize - (oldLengths.at(-1) ?? 0));
      }),
      { numRuns: 300 },
    );
  });

  it('a JSONL-like log: 200 appended lines re-hash only the last old chunk and the new bytes', () => {
    const old = textBytes(2_000_000, 3);
    const full = new Uint8Array(old.length + 50_000);
    full.set(old);
    full.set(textBytes(50_000, 4), old.length);
    const oldLengths = chunkBuffer(old);
    const { restartAt } = appendPlan(oldLengths);
    expect(full.length - restartAt).toBeLessThanOrEqual(50_000 + 65_536);
    expect(chunkAppended(oldLengths, full)).toEqual(chunkBuffer(full));
  });

  it('empty old content restarts at 0; bad lengths and short content are rejected', () => {
    expect(appendPlan([])).toEqual({ keep: [], restartAt: 0 });
    expect(() => appendPlan([10, 0, 5])).toThrow(/^"oldLengths\[1\]" expected integer >= 1, got 0$/);
    expect(() => appendPlan([10, 0])).toThrow(RangeError);
    expect(() => chunkAppended([100, 100], new Uint8Array(150))).toThrow(/^"newContent.length" expected integer >= 200, got 150$/);
  });
});
