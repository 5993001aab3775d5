/*
 * Signatures byte-identical to the real `rdiff signature` (librsync 2.3.2):
 * all four librsync magics, block lengths from 1 to 2048 and recommended,
 * strong-sum lengths from 1 to the maximum (and -1), files from 0 bytes to a
 * few MB of random and low-entropy content, and rdiff reading from a pipe.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readSignature, signature, SignatureEncoder, type StrongSumKind, type WeakSumKind } from '../../src/rsync/index.js';
import { concat, firstDiff } from '../helpers/bytes.js';
import { randomBytes, repeatBytes, textBytes } from '../helpers/prng.js';
import { Rdiff, sigJob, type RdiffSigOptions } from '../helpers/rdiff.js';

const rdiff = new Rdiff();
afterAll(() => rdiff.remove());

/** The four librsync signature kinds, with the magic librsync.h gives each. */
const KINDS: readonly { weak: WeakSumKind & RdiffSigOptions['weak']; strong: StrongSumKind & RdiffSigOptions['strong']; magic: number; max: number }[] = [
  { weak: 'rabinkarp', strong: 'blake2', magic: 0x72730147, max: 32 },
  { weak: 'rabinkarp', strong: 'md4', magic: 0x72730146, max: 16 },
  { weak: 'rollsum', strong: 'blake2', magic: 0x72730137, max: 32 },
  { weak: 'rollsum', strong: 'md4', magic: 0x72730136, max: 16 },
];

const SIZES = [0, 1, 2, 3, 7, 15, 100, 10_000, 200_000];
const FILES: readonly { name: string; data: Uint8Array }[] = [
  ...SIZES.map((n) => ({ name: `random-${n}`, data: randomBytes(n, 1000 + n) })),
  ...[100, 10_000, 200_000].map((n) => ({ name: `text-${n}`, data: textBytes(n, 2000 + n) })),
  { name: 'zeros-5000', data: new Uint8Array(5000) },
];
const BLOCK_LENS = [1, 7, 64, 256, 2048, undefined];

function header(sig: Uint8Array): [number, number, number] {
  const v = new DataView(sig.buffer, sig.byteOffset, 12);
  return [v.getUint32(0), v.getUint32(4), v.getUint32(8)];
}

function expectIdentical(ours: Uint8Array, theirs: Uint8Array, label: string): void {
  expect(firstDiff(ours, theirs), label).toBeUndefined();
}

describe('signature == rdiff signature', () => {
  for (const k of KINDS) {
    it(`-R ${k.weak} -H ${k.strong}: every block length, default strong length`, () => {
      // 1-byte blocks of the 200 KB text file would only repeat the 200 KB random case (200,000 strong sums each).
      const cases = FILES.flatMap((f) => BLOCK_LENS.filter((b) => !(b === 1 && f.name === 'text-200000')).map((b) => ({ f, b, opts: { weak: k.weak, strong: k.strong, ...(b === undefined ? {} : { blockLen: b }) } })));
      const theirs = rdiff.batch(cases.map((c) => sigJob(c.f.data, c.opts)));
      cases.forEach((c, i) => {
        const sig = theirs[i]!;
        expectIdentical(signature(c.f.data, c.opts), sig, `${c.f.name} -b ${c.b ?? 'default'}`);
        expect(header(sig)[0]).toBe(k.magic);
        // Sanity of the reference itself: one record per block.
        expect(sig.length).toBe(12 + Math.ceil(c.f.data.length / header(sig)[1]) * (4 + k.max));
      });
      expect(theirs.length).toBe(FILES.length * BLOCK_LENS.length - 1);
    });

    it(`-R ${k.weak} -H ${k.strong}: every strong length rdiff accepts`, () => {
      const strongLens = [...new Set([1, 2, 5, 8, 12, 16, k.max - 1, k.max, 0, -1])];
      const cases = [FILES[5]!, FILES[7]!, FILES[10]!].flatMap((f) =>
        [7, undefined].flatMap((b) => strongLens.map((s) => ({ f, b, s, opts: { weak: k.weak, strong: k.strong, strongLen: s, ...(b === undefined ? {} : { blockLen: b }) } }))),
      );
      const theirs = rdiff.batch(cases.map((c) => sigJob(c.f.data, c.opts)));
      cases.forEach((c, i) => {
        const ours = signature(c.f.data, c.opts);
        expectIdentical(ours, theirs[i]!, `${c.f.name} -b ${c.b ?? 'default'} -S ${c.s}`);
        const want = c.s === 0 ? k.max : c.s === -1 ? header(theirs[i]!)[2] : c.s;
        expect(readSignature(ours).strongLen).toBe(want);
      });
    });
  }

  it('a few MB of random and of text, all four kinds, -S 0 and -S -1', () => {
    const big = [
      { name: 'random-3MB', data: randomBytes(3_000_000, 77) },
      { name: 'text-2.5MB', data: textBytes(2_500_000, 78) },
    ];
    const cases = big.flatMap((f) => KINDS.flatMap((k) => [0, -1].map((s) => ({ f, label: `${f.name} ${k.weak}/${k.strong} -S ${s}`, opts: { weak: k.weak, strong: k.strong, strongLen: s } }))));
    const theirs = rdiff.batch(cases.map((c) => sigJob(c.f.data, c.opts)));
    cases.forEach((c, i) => expectIdentical(signature(c.f.data, c.opts), theirs[i]!, c.label));
  });

  it('repeated content (1 MiB of zeros, a 4 KiB pattern) and sizes around 64 KiB and 1 MB', () => {
    const cases = [
      { name: 'zeros-1MiB', data: new Uint8Array(1 << 20) },
      { name: 'pattern-4KiB-x300', data: repeatBytes(randomBytes(4096, 5), 4096 * 300) },
      ...[65_535, 65_536, 65_537, 256 * 256 + 255, 257 * 257, 1_000_000].map((n) => ({ name: `random-${n}`, data: randomBytes(n, n) })),
    ];
    const theirs = rdiff.batch(cases.map((c) => sigJob(c.data)));
    cases.forEach((c, i) => expectIdentical(signature(c.data), theirs[i]!, c.name));
    // librsync's documented answer for 1,000,000 bytes: block 896, strong 32.
    expect(header(rdiff.signature(randomBytes(1_000_000, 9)))).toEqual([0x72730147, 896, 32]);
    expect(header(signature(randomBytes(1_000_000, 9)))).toEqual([0x72730147, 896, 32]);
  });

  it('rdiff reading the basis from a pipe (size unknown) == our encoder without basisLength', () => {
    for (const n of [0, 100, 10_000, 1_000_000]) {
      const data = randomBytes(n, 300 + n);
      for (const k of [KINDS[0]!, KINDS[3]!]) {
        for (const s of [0, -1]) {
          const opts = { weak: k.weak, strong: k.strong, strongLen: s };
          const theirs = rdiff.signatureFromPipe(data, opts);
          // Unknown size: RS_DEFAULT_BLOCK_LEN 2048, and -S -1 gives RS_DEFAULT_MIN_STRONG_LEN 12.
          expect(header(theirs)).toEqual([k.magic, 2048, s === 0 ? k.max : 12]);
          const enc = new SignatureEncoder(opts);
          const parts: Uint8Array[] = [];
          for (let at = 0; at < n; at += 65_536) parts.push(enc.push(data.subarray(at, at + 65_536)));
          parts.push(enc.finish());
          expectIdentical(concat(...parts), theirs, `pipe ${n} ${k.weak}/${k.strong} -S ${s}`);
        }
      }
    }
  });

  it('rdiff reading a file redirected to stdin still sees its size: same as from a path', () => {
    const data = randomBytes(1_000_000, 31);
    const path = rdiff.dir.write('stdin-file', data);
    const theirs = rdiff.signatureFromStdinFile(path);
    expect(header(theirs)).toEqual([0x72730147, 896, 32]);
    expectIdentical(signature(data), theirs, 'stdin < file');
  });

  // Regression: SignatureDecoder once sized its strong-sum store for 64 bytes, not 64 blocks (RangeError at 3+ blocks of 32 bytes).
  it('our signature parses back to what rdiff wrote', () => {
    const data = textBytes(50_000, 4);
    const theirs = readSignature(rdiff.signature(data, { blockLen: 1000, strongLen: 8 }));
    const ours = readSignature(signature(data, { blockLen: 1000, strongLen: 8 }));
    expect(ours.blockCount).toBe(50);
    expect(theirs).toEqual(ours);
    const three = readSignature(rdiff.signature(data.subarray(0, 300), { blockLen: 100 }));
    expect([three.blockCount, three.strongSums.length]).toEqual([3, 96]);
  });
});
