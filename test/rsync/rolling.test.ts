// Known-answer vectors from librsync's tests/rollsum_test.c and tests/rabinkarp_test.c,
// and rolling == recomputing for random windows.
import { describe, expect, it } from 'vitest';
import { rabinKarp, rabinKarpRollOut, rabinKarpRotate, rkPower, RK_SEED } from '../../src/rsync/rabinkarp.js';
import { rollsum, rollsumRollOut, rollsumRotate } from '../../src/rsync/rollsum.js';

const seq = (a: number, b: number) => Uint8Array.from({ length: b - a }, (_, i) => a + i);

describe('rollsum (librsync vectors)', () => {
  it('matches tests/rollsum_test.c', () => {
    expect(rollsum(new Uint8Array(0))).toBe(0);
    expect(rollsum(Uint8Array.of(0))).toBe(0x001f001f);
    expect(rollsum(seq(0, 4))).toBe(0x01400082);
    expect(rollsumRotate(rollsum(seq(0, 4)), 4, 0, 4)).toBe(0x014a0086);
    expect(rollsum(seq(4, 8))).toBe(0x01680092);
    expect(rollsum(seq(0, 256))).toBe(0x3a009e80);
  });
  it('rotate and roll-out equal recomputation', () => {
    const buf = Uint8Array.from({ length: 5000 }, (_, i) => (i * 7919 + (i >> 3) * 31) & 255);
    const n = 700;
    let d = rollsum(buf, 0, n);
    for (let i = 0; i + n < buf.length; i++) {
      d = rollsumRotate(d, n, buf[i]!, buf[i + n]!);
      expect(d).toBe(rollsum(buf, i + 1, i + 1 + n));
    }
    let m = n;
    let start = buf.length - n;
    d = rollsum(buf, start, buf.length);
    while (m > 1) {
      d = rollsumRollOut(d, m, buf[start]!);
      start++;
      m--;
      expect(d).toBe(rollsum(buf, start, buf.length));
    }
  });
  it('handles windows longer than 2^16 and 2^24 bytes', () => {
    const big = new Uint8Array((1 << 24) + 3).fill(200);
    let s1 = 0;
    let s2 = 0;
    for (let i = 0; i < big.length; i++) {
      s1 = (s1 + 231) % 65536;
      s2 = (s2 + s1) % 65536;
    }
    expect(rollsum(big)).toBe(((s2 << 16) | s1) >>> 0);
  });
});

describe('RabinKarp (librsync vectors)', () => {
  it('matches tests/rabinkarp_test.c', () => {
    expect(rabinKarp(new Uint8Array(0))).toBe(RK_SEED);
    expect(rabinKarp(Uint8Array.of(0))).toBe(0x08104225);
    expect(rabinKarp(seq(0, 4))).toBe(0xaf981e97);
    expect(rabinKarpRotate(rabinKarp(seq(0, 4)), rkPower(4), 0, 4)).toBe(0xe2ef15f3);
    expect(rabinKarp(seq(4, 8))).toBe(0x7cf3fc07);
    expect(rabinKarp(seq(0, 256))).toBe(0xc1972381);
  });
  it('four-byte stepping equals byte stepping for every length 0..40', () => {
    const buf = seq(0, 200).map((x) => (x * 37 + 11) & 255);
    for (let len = 0; len <= 40; len++) {
      let h = RK_SEED;
      for (let i = 0; i < len; i++) h = (Math.imul(h, 0x08104225) + buf[i + 3]!) >>> 0;
      expect(rabinKarp(buf, 3, 3 + len)).toBe(h);
    }
  });
  it('rotate and roll-out equal recomputation', () => {
    const buf = Uint8Array.from({ length: 3000 }, (_, i) => (i * 2654435761) >>> 24);
    const n = 333;
    const mn = rkPower(n);
    let h = rabinKarp(buf, 0, n);
    for (let i = 0; i + n < buf.length; i++) {
      h = rabinKarpRotate(h, mn, buf[i]!, buf[i + n]!);
      expect(h).toBe(rabinKarp(buf, i + 1, i + 1 + n));
    }
    let m = n;
    let start = buf.length - n;
    h = rabinKarp(buf, start, buf.length);
    while (m > 1) {
      h = rabinKarpRollOut(h, rkPower(m - 1), buf[start]!);
      start++;
      m--;
      expect(h).toBe(rabinKarp(buf, start, buf.length));
    }
  });
});
