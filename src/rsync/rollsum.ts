/*
 * librsync's rollsum (rollsum.h), an Adler-32 relative: unsigned bytes with
 * ROLLSUM_CHAR_OFFSET 31, two 16-bit halves, digest (s2 << 16) | s1. Used by
 * the rollsum signature magics 0x72730136 and 0x72730137. State is passed as a
 * packed digest plus the window length, so the hot loop allocates nothing.
 */

/** librsync's ROLLSUM_CHAR_OFFSET. */
export const ROLLSUM_CHAR_OFFSET = 31;

/** Digest of `buf[start, end)` (a fresh window). */
export function rollsum(buf: Uint8Array, start = 0, end = buf.length): number {
  let s1 = 0;
  let s2 = 0;
  for (let i = start; i < end; ) {
    const stop = Math.min(end, i + 4096); // keep s2 well below 2^53
    for (; i < stop; i++) {
      s1 += buf[i]!;
      s2 += s1;
    }
    s1 %= 65536;
    s2 %= 65536;
  }
  const n = end - start;
  s1 += n * ROLLSUM_CHAR_OFFSET;
  // n(n+1)/2 * 31 can exceed 2^53 only for n > 2^24; reduce mod 2^16 first.
  const tri = n % 2 === 0 ? ((n / 2) % 65536) * ((n + 1) % 65536) : (((n + 1) / 2) % 65536) * (n % 65536);
  s2 += (tri % 65536) * ROLLSUM_CHAR_OFFSET;
  return (((s2 & 0xffff) << 16) | (s1 & 0xffff)) >>> 0;
}

/** Slides a window of length n one byte: `out` leaves, `inp` enters. */
export function rollsumRotate(digest: number, n: number, out: number, inp: number): number {
  const s1 = ((digest & 0xffff) + inp - out) & 0xffff;
  const s2 = ((digest >>> 16) + s1 - (n % 65536) * (out + ROLLSUM_CHAR_OFFSET)) & 0xffff;
  return ((s2 << 16) | s1) >>> 0;
}

/** Removes `out` from the front of a window of length n. */
export function rollsumRollOut(digest: number, n: number, out: number): number {
  const s1 = ((digest & 0xffff) - (out + ROLLSUM_CHAR_OFFSET)) & 0xffff;
  const s2 = ((digest >>> 16) - (n % 65536) * (out + ROLLSUM_CHAR_OFFSET)) & 0xffff;
  return ((s2 << 16) | s1) >>> 0;
}
