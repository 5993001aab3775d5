/*
 * MD4 (RFC 1320) in pure TypeScript: the portable fallback behind core/hash.ts
 * for librsync's MD4 signature magics. Not for security (MD4 is broken); only
 * for reading and writing rdiff-compatible signatures. Imports nothing.
 */

/** MD4 digest length in bytes. */
export const MD4_DIGEST_LEN = 16;
const BLOCK = 64;
const K2 = 0x5a827999;
const K3 = 0x6ed9eba1;

function rotl(x: number, s: number): number {
  return (x << s) | (x >>> (32 - s));
}
function r1(a: number, b: number, c: number, d: number, x: number, s: number): number {
  return rotl((a + ((b & c) | (~b & d)) + x) | 0, s);
}
function r2(a: number, b: number, c: number, d: number, x: number, s: number): number {
  return rotl((a + ((b & c) | (b & d) | (c & d)) + x + K2) | 0, s);
}
function r3(a: number, b: number, c: number, d: number, x: number, s: number): number {
  return rotl((a + (b ^ c ^ d) + x + K3) | 0, s);
}

/** Compresses every whole 64-byte block of `buf[p, end)` into `st`; returns the offset after the last one. */
function compress(st: Int32Array, buf: Uint8Array, p: number, end: number): number {
  if (p + BLOCK > end) return p;
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let a = st[0]!;
  let b = st[1]!;
  let c = st[2]!;
  let d = st[3]!;
  for (; p + BLOCK <= end; p += BLOCK) {
    // The block as 16 little-endian words.
    const x0 = dv.getInt32(p, true), x1 = dv.getInt32(p + 4, true), x2 = dv.getInt32(p + 8, true), x3 = dv.getInt32(p + 12, true);
    const x4 = dv.getInt32(p + 16, true), x5 = dv.getInt32(p + 20, true), x6 = dv.getInt32(p + 24, true), x7 = dv.getInt32(p + 28, true);
    const x8 = dv.getInt32(p + 32, true), x9 = dv.getInt32(p + 36, true), x10 = dv.getInt32(p + 40, true), x11 = dv.getInt32(p + 44, true);
    const x12 = dv.getInt32(p + 48, true), x13 = dv.getInt32(p + 52, true), x14 = dv.getInt32(p + 56, true), x15 = dv.getInt32(p + 60, true);
    const aa = a;
    const bb = b;
    const cc = c;
    const dd = d;
    // Round 1: F(x, y, z) = xy v not(x)z, words in order.
    a = r1(a, b, c, d, x0, 3); d = r1(d, a, b, c, x1, 7); c = r1(c, d, a, b, x2, 11); b = r1(b, c, d, a, x3, 19);
    a = r1(a, b, c, d, x4, 3); d = r1(d, a, b, c, x5, 7); c = r1(c, d, a, b, x6, 11); b = r1(b, c, d, a, x7, 19);
    a = r1(a, b, c, d, x8, 3); d = r1(d, a, b, c, x9, 7); c = r1(c, d, a, b, x10, 11); b = r1(b, c, d, a, x11, 19);
    a = r1(a, b, c, d, x12, 3); d = r1(d, a, b, c, x13, 7); c = r1(c, d, a, b, x14, 11); b = r1(b, c, d, a, x15, 19);
    // Round 2: G(x, y, z) = majority, columns.
    a = r2(a, b, c, d, x0, 3); d = r2(d, a, b, c, x4, 5); c = r2(c, d, a, b, x8, 9); b = r2(b, c, d, a, x12, 13);
    a = r2(a, b, c, d, x1, 3); d = r2(d, a, b, c, x5, 5); c = r2(c, d, a, b, x9, 9); b = r2(b, c, d, a, x13, 13);
    a = r2(a, b, c, d, x2, 3); d = r2(d, a, b, c, x6, 5); c = r2(c, d, a, b, x10, 9); b = r2(b, c, d, a, x14, 13);
    a = r2(a, b, c, d, x3, 3); d = r2(d, a, b, c, x7, 5); c = r2(c, d, a, b, x11, 9); b = r2(b, c, d, a, x15, 13);
    // Round 3: H(x, y, z) = x xor y xor z, bit-reversed order.
    a = r3(a, b, c, d, x0, 3); d = r3(d, a, b, c, x8, 9); c = r3(c, d, a, b, x4, 11); b = r3(b, c, d, a, x12, 15);
    a = r3(a, b, c, d, x2, 3); d = r3(d, a, b, c, x10, 9); c = r3(c, d, a, b, x6, 11); b = r3(b, c, d, a, x14, 15);
    a = r3(a, b, c, d, x1, 3); d = r3(d, a, b, c, x9, 9); c = r3(c, d, a, b, x5, 11); b = r3(b, c, d, a, x13, 15);
    a = r3(a, b, c, d, x3, 3); d = r3(d, a, b, c, x11, 9); c = r3(c, d, a, b, x7, 11); b = r3(b, c, d, a, x15, 15);
    a = (a + aa) | 0;
    b = (b + bb) | 0;
    c = (c + cc) | 0;
    d = (d + dd) | 0;
  }
  st[0] = a;
  st[1] = b;
  st[2] = c;
  st[3] = d;
  return p;
}

/**
 * Incremental MD4: feed bytes with update() in any split, read the digest once.
 * @example const h = new Md4(); h.update(a); h.update(b); h.digest(); // == md4Js(a ++ b)
 */
export class Md4 {
  private readonly st = Int32Array.of(0x67452301, 0xefcdab89 | 0, 0x98badcfe | 0, 0x10325476);
  private readonly buf = new Uint8Array(BLOCK);
  private fill = 0;
  private total = 0;
  private done = false;

  /**
   * Feeds `data`.
   * @throws Error after digest()
   */
  update(data: Uint8Array): this {
    if (this.done) throw new Error('Md4: update() after digest()');
    const n = data.length;
    this.total += n;
    let p = 0;
    if (this.fill > 0) {
      p = Math.min(BLOCK - this.fill, n);
      this.buf.set(data.subarray(0, p), this.fill);
      this.fill += p;
      if (this.fill < BLOCK) return this;
      compress(this.st, this.buf, 0, BLOCK);
      this.fill = 0;
    }
    p = compress(this.st, data, p, n);
    if (p < n) {
      this.buf.set(data.subarray(p), 0);
      this.fill = n - p;
    }
    return this;
  }

  /**
   * Pads, finishes and returns the 16-byte digest.
   * @throws Error when called twice
   */
  digest(): Uint8Array {
    if (this.done) throw new Error('Md4: digest() called twice');
    this.done = true;
    const buf = this.buf;
    const bits = this.total * 8;
    buf[this.fill++] = 0x80;
    if (this.fill > BLOCK - 8) {
      buf.fill(0, this.fill);
      compress(this.st, buf, 0, BLOCK);
      this.fill = 0;
    }
    buf.fill(0, this.fill);
    // The message length in bits, u64 little-endian (exact for lengths below 2^50 bytes).
    const lo = bits % 4294967296;
    const hi = Math.floor(bits / 4294967296);
    for (let i = 0; i < 4; i++) {
      buf[56 + i] = (lo >>> (8 * i)) & 255;
      buf[60 + i] = (hi >>> (8 * i)) & 255;
    }
    compress(this.st, buf, 0, BLOCK);
    const out = new Uint8Array(MD4_DIGEST_LEN);
    for (let i = 0; i < 16; i++) out[i] = (this.st[i >> 2]! >>> (8 * (i & 3))) & 255;
    return out;
  }
}

/**
 * MD4 of `data`, 16 bytes.
 * @example toHex(md4Js(new TextEncoder().encode('abc'))) // 'a448017aaf21d8525fc10ae87aa6729d'
 */
export function md4Js(data: Uint8Array): Uint8Array {
  return new Md4().update(data).digest();
}
