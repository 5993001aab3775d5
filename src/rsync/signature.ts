/*
 * Signature generation, push style and I/O-free (librsync mksum.c): feed the
 * basis with push(chunk), collect the signature bytes each call returns, and
 * call finish() at the end. The Signature type is the in-memory form that the
 * reader builds and the delta matcher consumes.
 */
import { assertBytes } from '../core/assert.js';
import { ByteSink } from '../core/byte-sink.js';
import { RsyncError } from '../core/errors.js';
import { createXxh64 } from '../core/strong-hash.js';
import type { FormatKind, StrongSumKind, WeakSumKind } from './magic.js';
import { writeU32, writeUint } from './netint.js';
import { rabinKarpBlock } from './rabinkarp-wasm.js';
import { rollsum } from './rollsum.js';
import { resolveSignatureParams, type SignatureOptions, type SignatureParams } from './signature-params.js';
import { StrongSummer } from './strong-sum.js';

/** Size of the signature header: magic, block_len, strong_len. */
export const SIG_HEADER_LEN = 12;
/** Size of the native signature trailer: u64 basis length, u64 XXH64 of all preceding bytes. */
export const NATIVE_SIG_TRAILER_LEN = 16;

/** A signature in memory: one weak and one strong sum per basis block. */
export interface Signature extends SignatureParams {
  /** Number of blocks. */
  blockCount: number;
  /** Weak sum of block i at index i. */
  weakSums: Uint32Array;
  /** Strong sum of block i at [i * strongLen, (i + 1) * strongLen). */
  strongSums: Uint8Array;
  /** Basis length, known for native signatures (undefined for librsync ones). */
  basisLength?: number;
}

/** Weak sum of `buf[start, end)` for a signature's weak kind. */
export function weakSum(kind: WeakSumKind, buf: Uint8Array, start: number, end: number): number {
  return kind === 'rabinkarp' ? rabinKarpBlock(buf, start, end) : rollsum(buf, start, end);
}

/**
 * Generates a signature from basis bytes pushed in any split.
 * @example
 * const enc = new SignatureEncoder({ basisLength: data.length });
 * const sig = concat([enc.push(data), enc.finish()]);
 */
export class SignatureEncoder {
  readonly params: SignatureParams;
  private readonly out = new ByteSink(4096);
  private readonly summer: StrongSummer;
  private readonly block: Uint8Array;
  private blockFill = 0;
  private total = 0;
  private finished = false;
  private readonly check = createXxh64();

  /** @throws RangeError/TypeError for bad options */
  constructor(opts: SignatureOptions = {}) {
    this.params = resolveSignatureParams(opts);
    this.summer = new StrongSummer(this.params.strong);
    this.block = new Uint8Array(this.params.blockLen);
    const head = new Uint8Array(SIG_HEADER_LEN);
    writeU32(head, 0, this.params.magic);
    writeU32(head, 4, this.params.blockLen);
    writeU32(head, 8, this.params.strongLen);
    this.emit(head);
  }

  private emit(bytes: Uint8Array): void {
    this.out.append(bytes);
    if (this.params.format === 'native') this.check.update(bytes);
  }

  private emitBlock(buf: Uint8Array, start: number, end: number): void {
    const { strongLen, weak } = this.params;
    const at = this.out.reserve(4 + strongLen);
    const arr = this.out.array;
    writeU32(arr, at, weakSum(weak, buf, start, end));
    const strong = this.summer.sum(buf, start, end);
    arr.set(strong.subarray(0, strongLen), at + 4);
    this.out.commit(4 + strongLen);
    if (this.params.format === 'native') this.check.update(arr.subarray(at, at + 4 + strongLen));
  }

  /** Feeds basis bytes; returns the signature bytes produced so far. */
  push(chunk: Uint8Array): Uint8Array {
    assertBytes('chunk', chunk);
    if (this.finished) throw new RsyncError('CORRUPT', 'push() after finish()');
    const bl = this.params.blockLen;
    let i = 0;
    this.total += chunk.length;
    if (this.blockFill > 0) {
      const n = Math.min(bl - this.blockFill, chunk.length);
      this.block.set(chunk.subarray(0, n), this.blockFill);
      this.blockFill += n;
      i = n;
      if (this.blockFill === bl) {
        this.emitBlock(this.block, 0, bl);
        this.blockFill = 0;
      }
    }
    for (; i + bl <= chunk.length; i += bl) this.emitBlock(chunk, i, i + bl);
    if (i < chunk.length) {
      this.block.set(chunk.subarray(i), 0);
      this.blockFill = chunk.length - i;
    }
    return this.out.take();
  }

  /** Ends the basis; returns the last signature bytes (the short block, the native trailer). */
  finish(): Uint8Array {
    if (this.finished) throw new RsyncError('CORRUPT', 'finish() called twice');
    this.finished = true;
    if (this.blockFill > 0) this.emitBlock(this.block, 0, this.blockFill);
    if (this.params.format === 'native') {
      const trailer = new Uint8Array(NATIVE_SIG_TRAILER_LEN);
      writeUint(trailer, 0, this.total, 8);
      this.check.update(trailer.subarray(0, 8));
      trailer.set(this.check.digest(), 8);
      this.out.append(trailer);
    }
    return this.out.take();
  }
}

/** Which format a signature or delta is in, by its kind. */
export type { FormatKind, StrongSumKind, WeakSumKind };
