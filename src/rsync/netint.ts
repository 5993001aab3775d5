/*
 * Big-endian integers of 1, 2, 4 or 8 bytes, as librsync's netint.c writes
 * them: the width is the smallest that holds the value. Values are JS numbers
 * limited to 2^53 - 1; wider values in input are reported by the caller.
 */

/** The smallest of 1, 2, 4, 8 bytes that holds `v` (librsync rs_int_len). */
export function intWidth(v: number): 1 | 2 | 4 | 8 {
  if (v <= 0xff) return 1;
  if (v <= 0xffff) return 2;
  if (v <= 0xffffffff) return 4;
  return 8;
}

/** Index 0..3 of a width 1, 2, 4, 8 (used in opcode arithmetic). */
export function widthIndex(w: 1 | 2 | 4 | 8): number {
  return w === 1 ? 0 : w === 2 ? 1 : w === 4 ? 2 : 3;
}

/** Writes `v` big-endian in `w` bytes at `buf[at]`; returns the offset after it. */
export function writeUint(buf: Uint8Array, at: number, v: number, w: number): number {
  for (let i = w - 1; i >= 0; i--) {
    buf[at + i] = v % 256;
    v = Math.floor(v / 256);
  }
  return at + w;
}

/**
 * Reads a big-endian unsigned integer of `w` bytes at `buf[at]`.
 * Returns -1 when the value exceeds Number.MAX_SAFE_INTEGER.
 */
export function readUint(buf: Uint8Array, at: number, w: number): number {
  let v = 0;
  for (let i = 0; i < w; i++) v = v * 256 + buf[at + i]!;
  return Number.isSafeInteger(v) ? v : -1;
}

/** Reads a big-endian u32. */
export function readU32(buf: Uint8Array, at: number): number {
  return ((buf[at]! << 24) | (buf[at + 1]! << 16) | (buf[at + 2]! << 8) | buf[at + 3]!) >>> 0;
}

/** Writes a big-endian u32. */
export function writeU32(buf: Uint8Array, at: number, v: number): void {
  buf[at] = v >>> 24;
  buf[at + 1] = (v >>> 16) & 255;
  buf[at + 2] = (v >>> 8) & 255;
  buf[at + 3] = v & 255;
}
