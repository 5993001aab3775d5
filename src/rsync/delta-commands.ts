/*
 * The delta command encoding shared by librsync deltas and our native deltas
 * (librsync prototab.h): END 0x00, LITERAL_1..64 0x01-0x40, LITERAL_N1..N8
 * 0x41-0x44, COPY_Nw_Nl 0x45-0x54, 0x55+ reserved. Integers big-endian in the
 * smallest width that holds them.
 */
import type { ByteSink } from '../core/byte-sink.js';
import { intWidth, widthIndex, writeUint } from './netint.js';

export const OP_END = 0x00;
export const OP_LITERAL_1 = 0x01;
export const OP_LITERAL_64 = 0x40;
export const OP_LITERAL_N1 = 0x41;
export const OP_COPY_N1_N1 = 0x45;
export const OP_RESERVED = 0x55;

/** Parameter widths of an opcode (librsync prototab). */
export interface OpInfo {
  kind: 'end' | 'literal' | 'copy';
  /** Literal length implied by the opcode (LITERAL_1..64), else 0. */
  immediate: number;
  /** Width of the first parameter (literal length, or copy offset), 0 if none. */
  w1: number;
  /** Width of the second parameter (copy length), 0 if none. */
  w2: number;
}

const WIDTHS = [1, 2, 4, 8] as const;

/** Decodes an opcode byte, or undefined for a reserved one. */
export function opInfo(op: number): OpInfo | undefined {
  if (op === OP_END) return { kind: 'end', immediate: 0, w1: 0, w2: 0 };
  if (op <= OP_LITERAL_64) return { kind: 'literal', immediate: op, w1: 0, w2: 0 };
  if (op < OP_COPY_N1_N1) return { kind: 'literal', immediate: 0, w1: WIDTHS[op - OP_LITERAL_N1]!, w2: 0 };
  if (op < OP_RESERVED) {
    const k = op - OP_COPY_N1_N1;
    return { kind: 'copy', immediate: 0, w1: WIDTHS[k >> 2]!, w2: WIDTHS[k & 3]! };
  }
  return undefined;
}

/** Writes a LITERAL command header for `len` bytes (the caller appends the data). */
export function writeLiteralHeader(sink: ByteSink, len: number): void {
  if (len <= 64) {
    sink.appendByte(len);
    return;
  }
  const w = intWidth(len);
  const at = sink.reserve(1 + w);
  const a = sink.array;
  a[at] = OP_LITERAL_N1 + widthIndex(w);
  writeUint(a, at + 1, len, w);
  sink.commit(1 + w);
}

/** Writes a COPY command: `len` bytes from basis offset `where`. */
export function writeCopy(sink: ByteSink, where: number, len: number): void {
  const w1 = intWidth(where);
  const w2 = intWidth(len);
  const at = sink.reserve(1 + w1 + w2);
  const a = sink.array;
  a[at] = OP_COPY_N1_N1 + 4 * widthIndex(w1) + widthIndex(w2);
  writeUint(a, at + 1, where, w1);
  writeUint(a, at + 1 + w1, len, w2);
  sink.commit(1 + w1 + w2);
}
