/*
 * Byte-array helpers for tests: concatenation, cheap equality on large
 * buffers, and a description of the first difference for failure messages.
 */

import { concatBytes } from '../../src/rsync/buffers.js';

/** Concatenates byte arrays. */
export function concat(...parts: readonly Uint8Array[]): Uint8Array {
  return concatBytes(parts);
}

/** True when two byte arrays hold the same bytes (cheaper than expect().toEqual on MBs). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

/** Lower-case hex of the first `max` bytes, for messages. */
export function hexHead(a: Uint8Array, max = 16): string {
  return Buffer.from(a.buffer, a.byteOffset, Math.min(max, a.byteLength)).toString('hex');
}

/** Where two byte arrays first differ, or undefined when they are equal. */
export function firstDiff(a: Uint8Array, b: Uint8Array): string | undefined {
  if (sameBytes(a, b)) return undefined;
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  const around = (x: Uint8Array) => Buffer.from(x.buffer, x.byteOffset + Math.max(0, i - 4), Math.max(0, Math.min(x.length, i + 8) - Math.max(0, i - 4))).toString('hex');
  return `lengths ${a.length} vs ${b.length}, first difference at byte ${i}: ${around(a)} vs ${around(b)}`;
}
