/*
 * The signature parameter advisor against librsync: block and strong-sum
 * lengths from the basis size as `rdiff signature` chooses them (defaults and
 * -S -1), the same rules re-derived independently here for sizes rdiff cannot
 * reasonably be run on, and argument errors (TypeError/RangeError naming the
 * argument) across the public API.
 */
import { closeSync, openSync, ftruncateSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  applyDelta,
  bufferSource,
  delta,
  DeltaEncoder,
  patch,
  PatchDecoder,
  patchStream,
  readSignature,
  recommendNativeBlockLen,
  resolveSignatureParams,
  signature,
  SignatureDecoder,
  SignatureEncoder,
  type SignatureOptions,
} from '../../src/rsync/index.js';
import { randomBytes } from '../helpers/prng.js';
import { Rdiff, sigFlags, type RdiffSigOptions } from '../helpers/rdiff.js';

const rdiff = new Rdiff();
afterAll(() => rdiff.remove());

/** A sparse file of `n` zero bytes (rdiff still reads and hashes all of it). */
function sparseFile(n: number): string {
  const p = rdiff.dir.file(`zeros-${n}`);
  const fd = openSync(p, 'w');
  ftruncateSync(fd, n);
  closeSync(fd);
  return p;
}

// --- librsync's rules, written out again from rs_sig_args (sumset.c, 2.3.x) ----------

const ilog2 = (n: bigint) => BigInt(n.toString(2).length - 1);
function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = n;
  let y = (x + 1n) / 2n;
  while (y < x) {
    x = y;
    y = (x + n / x) / 2n;
  }
  return x;
}
/** rec_block_len: 256 up to 256*256 bytes, else sqrt(size) rounded down to a multiple of 128 (the BLAKE2b block). */
function librsyncBlockLen(size: number): number {
  return size <= 256 * 256 ? 256 : Number(isqrt(BigInt(size)) & ~127n);
}
/** min_strong_len = 2 + (log2(size + 2^24) + log2(size / block_len + 1) + 7) / 8, capped at the hash length. */
function librsyncMinStrongLen(size: number, blockLen: number, max: number): number {
  const s = BigInt(size);
  const v = 2n + (ilog2(s + (1n << 24n)) + ilog2(s / BigInt(blockLen) + 1n) + 7n) / 8n;
  return Math.min(max, Number(v));
}

function header(sig: Uint8Array): number[] {
  const v = new DataView(sig.buffer, sig.byteOffset, 12);
  return [v.getUint32(0), v.getUint32(4), v.getUint32(8)];
}

const SIZES = [
  0, 1, 255, 256, 257, 4096, 65_535, 65_536, 65_537, 66_048, 257 * 257, 383 * 384, 384 * 384 - 1, 384 * 384, 262_143, 262_144, 1_000_000, 1_048_575, 1_048_576, 4_194_304,
  16_777_215, 16_777_216, 16_777_217,
];

describe('advisor == rdiff signature, from the basis size', () => {
  it('default block and strong length, and -S -1, at sizes across every rule boundary', () => {
    const jobs = SIZES.flatMap((n) => {
      const file = sparseFile(n);
      return [
        { n, file, opts: {} as SignatureOptions },
        { n, file, opts: { strongLen: -1 } as SignatureOptions },
        { n, file, opts: { weak: 'rollsum', strong: 'md4', strongLen: -1 } as SignatureOptions },
      ];
    });
    const sigs = rdiff.batch(jobs.map((j) => [...sigFlags(j.opts as RdiffSigOptions), 'signature', j.file]));
    jobs.forEach((j, i) => {
      const p = resolveSignatureParams({ ...j.opts, basisLength: j.n });
      const label = `${j.n} bytes ${JSON.stringify(j.opts)}`;
      expect([p.magic, p.blockLen, p.strongLen], label).toEqual(header(sigs[i]!));
      // and rdiff agrees with the rules as written in this test
      const max = j.opts.strong === 'md4' ? 16 : 32;
      expect(header(sigs[i]!).slice(1), label).toEqual([librsyncBlockLen(j.n), j.opts.strongLen === -1 ? librsyncMinStrongLen(j.n, librsyncBlockLen(j.n), max) : max]);
    });
  });

  it('-S -1 with a given block length (the formula uses the block count)', () => {
    const cases = [
      { n: 100_000, b: 1 },
      { n: 100_000, b: 7 },
      { n: 1_000_000, b: 64 },
      { n: 1_000_000, b: 4096 },
      { n: 4_194_304, b: 128 },
      { n: 5000, b: 3 },
    ];
    const sigs = rdiff.batch(cases.map((c) => ['-b', String(c.b), '-S', '-1', '-H', 'md4', 'signature', sparseFile(c.n)]));
    cases.forEach((c, i) => {
      const p = resolveSignatureParams({ basisLength: c.n, blockLen: c.b, strongLen: -1, strong: 'md4' });
      expect([p.magic, p.blockLen, p.strongLen], JSON.stringify(c)).toEqual(header(sigs[i]!));
      expect(p.strongLen).toBe(librsyncMinStrongLen(c.n, c.b, 16));
    });
  });

  it('unknown size: block 2048, full strong sum, and 12 bytes for -S -1 (rdiff reading a pipe)', () => {
    for (const strongLen of [0, -1]) {
      const theirs = rdiff.signatureFromPipe(new Uint8Array(0), { strongLen });
      const p = resolveSignatureParams({ strongLen });
      expect([p.magic, p.blockLen, p.strongLen]).toEqual(header(theirs));
      expect(p.blockLen).toBe(2048);
    }
  });

  it('the rules, re-derived, at sizes too large to run rdiff on', () => {
    const sizes = [2 ** 25, 2 ** 30 - 1, 2 ** 30, 10 ** 10, 2 ** 40 + 12_345, 2 ** 48, Number.MAX_SAFE_INTEGER];
    for (let i = 0; i < 200; i++) sizes.push(Math.floor(2 ** (i / 4)));
    for (const n of sizes) {
      for (const strong of ['blake2', 'md4'] as const) {
        const max = strong === 'md4' ? 16 : 32;
        const d = resolveSignatureParams({ basisLength: n, strong });
        if (n <= 2 ** 52) expect(d.blockLen, `${n}`).toBe(librsyncBlockLen(n));
        expect(d.strongLen).toBe(max);
        const m = resolveSignatureParams({ basisLength: n, strong, strongLen: -1 });
        if (m.blockLen <= 2 ** 26 && n <= 2 ** 52) expect(m.strongLen, `${n} -S -1`).toBe(librsyncMinStrongLen(n, m.blockLen, max));
      }
    }
  });

  it('rdiff and the advisor refuse the same out-of-range strong lengths', () => {
    const data = randomBytes(100, 1);
    for (const [opts, bad] of [
      [{ strong: 'blake2' }, 33],
      [{ strong: 'md4' }, 17],
      [{ strong: 'blake2' }, -2],
    ] as const) {
      const r = rdiff.run([...sigFlags({ ...opts, strongLen: bad }), 'signature', rdiff.dir.write('small', data), '-']);
      expect(r.status, `rdiff -S ${bad}`).not.toBe(0);
      expect(() => resolveSignatureParams({ ...opts, strongLen: bad, basisLength: 100 })).toThrow(RangeError);
    }
    // and accept every length in between
    for (const s of [1, 16]) expect(() => resolveSignatureParams({ strong: 'md4', strongLen: s })).not.toThrow();
  });
});

describe('native advisor', () => {
  it('power-of-two block lengths, growing with size, near sqrt(size) for large files', () => {
    let prev = 0;
    for (let e = 0; e <= 52; e += 0.5) {
      const n = Math.floor(2 ** e);
      const b = recommendNativeBlockLen(n);
      expect(b & (b - 1), `${n}`).toBe(0);
      expect(b).toBeGreaterThanOrEqual(prev);
      expect(b).toBeGreaterThanOrEqual(512);
      expect(b).toBeLessThanOrEqual(1 << 20);
      if (n > 1 << 22 && n < 2 ** 40) {
        expect(b).toBeLessThanOrEqual(Math.sqrt(n));
        expect(b * 2).toBeGreaterThan(Math.sqrt(n));
      }
      prev = b;
      const p = resolveSignatureParams({ format: 'native', basisLength: n });
      expect([p.blockLen, p.strongLen, p.weak, p.strong]).toEqual([b, 8, 'rabinkarp', 'xxh64']);
    }
    expect(recommendNativeBlockLen()).toBe(2048);
  });
});

describe('argument errors name the argument', () => {
  const sig = signature(randomBytes(1000, 2));
  const d = delta(sig, randomBytes(1000, 3));
  const cases: [string, () => unknown, typeof TypeError | typeof RangeError, RegExp][] = [
    ['blockLen < 0', () => resolveSignatureParams({ blockLen: -1 }), RangeError, /^"blockLen" expected integer >= 0, got -1$/],
    ['blockLen fractional', () => resolveSignatureParams({ blockLen: 1.5 }), TypeError, /^"blockLen" expected integer, got 1\.5$/],
    ['blockLen string', () => resolveSignatureParams({ blockLen: '64' as never }), TypeError, /^"blockLen" expected integer, got "64"$/],
    ['blockLen too large', () => resolveSignatureParams({ blockLen: 2 ** 26 + 1 }), RangeError, /^"blockLen" expected integer <= 67108864, got 67108865$/],
    ['strongLen > 32', () => resolveSignatureParams({ strongLen: 33 }), RangeError, /^"strongLen" expected integer <= 32, got 33$/],
    ['strongLen > 16 (md4)', () => resolveSignatureParams({ strong: 'md4', strongLen: 17 }), RangeError, /^"strongLen" expected integer <= 16, got 17$/],
    ['strongLen > 8 (native)', () => resolveSignatureParams({ format: 'native', strongLen: 9 }), RangeError, /^"strongLen" expected integer <= 8, got 9$/],
    ['strongLen < -1', () => resolveSignatureParams({ strongLen: -2 }), RangeError, /^"strongLen" expected integer >= -1, got -2$/],
    ['format', () => resolveSignatureParams({ format: 'zip' as never }), RangeError, /^"format" expected one of "librsync", "native", got "zip"$/],
    ['weak', () => resolveSignatureParams({ weak: 'adler32' as never }), RangeError, /^"weak" expected one of/],
    ['strong', () => resolveSignatureParams({ strong: 'sha1' as never }), RangeError, /^"strong" expected one of/],
    ['native + md4', () => resolveSignatureParams({ format: 'native', strong: 'md4' }), RangeError, /^"format" native has no signature with rabinkarp \+ md4$/],
    ['native + rollsum', () => resolveSignatureParams({ format: 'native', weak: 'rollsum' }), RangeError, /^"format" native has no signature with rollsum/],
    ['librsync + xxh64', () => resolveSignatureParams({ strong: 'xxh64' }), RangeError, /^"format" librsync has no signature with rabinkarp \+ xxh64$/],
    ['basisLength < 0', () => resolveSignatureParams({ basisLength: -1 }), RangeError, /^"basisLength" expected integer >= 0, got -1$/],
    ['basisLength unsafe', () => resolveSignatureParams({ basisLength: 2 ** 53 }), TypeError, /^"basisLength" expected integer, got 9007199254740992$/],
    ['signature(basis: string)', () => signature('abc' as never), TypeError, /^"basis" expected Uint8Array, got "abc"$/],
    ['signature(basis: number[])', () => signature([1, 2] as never), TypeError, /^"basis" expected Uint8Array, got Array$/],
    ['delta(data: null)', () => delta(sig, null as never), TypeError, /^"data" expected Uint8Array, got null$/],
    ['DeltaEncoder maxLiteral 0', () => new DeltaEncoder(readSignature(sig), { maxLiteral: 0 }), RangeError, /^"maxLiteral" expected integer >= 1, got 0$/],
    ['DeltaEncoder format', () => new DeltaEncoder(readSignature(sig), { format: 'x' as never }), RangeError, /^"format" expected one of/],
    ['DeltaEncoder push(string)', () => new DeltaEncoder(readSignature(sig)).push('x' as never), TypeError, /^"chunk" expected Uint8Array/],
    ['SignatureEncoder push(undefined)', () => new SignatureEncoder().push(undefined as never), TypeError, /^"chunk" expected Uint8Array, got undefined$/],
    ['SignatureDecoder maxBlocks', () => new SignatureDecoder({ maxBlocks: -1 }), RangeError, /^"maxBlocks" expected integer >= 0, got -1$/],
    ['SignatureDecoder push(number)', () => new SignatureDecoder().push(5 as never), TypeError, /^"chunk" expected Uint8Array, got 5$/],
    ['PatchDecoder basisLength', () => new PatchDecoder({ basisLength: -5 }), RangeError, /^"basisLength" expected integer >= 0, got -5$/],
    ['PatchDecoder push(ArrayBuffer)', () => new PatchDecoder().push(new ArrayBuffer(4) as never), TypeError, /^"chunk" expected Uint8Array, got ArrayBuffer$/],
    ['applyDelta maxOutput', () => applyDelta(new Uint8Array(0), d, { maxOutput: -1 }), RangeError, /^"maxOutput" expected integer >= 0, got -1$/],
    ['patch(basis: string)', () => patch('x' as never, d), TypeError, /^"basis" expected Uint8Array, got "x"$/],
    ['patch(delta: undefined)', () => patch(new Uint8Array(0), undefined as never), TypeError, /^"delta" expected Uint8Array, got undefined$/],
  ];
  for (const [name, f, type, message] of cases) {
    it(name, () => {
      let err: unknown;
      try {
        f();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(type);
      expect((err as Error).message).toMatch(message);
    });
  }

  it('patchStream readSize', async () => {
    const gen = patchStream(bufferSource(new Uint8Array(0)), (async function* () {})(), { readSize: 0 });
    await expect(gen.next()).rejects.toThrow(/^"readSize" expected integer >= 1, got 0$/);
  });
});
