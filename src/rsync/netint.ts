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

export { readU32, readUint, writeU32, writeUint } from '../core/bytes.js';
