/*
 * Big-endian integer reads and writes on byte arrays, shared by every binary
 * format (rsync wire formats, packs, indexes). Values are JS numbers limited
 * to 2^53 - 1.
 */

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
