/*
 * Delta parsing, push style and I/O-free (librsync patch.c): feed delta bytes
 * with push(chunk) and get back the operations to perform (write literal
 * bytes, copy a basis range). Every command is validated: known opcode, sane
 * lengths, COPY inside the basis when its length is known, END present and
 * nothing after it (but the native trailer).
 */
import { assertBytes, assertInt } from '../core/assert.js';
import { RsyncError } from '../core/errors.js';
import { opInfo } from './delta-commands.js';
import { NATIVE_DELTA_TRAILER_LEN } from './delta.js';
import { NATIVE_DELTA_MAGIC, RS_DELTA_MAGIC, type FormatKind } from './magic.js';
import { readU32, readUint } from './netint.js';

/** One step of applying a delta. `data` views the pushed chunk: use it before the next push. */
export type PatchOp = { op: 'literal'; data: Uint8Array } | { op: 'copy'; offset: number; length: number };

/** Options for reading a delta. */
export interface PatchOptions {
  /** Length of the basis, to validate COPY commands as they arrive. */
  basisLength?: number;
}

/** What the native trailer promises about the output. */
export interface DeltaTrailer {
  length: number;
  /** XXH64 (seed 0, big-endian) of the output. */
  checksum: Uint8Array;
}

type State = 'magic' | 'cmd' | 'params' | 'literal' | 'trailer' | 'done';

/** Parses a delta pushed in chunks into patch operations. */
export class PatchDecoder {
  /** The delta's format, known once the magic has been read. */
  format: FormatKind | undefined;
  /** The native trailer, once read. */
  trailer: DeltaTrailer | undefined;
  /** Bytes of output the commands so far describe. */
  outputLength = 0;
  private state: State = 'magic';
  private hdr = new Uint8Array(NATIVE_DELTA_TRAILER_LEN);
  private hdrFill = 0;
  private need = 4;
  private op = 0;
  private litLeft = 0;
  private readonly basisLength: number | undefined;
  private finished = false;
  private consumed = 0;

  constructor(opts: PatchOptions = {}) {
    if (opts.basisLength !== undefined) assertInt('basisLength', opts.basisLength, 0);
    this.basisLength = opts.basisLength;
  }

  private fail(code: 'CORRUPT' | 'BAD_MAGIC' | 'LIMIT', msg: string): never {
    throw new RsyncError(code, `${msg} at delta offset ${this.consumed}`);
  }

  private command(op: number): void {
    const info = opInfo(op);
    if (!info) this.fail('CORRUPT', `reserved opcode 0x${op.toString(16)}`);
    if (info.kind === 'end') {
      if (this.format === 'native') {
        this.state = 'trailer';
        this.need = NATIVE_DELTA_TRAILER_LEN;
        this.hdrFill = 0;
      } else this.state = 'done';
      return;
    }
    if (info.immediate > 0) {
      this.litLeft = info.immediate;
      this.state = 'literal';
      this.addOutput(info.immediate);
      return;
    }
    this.op = op;
    this.need = info.w1 + info.w2;
    this.hdrFill = 0;
    this.state = 'params';
  }

  private addOutput(n: number): void {
    this.outputLength += n;
    if (this.outputLength > Number.MAX_SAFE_INTEGER) this.fail('LIMIT', 'output length beyond 2^53');
  }

  private params(ops: PatchOp[]): void {
    const info = opInfo(this.op)!;
    const a = readUint(this.hdr, 0, info.w1);
    if (info.kind === 'literal') {
      if (a <= 0) this.fail(a < 0 ? 'LIMIT' : 'CORRUPT', a < 0 ? 'literal length beyond 2^53' : 'zero-length literal');
      this.litLeft = a;
      this.addOutput(a);
      this.state = 'literal';
      return;
    }
    const len = readUint(this.hdr, info.w1, info.w2);
    if (a < 0 || len < 0) this.fail('LIMIT', 'copy offset or length beyond 2^53');
    if (len === 0) this.fail('CORRUPT', 'zero-length copy');
    if (this.basisLength !== undefined && a + len > this.basisLength) {
      this.fail('CORRUPT', `copy of ${len} bytes at ${a} beyond basis length ${this.basisLength}`);
    }
    this.addOutput(len);
    ops.push({ op: 'copy', offset: a, length: len });
    this.state = 'cmd';
  }

  /**
   * Feeds delta bytes; returns the operations they complete, in order.
   * @throws RsyncError BAD_MAGIC, CORRUPT or LIMIT as soon as the data shows it
   */
  push(chunk: Uint8Array): PatchOp[] {
    assertBytes('chunk', chunk);
    if (this.finished) throw new RsyncError('CORRUPT', 'push() after finish()');
    const ops: PatchOp[] = [];
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      switch (this.state) {
        case 'magic':
        case 'params':
        case 'trailer': {
          const take = Math.min(this.need - this.hdrFill, n - i);
          this.hdr.set(chunk.subarray(i, i + take), this.hdrFill);
          this.hdrFill += take;
          i += take;
          this.consumed += take;
          if (this.hdrFill < this.need) break;
          if (this.state === 'magic') {
            const magic = readU32(this.hdr, 0);
            if (magic === RS_DELTA_MAGIC) this.format = 'librsync';
            else if (magic === NATIVE_DELTA_MAGIC) this.format = 'native';
            else throw new RsyncError('BAD_MAGIC', `not a delta: magic 0x${magic.toString(16).padStart(8, '0')}`);
            this.state = 'cmd';
          } else if (this.state === 'params') this.params(ops);
          else {
            const length = readUint(this.hdr, 0, 8);
            if (length < 0) this.fail('CORRUPT', 'trailer length beyond 2^53');
            this.trailer = { length, checksum: this.hdr.slice(8, 16) };
            this.state = 'done';
          }
          break;
        }
        case 'cmd': {
          const op = chunk[i++]!;
          this.consumed++;
          this.command(op);
          break;
        }
        case 'literal': {
          const take = Math.min(this.litLeft, n - i);
          ops.push({ op: 'literal', data: chunk.subarray(i, i + take) });
          this.litLeft -= take;
          i += take;
          this.consumed += take;
          if (this.litLeft === 0) this.state = 'cmd';
          break;
        }
        case 'done':
          this.fail('CORRUPT', 'data after the end of the delta');
      }
    }
    return ops;
  }

  /** True once END (and the native trailer) has been read. */
  get complete(): boolean {
    return this.state === 'done';
  }

  /**
   * Ends the input.
   * @throws RsyncError TRUNCATED when the delta stops before END (or its trailer)
   */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.state !== 'done') {
      throw new RsyncError('TRUNCATED', `delta truncated after ${this.consumed} bytes (${this.state === 'magic' ? 'no magic' : this.state === 'trailer' ? 'trailer incomplete' : 'no END command'})`);
    }
    if (this.trailer && this.trailer.length !== this.outputLength) {
      throw new RsyncError('CORRUPT', `delta commands produce ${this.outputLength} bytes, trailer says ${this.trailer.length}`);
    }
  }
}
