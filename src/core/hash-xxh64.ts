/*
 * XXH64 in pure TypeScript: the portable fallback behind core/hash.ts (spec:
 * xxHash doc/xxhash_spec.md). Each 64-bit value is held as two int32 halves
 * (hi, lo), so the hot loop allocates nothing and uses no BigInt (a BigInt
 * version measured several times slower: bench/micro/hash-backends.mjs).
 */

/** XXH64 digest length in bytes. */
export const XXH64_DIGEST_LEN = 8;
const STRIPE = 32;
// The five primes as (high, low) int32 halves.
const P1H = 0x9e3779b1 | 0;
const P1L = 0x85ebca87 | 0;
const P2H = 0xc2b2ae3d | 0;
const P2L = 0x27d4eb4f | 0;
const P3H = 0x165667b1 | 0;
const P3L = 0x9e3779f9 | 0;
const P4H = 0x85ebca77 | 0;
const P4L = 0xc2b2ae63 | 0;
const P5H = 0x27d4eb2f | 0;
const P5L = 0x165667c5 | 0;
/** 2^64 - PRIME64_1, to start lane 4 at seed - PRIME64_1. */
const NEG_P1H = 0x61c8864e;
const NEG_P1L = 0x7a143579;

/** High half of the last 64-bit result; each helper below returns the low half. */
let H = 0;

/** High 32 bits of the unsigned 64-bit product of two 32-bit values, as int32. */
function mulhi(a: number, b: number): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const mid = a1 * b0 + ((a0 * b0) >>> 16); // < 2^32
  const mid2 = (mid & 0xffff) + a0 * b1; // < 2^32
  return (a1 * b1 + (mid >>> 16) + (mid2 >>> 16)) | 0;
}

/** (ah:al) * (bh:bl) mod 2^64. */
function mul(ah: number, al: number, bh: number, bl: number): number {
  H = (Math.imul(ah, bl) + Math.imul(al, bh) + mulhi(al, bl)) | 0;
  return Math.imul(al, bl);
}

/** (ah:al) + (bh:bl) mod 2^64. */
function add(ah: number, al: number, bh: number, bl: number): number {
  const l = (al + bl) | 0;
  H = (ah + bh + ((l >>> 0) < (al >>> 0) ? 1 : 0)) | 0;
  return l;
}

/** (h:l) rotated left by r, 0 < r < 32. */
function rotl(h: number, l: number, r: number): number {
  H = (h << r) | (l >>> (32 - r));
  return (l << r) | (h >>> (32 - r));
}

/** The spec's round(acc, lane): rotl(acc + lane * P2, 31) * P1. */
function round(ah: number, al: number, ih: number, il: number): number {
  let l = mul(ih, il, P2H, P2L);
  l = add(ah, al, H, l);
  l = rotl(H, l, 31);
  return mul(H, l, P1H, P1L);
}

/**
 * Runs every whole 32-byte stripe of `b[p, end)` through the four lanes in
 * `acc` (hi, lo pairs); returns the offset after the last stripe. This is the
 * hot loop, so round() is written out by hand for each lane: every value stays
 * in int32 locals, nothing is boxed. Together with the int32 representation
 * this took the first version's 88 MB/s to ~700 (bench/micro/hash-backends.mjs).
 */
function stripes(acc: Int32Array, b: Uint8Array, p: number, end: number): number {
  if (p + STRIPE > end) return p;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let h1 = acc[0]!, l1 = acc[1]!, h2 = acc[2]!, l2 = acc[3]!;
  let h3 = acc[4]!, l3 = acc[5]!, h4 = acc[6]!, l4 = acc[7]!;
  let il: number, ih: number, ml: number, mh: number, l: number, h: number, rh: number, rl: number;
  for (; p + STRIPE <= end; p += STRIPE) {
    // lane 1
    il = dv.getInt32(p, true);
    ih = dv.getInt32(p + 4, true);
    ml = Math.imul(il, P2L);
    mh = (Math.imul(ih, P2L) + Math.imul(il, P2H) + mulhi(il, P2L)) | 0;
    l = (l1 + ml) | 0;
    h = (h1 + mh + ((l >>> 0) < (l1 >>> 0) ? 1 : 0)) | 0;
    rh = (h << 31) | (l >>> 1);
    rl = (l << 31) | (h >>> 1);
    h1 = (Math.imul(rh, P1L) + Math.imul(rl, P1H) + mulhi(rl, P1L)) | 0;
    l1 = Math.imul(rl, P1L);
    // lane 2
    il = dv.getInt32(p + 8, true);
    ih = dv.getInt32(p + 12, true);
    ml = Math.imul(il, P2L);
    mh = (Math.imul(ih, P2L) + Math.imul(il, P2H) + mulhi(il, P2L)) | 0;
    l = (l2 + ml) | 0;
    h = (h2 + mh + ((l >>> 0) < (l2 >>> 0) ? 1 : 0)) | 0;
    rh = (h << 31) | (l >>> 1);
    rl = (l << 31) | (h >>> 1);
    h2 = (Math.imul(rh, P1L) + Math.imul(rl, P1H) + mulhi(rl, P1L)) | 0;
    l2 = Math.imul(rl, P1L);
    // lane 3
    il = dv.getInt32(p + 16, true);
    ih = dv.getInt32(p + 20, true);
    ml = Math.imul(il, P2L);
    mh = (Math.imul(ih, P2L) + Math.imul(il, P2H) + mulhi(il, P2L)) | 0;
    l = (l3 + ml) | 0;
    h = (h3 + mh + ((l >>> 0) < (l3 >>> 0) ? 1 : 0)) | 0;
    rh = (h << 31) | (l >>> 1);
    rl = (l << 31) | (h >>> 1);
    h3 = (Math.imul(rh, P1L) + Math.imul(rl, P1H) + mulhi(rl, P1L)) | 0;
    l3 = Math.imul(rl, P1L);
    // lane 4
    il = dv.getInt32(p + 24, true);
    ih = dv.getInt32(p + 28, true);
    ml = Math.imul(il, P2L);
    mh = (Math.imul(ih, P2L) + Math.imul(il, P2H) + mulhi(il, P2L)) | 0;
    l = (l4 + ml) | 0;
    h = (h4 + mh + ((l >>> 0) < (l4 >>> 0) ? 1 : 0)) | 0;
    rh = (h << 31) | (l >>> 1);
    rl = (l << 31) | (h >>> 1);
    h4 = (Math.imul(rh, P1L) + Math.imul(rl, P1H) + mulhi(rl, P1L)) | 0;
    l4 = Math.imul(rl, P1L);
  }
  acc[0] = h1; acc[1] = l1; acc[2] = h2; acc[3] = l2;
  acc[4] = h3; acc[5] = l3; acc[6] = h4; acc[7] = l4;
  return p;
}

/** Sets the four lanes to their starting values for a seed. */
function initLanes(acc: Int32Array, sh: number, sl: number): void {
  let l = add(sh, sl, P1H, P1L);
  acc[1] = add(H, l, P2H, P2L);
  acc[0] = H;
  acc[3] = add(sh, sl, P2H, P2L);
  acc[2] = H;
  acc[4] = sh;
  acc[5] = sl;
  l = add(sh, sl, NEG_P1H, NEG_P1L);
  acc[6] = H;
  acc[7] = l;
}

/** acc = (acc ^ round(0, lane)) * P1 + P4, the spec's mergeAccumulator. */
function merge(h: number, l: number, lh: number, ll: number): number {
  const rl = round(0, 0, lh, ll);
  l = mul(h ^ H, l ^ rl, P1H, P1L);
  return add(H, l, P4H, P4L);
}

function u32le(b: Uint8Array, p: number): number {
  return b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24);
}

/**
 * Converges the lanes (when at least one stripe was consumed), adds the
 * total length, consumes the tail `b[p, end)` (< 32 bytes) and avalanches.
 * Returns the low half; the high half is left in H.
 */
function finalize(acc: Int32Array, long: boolean, sh: number, sl: number, total: number, b: Uint8Array, p: number, end: number): number {
  let h: number;
  let l: number;
  if (long) {
    const h1 = acc[0]!, l1 = acc[1]!, h2 = acc[2]!, l2 = acc[3]!;
    const h3 = acc[4]!, l3 = acc[5]!, h4 = acc[6]!, l4 = acc[7]!;
    l = rotl(h1, l1, 1);
    h = H;
    let t = rotl(h2, l2, 7);
    l = add(h, l, H, t);
    h = H;
    t = rotl(h3, l3, 12);
    l = add(h, l, H, t);
    h = H;
    t = rotl(h4, l4, 18);
    l = add(h, l, H, t);
    l = merge(H, l, h1, l1);
    l = merge(H, l, h2, l2);
    l = merge(H, l, h3, l3);
    l = merge(H, l, h4, l4);
    h = H;
  } else {
    l = add(sh, sl, P5H, P5L);
    h = H;
  }
  l = add(h, l, Math.floor(total / 4294967296) | 0, total | 0);
  h = H;
  for (; p + 8 <= end; p += 8) {
    const rl = round(0, 0, u32le(b, p + 4), u32le(b, p));
    l = rotl(h ^ H, l ^ rl, 27);
    l = mul(H, l, P1H, P1L);
    l = add(H, l, P4H, P4L);
    h = H;
  }
  if (p + 4 <= end) {
    const kl = mul(0, u32le(b, p), P1H, P1L);
    l = rotl(h ^ H, l ^ kl, 23);
    l = mul(H, l, P2H, P2L);
    l = add(H, l, P3H, P3L);
    h = H;
    p += 4;
  }
  for (; p < end; p++) {
    const kl = mul(0, b[p]!, P5H, P5L);
    l = rotl(h ^ H, l ^ kl, 11);
    l = mul(H, l, P1H, P1L);
    h = H;
  }
  // Avalanche: xor-shift 33, * P2, xor-shift 29, * P3, xor-shift 32.
  l ^= h >>> 1;
  l = mul(h, l, P2H, P2L);
  h = H;
  l ^= (l >>> 29) | (h << 3);
  h ^= h >>> 29;
  l = mul(h, l, P3H, P3L);
  h = H;
  H = h;
  return l ^ h;
}

function seedHalves(seed: bigint): [number, number] {
  const s = BigInt.asUintN(64, seed);
  return [Number(s >> 32n) | 0, Number(s & 0xffffffffn) | 0];
}

function toBigInt(h: number, l: number): bigint {
  return (BigInt(h >>> 0) << 32n) | BigInt(l >>> 0);
}

const oneShotLanes = new Int32Array(8);

/**
 * XXH64 of `data` with `seed` (taken mod 2^64), as a bigint.
 * @throws TypeError when seed is not a bigint
 * @example xxh64Js(new Uint8Array(0)) // 0xef46db3751d8e999n
 */
export function xxh64Js(data: Uint8Array, seed = 0n): bigint {
  const [sh, sl] = seedHalves(seed);
  const n = data.length;
  let p = 0;
  if (n >= STRIPE) {
    initLanes(oneShotLanes, sh, sl);
    p = stripes(oneShotLanes, data, 0, n);
  }
  const l = finalize(oneShotLanes, n >= STRIPE, sh, sl, n, data, p, n);
  return toBigInt(H, l);
}

/**
 * Incremental XXH64: feed bytes with update() in any split; digest() does not
 * end the state, so more updates may follow.
 * @example const h = new Xxh64(); h.update(a); h.update(b); h.digestBigInt(); // == xxh64Js(a ++ b)
 */
export class Xxh64 {
  private readonly acc = new Int32Array(8);
  private readonly buf = new Uint8Array(STRIPE);
  private fill = 0;
  private total = 0;
  private readonly sh: number;
  private readonly sl: number;

  /** @throws TypeError when seed is not a bigint */
  constructor(seed = 0n) {
    [this.sh, this.sl] = seedHalves(seed);
    initLanes(this.acc, this.sh, this.sl);
  }

  /** Feeds `data`. */
  update(data: Uint8Array): this {
    const n = data.length;
    this.total += n;
    let p = 0;
    if (this.fill > 0) {
      p = Math.min(STRIPE - this.fill, n);
      this.buf.set(data.subarray(0, p), this.fill);
      this.fill += p;
      if (this.fill < STRIPE) return this;
      stripes(this.acc, this.buf, 0, STRIPE);
      this.fill = 0;
    }
    p = stripes(this.acc, data, p, n);
    if (p < n) {
      this.buf.set(data.subarray(p), 0);
      this.fill = n - p;
    }
    return this;
  }

  private finish(): number {
    return finalize(this.acc, this.total >= STRIPE, this.sh, this.sl, this.total, this.buf, 0, this.fill);
  }

  /** The digest of everything fed so far, as a bigint. */
  digestBigInt(): bigint {
    const l = this.finish();
    return toBigInt(H, l);
  }

  /** The digest of everything fed so far, as 8 big-endian bytes. */
  digest(): Uint8Array {
    const l = this.finish();
    const h = H;
    const out = new Uint8Array(XXH64_DIGEST_LEN);
    for (let i = 0; i < 4; i++) {
      out[i] = (h >>> (24 - 8 * i)) & 255;
      out[4 + i] = (l >>> (24 - 8 * i)) & 255;
    }
    return out;
  }
}
