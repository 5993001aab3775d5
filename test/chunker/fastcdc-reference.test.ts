// FastCDC 2020 against the reference. Published values from fastcdc-rs
// (src/v2020/mod.rs tests): the all-zeros vector (hash and cut), the mask choice
// per (min, avg, max), logarithm2 rounding, and the SekienAkashita.jpg vector
// when that file is present (it is binary and not in this repository: see
// docs/chunking.md). Plus a cross-check on random data against a plain BigInt
// transcription of the reference cut() and against the one-byte-at-a-time 2016 scan.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { chunkBoundaries, chunkBuffer, fastcdcMask, keyedGear, log2Round, resolveParams, standardGear } from '../../src/chunker/index.js';
import type { GearTable, NormalizationLevel } from '../../src/chunker/index.js';
import { randomBytes, textBytes } from '../helpers/prng.js';

const U64 = (1n << 64n) - 1n;

/** The reference v2020 cut(), transcribed with BigInt: returns [hash, length]. */
function referenceCut(src: Uint8Array, min: number, avg: number, max: number, maskS: bigint, maskL: bigint, gear: GearTable): [bigint, number] {
  const G = (b: number) => gear.entry(b);
  const GLS = (b: number) => (gear.entry(b) << 1n) & U64;
  const maskSLs = (maskS << 1n) & U64;
  const maskLLs = (maskL << 1n) & U64;
  let remaining = src.length;
  if (remaining <= min) return [0n, remaining];
  let center = avg;
  if (remaining > max) remaining = max;
  else if (remaining < center) center = remaining;
  let index = Math.floor(min / 2);
  let hash = 0n;
  while (index < Math.floor(center / 2)) {
    const a = index * 2;
    hash = ((hash << 2n) + GLS(src[a]!)) & U64;
    if ((hash & maskSLs) === 0n) return [hash, a];
    hash = (hash + G(src[a + 1]!)) & U64;
    if ((hash & maskS) === 0n) return [hash, a + 1];
    index++;
  }
  while (index < Math.floor(remaining / 2)) {
    const a = index * 2;
    hash = ((hash << 2n) + GLS(src[a]!)) & U64;
    if ((hash & maskLLs) === 0n) return [hash, a];
    hash = (hash + G(src[a + 1]!)) & U64;
    if ((hash & maskL) === 0n) return [hash, a + 1];
    index++;
  }
  return [hash, remaining];
}

/** The reference iterator over a whole buffer: [hash, length] per chunk. */
function referenceChunks(data: Uint8Array, min: number, avg: number, max: number, level: NormalizationLevel, gear: GearTable): [bigint, number][] {
  const bits = Math.round(Math.log2(avg));
  const maskS = fastcdcMask(bits + level);
  const maskL = fastcdcMask(bits - level);
  const out: [bigint, number][] = [];
  for (let at = 0; at < data.length; ) {
    const [hash, len] = referenceCut(data.subarray(at), min, avg, max, maskS, maskL, gear);
    out.push([hash, len]);
    at += len;
  }
  return out;
}

/** The 2016-style scan, one byte at a time: hash = (hash << 1) + GEAR[b], same masks and bounds. */
function oneByteLengths(data: Uint8Array, min: number, avg: number, max: number, level: NormalizationLevel, gear: GearTable): number[] {
  const bits = Math.round(Math.log2(avg));
  const maskS = fastcdcMask(bits + level);
  const maskL = fastcdcMask(bits - level);
  const out: number[] = [];
  for (let at = 0; at < data.length; ) {
    const rest = data.length - at;
    let len = Math.min(rest, max);
    if (rest > min) {
      // Pairs must be complete, as in the 2020 loop: the last byte of an odd range is not hashed.
      const end = 2 * Math.floor(len / 2);
      let hash = 0n;
      for (let p = 2 * Math.floor(min / 2); p < end; p++) {
        hash = ((hash << 1n) + gear.entry(data[at + p]!)) & U64;
        const mask = p >> 1 < Math.floor(Math.min(avg, len) / 2) ? maskS : maskL;
        // The chunk ends before the byte whose hash chose the cut (the 2020 loop returns a or a + 1).
        if ((hash & mask) === 0n) {
          len = p;
          break;
        }
      }
    }
    out.push(len);
    at += len;
  }
  return out;
}

describe('published fastcdc-rs v2020 values', () => {
  it('all zeros with (64, 256, 1024): ten 1024-byte chunks, hash 14169102344523991076', () => {
    const b = chunkBoundaries(new Uint8Array(10240), { minSize: 64, avgSize: 256, maxSize: 1024 });
    expect(b.map((x) => x.length)).toEqual(Array(10).fill(1024));
    for (const x of b) expect(x.hash).toBe(14169102344523991076n);
  });

  it('chooses mask_l and mask_s as the reference (test_masks)', () => {
    const cases: [number, number, number, number, number][] = [
      [64, 256, 1024, 7, 9],
      [8192, 16384, 32768, 13, 15],
      [1_048_576, 4_194_304, 16_777_216, 21, 23],
    ];
    for (const [minSize, avgSize, maxSize, l, s] of cases) {
      const p = resolveParams({ minSize, avgSize, maxSize });
      expect(p.maskL).toBe(fastcdcMask(l));
      expect(p.maskS).toBe(fastcdcMask(s));
    }
  });

  it('spells the reference masks (8, 16, 64 KiB and 1 MiB) and each has as many bits as its index', () => {
    expect(fastcdcMask(13)).toBe(0x0000d90303530000n);
    expect(fastcdcMask(14)).toBe(0x0000d90313530000n);
    expect(fastcdcMask(16)).toBe(0x0000d90303537000n);
    expect(fastcdcMask(20)).toBe(0x0000d91747537000n);
    for (let bits = 5; bits <= 25; bits++) {
      expect(fastcdcMask(bits).toString(2).replace(/0/g, '').length).toBe(bits);
      expect(fastcdcMask(bits) >> 48n).toBe(0n);
    }
  });

  it('rounds log2 like logarithm2()', () => {
    const cases: [number, number][] = [
      [64, 6], [256, 8], [16383, 14], [16384, 14], [16385, 14], [32767, 15], [65535, 16],
      [65537, 16], [1_048_575, 20], [4_194_303, 22], [4_194_305, 22], [3, 2], [5, 2], [6, 3], [11, 3], [12, 4], [19, 4],
    ];
    for (const [v, bits] of cases) expect(log2Round(v)).toBe(bits);
  });

  const jpg = 'test/fixtures/SekienAkashita.jpg';
  const jpgSha256 = 'd9e749d9367fc908876749d6502eb212fee88c9a94892fb07da5ef3ba8bc39ed';
  it.skipIf(!existsSync(jpg))('SekienAkashita.jpg with (4096, 16384, 65535): the published lengths, hashes and MD5s', () => {
    const data = new Uint8Array(readFileSync(jpg));
    expect(createHash('sha256').update(data).digest('hex')).toBe(jpgSha256);
    const b = chunkBoundaries(data, { minSize: 4096, avgSize: 16384, maxSize: 65535 });
    expect(b.map((x) => x.length)).toEqual([21325, 17140, 28084, 18217, 24700]);
    expect(b.map((x) => x.hash)).toEqual([17968276318003433923n, 8197189939299398838n, 13019990849178155730n, 4509236223063678303n, 2504464741100432583n]);
    const md5s = b.map((x) => createHash('md5').update(data.subarray(x.offset, x.offset + x.length)).digest('hex'));
    expect(md5s).toEqual(['2bb52734718194617c957f5e07ee6054', 'badfb0757fe081c20336902e7131f768', '18412d7414de6eb42f638351711f729d', '04fe1405fc5f960363bfcd834c056407', '1aa7ad95f274d6ba34a983946ebc5af3']);
    expect(chunkBuffer(data, { minSize: 8192, avgSize: 32768, maxSize: 131072 })).toEqual([66549, 42917]);
    expect(chunkBuffer(data, { minSize: 16384, avgSize: 65536, maxSize: 262144 })).toEqual([109466]);
    expect(chunkBuffer(data, { minSize: 4096, avgSize: 16384, maxSize: 65535, normalization: 0 })).toEqual([6634, 59915, 25597, 5237, 12083]);
    expect(chunkBuffer(data, { minSize: 8192, avgSize: 16384, maxSize: 32768, normalization: 3 })).toEqual([17350, 19911, 17426, 17519, 19940, 17320]);
  });
});

describe('cross-check against the transcribed reference on generated data', () => {
  const PARAMS: [number, number, number, NormalizationLevel][] = [
    [4096, 16384, 65535, 1], // the published vector's parameters
    [64, 256, 1024, 0],
    [64, 256, 1024, 3],
    [65, 257, 1025, 1], // odd sizes: floor(min/2) start, unhashed last byte
    [512, 1024, 4096, 2],
    [1024, 1024, 1024, 1], // min = avg = max
    [2048, 8192, 32768, 1],
  ];
  const inputs: [string, Uint8Array][] = [
    ['random', randomBytes(200_000, 11)],
    ['text', textBytes(150_000, 12)],
    ['zeros', new Uint8Array(9000)],
    ['short odd', randomBytes(1023, 13)],
  ];
  for (const [min, avg, max, level] of PARAMS) {
    for (const [name, data] of inputs) {
      it(`(${min}, ${avg}, ${max}) level ${level}, ${name}: same lengths and hashes`, () => {
        const ours = chunkBoundaries(data, { minSize: min, avgSize: avg, maxSize: max, normalization: level });
        const ref = referenceChunks(data, min, avg, max, level, standardGear());
        expect(ours.map((b) => [b.hash, b.length])).toEqual(ref);
        expect(oneByteLengths(data, min, avg, max, level, standardGear())).toEqual(ref.map(([, len]) => len));
      });
    }
  }

  it('a keyed gear table: same lengths and hashes as the reference with that table', () => {
    const gear = keyedGear(new Uint8Array(32).fill(7));
    const data = randomBytes(120_000, 21);
    const ours = chunkBoundaries(data, { minSize: 1024, avgSize: 4096, maxSize: 16384, gear });
    expect(ours.map((b) => [b.hash, b.length])).toEqual(referenceChunks(data, 1024, 4096, 16384, 1, gear));
  });
});
