/*
 * librsync's RabinKarp rolling hash (rabinkarp.h): a polynomial hash mod 2^32
 * with seed 1 and multiplier 0x08104225. The default weak sum of rdiff since
 * 2.2.0 and the weak sum of our native signature format.
 */

/** Initial hash value of the empty window. */
export const RK_SEED = 1;
/** The multiplier. */
export const RK_MULT = 0x08104225;
/** (MULT - 1) * SEED: what a byte leaving the window takes with it. */
export const RK_ADJ = 0x08104224;

const M2 = Math.imul(RK_MULT, RK_MULT);
const M3 = Math.imul(M2, RK_MULT);
const M4 = Math.imul(M3, RK_MULT);

/** RK_MULT^n mod 2^32, as a signed 32-bit integer (use with Math.imul). */
export function rkPower(n: number): number {
  let r = 1;
  let b = RK_MULT;
  while (n > 0) {
    if (n & 1) r = Math.imul(r, b);
    b = Math.imul(b, b);
    n = Math.floor(n / 2);
  }
  return r;
}

/**
 * Hash of `buf[start, end)` continued from `h` (RK_SEED for a fresh window).
 * Four bytes per step with independent multiplies, then the tail.
 * @returns the hash as an unsigned 32-bit integer
 */
export function rabinKarpUpdate(h: number, buf: Uint8Array, start: number, end: number): number {
  let i = start;
  const end4 = end - ((end - start) & 3);
  while (i < end4) {
    h = (Math.imul(h, M4) + Math.imul(buf[i]!, M3) + Math.imul(buf[i + 1]!, M2) + Math.imul(buf[i + 2]!, RK_MULT) + buf[i + 3]!) | 0;
    i += 4;
  }
  while (i < end) h = (Math.imul(h, RK_MULT) + buf[i++]!) | 0;
  return h >>> 0;
}

/** RabinKarp hash of `buf[start, end)`. */
export function rabinKarp(buf: Uint8Array, start = 0, end = buf.length): number {
  return rabinKarpUpdate(RK_SEED, buf, start, end);
}

/**
 * Slides a window of length n one byte: `out` leaves, `inp` enters.
 * `multN` is rkPower(n) for the window length n.
 */
export function rabinKarpRotate(h: number, multN: number, out: number, inp: number): number {
  return (Math.imul(h, RK_MULT) + inp - Math.imul(multN, out + RK_ADJ)) >>> 0;
}

/** Removes `out` from the front of a window of length n; `multNm1` is rkPower(n - 1). */
export function rabinKarpRollOut(h: number, multNm1: number, out: number): number {
  return (h - Math.imul(multNm1, out + RK_ADJ)) >>> 0;
}
