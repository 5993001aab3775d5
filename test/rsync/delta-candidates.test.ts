/*
 * Candidate lists (scanCandidates / DeltaEncoder.addCandidates): a matcher fed
 * lists of the windows that can match must emit exactly the delta it emits
 * without them, whatever the chunking, the segment boundaries, the gaps
 * between segments and the literal limit; a list missing candidates still
 * gives a correct (if larger) delta; a superset changes nothing.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DeltaEncoder, patch, rabinKarp, readSignature as readSig, signature, SignatureIndex, type CandidateSegment, type Signature } from '../../src/rsync/index.js';
import { findCandidates } from '../../src/rsync/scan-candidates.js';
import { concat, firstDiff } from '../helpers/bytes.js';
import { applyEdits, editArb } from '../helpers/edit-arb.js';
import { Rng } from '../helpers/prng.js';

const basisArb = fc.oneof(
  fc.uint8Array({ maxLength: 2500 }),
  fc.uint8Array({ maxLength: 2500, min: 0, max: 2 }),
  fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 9 }), fc.nat({ max: 2000 })).map(([p, n]) => Uint8Array.from({ length: n }, (_, i) => p[i % p.length]!)),
);
/** The weak sum, as the int32 a candidate list holds, of the window at `p`. */
const rkWeak = (data: Uint8Array, p: number, bl: number) => rabinKarp(data, p, p + bl) | 0;
const fractions = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 8 });
const points = (fs: readonly number[], n: number) => [...new Set(fs.map((f) => Math.floor(f * n)))].sort((a, b) => a - b);

/** Runs the encoder over `chunks` of `data`; before each chunk, adds the segments whose windows end inside the data so far. */
function encode(sig: Signature, data: Uint8Array, chunkCuts: number[], segs: CandidateSegment[], maxLiteral: number): Uint8Array {
  const enc = new DeltaEncoder(sig, { maxLiteral });
  const out: Uint8Array[] = [];
  let prev = 0;
  let s = 0;
  for (const c of [...chunkCuts, data.length]) {
    // A segment may be added as soon as the data it covers is about to arrive (or earlier).
    while (s < segs.length && segs[s]!.to - 1 + sig.blockLen <= c) enc.addCandidates(segs[s++]!);
    out.push(enc.push(data.subarray(prev, c)));
    prev = c;
  }
  out.push(enc.finish());
  return concat(...out);
}

/** Segments over [0, data.length - bl + 1) cut at `cuts`, every other one left out when `gaps`. */
function segments(index: SignatureIndex, data: Uint8Array, cuts: number[], gaps: boolean): CandidateSegment[] {
  const n = data.length - index.sig.blockLen + 1;
  if (n <= 0) return [];
  const at = [0, ...cuts.filter((c) => c > 0 && c < n), n];
  const segs: CandidateSegment[] = [];
  for (let i = 0; i + 1 < at.length; i++) {
    if (gaps && i % 2 === 1) continue;
    segs.push(findCandidates(index, data, 0, at[i]!, at[i + 1]!));
  }
  return segs;
}

describe('candidate lists', () => {
  for (const [name, strongLen, format] of [
    ['native', 8, 'native'],
    ['librsync, 32-byte strong sums', 32, 'librsync'],
    ['librsync, 4-byte strong sums (no speculation)', 4, 'librsync'],
  ] as const) {
    it(`${name}: the same delta with and without them`, () => {
      fc.assert(
        fc.property(
          basisArb,
          fc.array(editArb, { maxLength: 6 }),
          fc.integer({ min: 1, max: 48 }),
          fractions,
          fractions,
          fc.boolean(),
          fc.integer({ min: 1, max: 300 }),
          (basis, edits, blockLen, chunkFs, segFs, gaps, maxLiteral) => {
            const data = applyEdits(basis, edits);
            const sig = signature(basis, { format, blockLen, strongLen, weak: 'rabinkarp', ...(format === 'librsync' ? { strong: 'blake2' } : {}) });
            const parsed = readSig(sig);
            const index = new SignatureIndex(parsed);
            const chunkCuts = points(chunkFs, data.length);
            const plain = encode(parsed, data, chunkCuts, [], maxLiteral);
            const hinted = encode(parsed, data, chunkCuts, segments(index, data, points(segFs, data.length), gaps), maxLiteral);
            expect(firstDiff(hinted, plain)).toBeUndefined();
          },
        ),
        { numRuns: 150 },
      );
    });
  }

  it('a list missing candidates gives a correct delta; a superset changes nothing', () => {
    const rng = new Rng(77);
    const basis = rng.bytes(300_000);
    // The new data: blocks of the basis shuffled with random runs between them.
    const parts: Uint8Array[] = [];
    for (let i = 0; i < 60; i++) {
      const at = rng.int(basis.length - 4096);
      parts.push(basis.subarray(at, at + rng.range(1000, 4096)), rng.bytes(rng.range(0, 3000)));
    }
    const data = concat(...parts);
    const parsed = readSig(signature(basis, { format: 'native', blockLen: 512 }));
    const index = new SignatureIndex(parsed);
    const all = findCandidates(index, data, 0, 0, data.length - 511);
    expect(all.count).toBeGreaterThan(100);
    const plain = encode(parsed, data, [], [], 1 << 20);
    expect(firstDiff(encode(parsed, data, [], [all], 1 << 20), plain)).toBeUndefined();
    // Superset: every 7th offset added as a candidate (with its true weak sum from a real scan of that window).
    const extra: number[] = [];
    for (let p = 0; p < data.length - 511; p += 7) extra.push(p);
    const merged = [...new Set([...Array.from(all.pos.subarray(0, all.count)), ...extra])].sort((a, b) => a - b);
    const pos = Int32Array.from(merged);
    const weak = Int32Array.from(merged.map((p) => rkWeak(data, p, 512)));
    expect(firstDiff(encode(parsed, data, [], [{ ...all, pos, weak, count: pos.length }], 1 << 20), plain)).toBeUndefined();
    // Missing: drop every other candidate. Larger or equal delta, still exact.
    const keep = Array.from(all.pos.subarray(0, all.count)).filter((_, i) => i % 2 === 0);
    const thin: CandidateSegment = { ...all, pos: Int32Array.from(keep), weak: Int32Array.from(keep.map((p) => rkWeak(data, p, 512))), count: keep.length };
    const d = encode(parsed, data, [], [thin], 1 << 20);
    expect(d.length).toBeGreaterThan(plain.length);
    expect(firstDiff(patch(basis, d), data)).toBeUndefined();
  });

  it('refuses segments that overlap or go back, and bad counts', () => {
    const parsed = readSig(signature(new Uint8Array(1000), { format: 'native', blockLen: 100 }));
    const enc = new DeltaEncoder(parsed);
    const seg = (from: number, to: number, count = 0): CandidateSegment => ({ base: 0, from, to, pos: new Int32Array(2), weak: new Int32Array(2), count });
    enc.addCandidates(seg(0, 50));
    expect(() => enc.addCandidates(seg(40, 60))).toThrow(RangeError);
    expect(() => enc.addCandidates(seg(60, 50))).toThrow(RangeError);
    expect(() => enc.addCandidates(seg(60, 70, 3))).toThrow(RangeError);
    enc.addCandidates(seg(50, 70));
  });
});
