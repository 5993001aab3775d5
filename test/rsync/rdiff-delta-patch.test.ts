/*
 * Deltas against the real rdiff, both ways: our deltas applied by `rdiff
 * patch`, rdiff's deltas applied by our patch, over named edge cases and
 * seeded random mutations, for all four librsync signature kinds. Our delta
 * must also be no larger than rdiff's for the same signature.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { delta, patch, signature } from '../../src/rsync/index.js';
import { concat, firstDiff } from '../helpers/bytes.js';
import { mutate } from '../helpers/mutate.js';
import { randomBytes, repeatBytes, Rng, textBytes } from '../helpers/prng.js';
import { deltaJob, patchJob, Rdiff, sigJob, type RdiffSigOptions } from '../helpers/rdiff.js';

const rdiff = new Rdiff();
afterAll(() => rdiff.remove());

const KINDS = [
  { weak: 'rabinkarp', strong: 'blake2' },
  { weak: 'rabinkarp', strong: 'md4' },
  { weak: 'rollsum', strong: 'blake2' },
  { weak: 'rollsum', strong: 'md4' },
] as const;

interface Case {
  name: string;
  basis: Uint8Array;
  data: Uint8Array;
  /** Block length for the signature; undefined = recommended. */
  blockLen?: number;
}

function namedCases(): Case[] {
  const r = randomBytes(100_000, 11);
  const pattern = randomBytes(4096, 12);
  const zeros = new Uint8Array(1 << 20);
  const zerosEdited = zeros.slice();
  zerosEdited[500_000] = 1;
  zerosEdited[700_001] = 2;
  const text = textBytes(200_000, 13);
  const blocks = Array.from({ length: 100 }, (_, i) => r.subarray(i * 1000, (i + 1) * 1000));
  return [
    { name: 'empty basis', basis: new Uint8Array(0), data: randomBytes(5000, 14) },
    { name: 'empty new file', basis: randomBytes(5000, 15), data: new Uint8Array(0) },
    { name: 'both empty', basis: new Uint8Array(0), data: new Uint8Array(0) },
    { name: 'identical 100 KB', basis: r, data: r },
    { name: 'identical, block 1000 (exact multiple)', basis: r, data: r, blockLen: 1000 },
    { name: 'append 1 byte', basis: r, data: concat(r, Uint8Array.of(7)) },
    { name: 'prepend 1 byte', basis: r, data: concat(Uint8Array.of(7), r) },
    { name: 'truncate by 1 byte', basis: r, data: r.subarray(0, r.length - 1) },
    { name: 'truncate to half', basis: r, data: r.subarray(0, 50_000) },
    { name: 'drop the first byte', basis: r, data: r.subarray(1) },
    { name: 'blocks reversed', basis: r, data: concat(...blocks.slice().reverse()), blockLen: 1000 },
    { name: 'doubled', basis: r, data: concat(r, r) },
    { name: 'new is a middle slice', basis: r, data: r.subarray(33_333, 66_666) },
    { name: 'basis shorter than a block', basis: randomBytes(100, 16), data: concat(randomBytes(100, 16), randomBytes(10, 17)) },
    { name: 'new shorter than a block', basis: r, data: r.subarray(5000, 5100), blockLen: 700 },
    { name: '1 MiB of zeros, unchanged', basis: zeros, data: zeros },
    { name: '1 MiB of zeros, two bytes set', basis: zeros, data: zerosEdited },
    { name: '1 MiB of zeros, grown by 3000', basis: zeros, data: new Uint8Array((1 << 20) + 3000) },
    { name: '4 KiB pattern x256, unchanged', basis: repeatBytes(pattern, 4096 * 256), data: repeatBytes(pattern, 4096 * 256) },
    { name: '4 KiB pattern x256, shifted by 1', basis: repeatBytes(pattern, 4096 * 256), data: concat(Uint8Array.of(1), repeatBytes(pattern, 4096 * 256 - 1)) },
    { name: '4 KiB pattern, block 1000 (not a divisor)', basis: repeatBytes(pattern, 300_000), data: concat(repeatBytes(pattern, 150_000), randomBytes(77, 18), repeatBytes(pattern, 150_000)), blockLen: 1000 },
    { name: 'text 200 KB with text inserted', basis: text, data: concat(text.subarray(0, 120_000), textBytes(3000, 19), text.subarray(120_000)) },
    { name: 'unrelated files', basis: randomBytes(30_000, 20), data: randomBytes(30_000, 21) },
    { name: 'tiny blocks (1 byte)', basis: randomBytes(2000, 22), data: concat(randomBytes(1000, 22), randomBytes(10, 23)), blockLen: 1 },
  ];
}

function seededCases(count: number): Case[] {
  const out: Case[] = [];
  for (let seed = 1; seed <= count; seed++) {
    const rng = new Rng(seed * 7919);
    const size = rng.pick([1000, 5000, 20_000, 60_000, 150_000, 300_000]);
    const basis = rng.chance(0.3) ? textBytes(size, seed) : rng.bytes(size);
    const blockLen = rng.pick([undefined, undefined, 16, 64, 100, 333, 1024]);
    const m = mutate(basis, rng, { align: blockLen ?? 256, maxEdits: 5 });
    out.push({ name: `seed ${seed}: ${size} B, -b ${blockLen ?? 'default'}, ${m.edits.join(', ')}`, basis, data: m.data, ...(blockLen === undefined ? {} : { blockLen }) });
  }
  return out;
}

function crossCheck(cases: readonly Case[]): void {
  const runs = cases.flatMap((c) => KINDS.map((k) => ({ c, k, opts: { ...k, ...(c.blockLen === undefined ? {} : { blockLen: c.blockLen }) } as RdiffSigOptions })));
  const ourSigs = runs.map((r) => signature(r.c.basis, r.opts));
  const theirSigs = rdiff.batch(runs.map((r) => sigJob(r.c.basis, r.opts)));
  // Our delta from rdiff's signature; rdiff's delta from ours.
  const ourDeltas = runs.map((r, i) => delta(theirSigs[i]!, r.c.data));
  const theirDeltas = rdiff.batch(runs.map((r, i) => deltaJob(ourSigs[i]!, r.c.data)));
  const theirPatched = rdiff.batch(runs.map((r, i) => patchJob(r.c.basis, ourDeltas[i]!)));
  const larger: string[] = [];
  runs.forEach((r, i) => {
    const label = `${r.c.name} [${r.k.weak}/${r.k.strong}]`;
    expect(firstDiff(ourSigs[i]!, theirSigs[i]!), `signature ${label}`).toBeUndefined();
    expect(firstDiff(theirPatched[i]!, r.c.data), `rdiff patch of our delta, ${label}`).toBeUndefined();
    expect(firstDiff(patch(r.c.basis, theirDeltas[i]!), r.c.data), `our patch of rdiff's delta, ${label}`).toBeUndefined();
    if (ourDeltas[i]!.length > theirDeltas[i]!.length) larger.push(`${label}: ours ${ourDeltas[i]!.length} B > rdiff ${theirDeltas[i]!.length} B`);
  });
  expect(larger, 'cases where our delta is larger than rdiff delta for the same signature').toEqual([]);
}

describe('delta and patch against rdiff', () => {
  it('named edge cases, all four signature kinds', () => {
    crossCheck(namedCases());
  });

  it('48 seeded random mutations, all four signature kinds', () => {
    crossCheck(seededCases(48));
  });

  it('identical data gives a delta of one COPY (or nothing for empty data)', () => {
    const r = randomBytes(100_000, 30);
    for (const k of KINDS) {
      // magic (4) + COPY_N1_N4 (1 + 1 + 4) + END (1)
      expect(delta(signature(r, k), r).length).toBe(11);
    }
    expect(Array.from(delta(signature(new Uint8Array(0)), new Uint8Array(0)))).toEqual([0x72, 0x73, 0x02, 0x36, 0x00]);
  });
});
