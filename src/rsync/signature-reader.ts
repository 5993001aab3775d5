/*
 * Signature parsing, push style (librsync readsums.c): feed signature bytes
 * with push(chunk) in any split, then finish() returns the Signature. Every
 * field is checked; truncation and corruption raise RsyncError with a code.
 */
import { assertBytes, assertInt } from '../core/assert.js';
import { RsyncError } from '../core/errors.js';
import { createXxh64 } from '../core/strong-hash.js';
import { signatureKindOf, type SignatureKind } from './magic.js';
import { readU32, readUint } from './netint.js';
import { MAX_BLOCK_LEN } from './signature-params.js';
import { NATIVE_SIG_TRAILER_LEN, SIG_HEADER_LEN, type Signature } from './signature.js';

/** Options for reading a signature. */
export interface SignatureReadOptions {
  /** Refuse signatures with more blocks than this (default 2^26: at most 2.25 GiB of sums with 32-byte strong sums). */
  maxBlocks?: number;
}

/** Parses a signature pushed in chunks. */
export class SignatureDecoder {
  private head = new Uint8Array(SIG_HEADER_LEN);
  private headFill = 0;
  private kind: SignatureKind | undefined;
  private blockLen = 0;
  private strongLen = 0;
  private recLen = 0;
  private pending = new Uint8Array(64);
  private pendingLen = 0;
  private weak = new Uint32Array(64);
  private strong = new Uint8Array(64);
  private count = 0;
  private readonly maxBlocks: number;
  private readonly check = createXxh64();
  private done = false;

  constructor(opts: SignatureReadOptions = {}) {
    this.maxBlocks = opts.maxBlocks ?? 1 << 26;
    assertInt('maxBlocks', this.maxBlocks, 0);
  }

  /** The kind named by the magic in the first 4 header bytes; BAD_MAGIC as soon as they are in. */
  private checkMagic(): SignatureKind {
    const magic = readU32(this.head, 0);
    const kind = signatureKindOf(magic);
    if (!kind) throw new RsyncError('BAD_MAGIC', `not a signature: magic 0x${magic.toString(16).padStart(8, '0')}`);
    return kind;
  }

  private parseHeader(): void {
    const kind = this.checkMagic();
    this.kind = kind;
    this.blockLen = readU32(this.head, 4);
    this.strongLen = readU32(this.head, 8);
    if (this.blockLen < 1 || this.blockLen > MAX_BLOCK_LEN) {
      throw new RsyncError(this.blockLen > MAX_BLOCK_LEN ? 'LIMIT' : 'CORRUPT', `signature block length ${this.blockLen} out of range 1..${MAX_BLOCK_LEN}`);
    }
    if (this.strongLen < 1 || this.strongLen > kind.maxStrongLen) {
      throw new RsyncError('CORRUPT', `signature strong sum length ${this.strongLen} out of range 1..${kind.maxStrongLen}`);
    }
    this.recLen = 4 + this.strongLen;
    this.strong = new Uint8Array(this.weak.length * this.strongLen);
    if (kind.format === 'native') this.check.update(this.head);
  }

  private addRecords(buf: Uint8Array, start: number, end: number): void {
    const n = (end - start) / this.recLen;
    if (this.count + n > this.maxBlocks) {
      throw new RsyncError('LIMIT', `signature has more than ${this.maxBlocks} blocks`);
    }
    if (this.count + n > this.weak.length) {
      let cap = this.weak.length;
      while (cap < this.count + n) cap *= 2;
      const w = new Uint32Array(cap);
      w.set(this.weak.subarray(0, this.count));
      this.weak = w;
      const s = new Uint8Array(cap * this.strongLen);
      s.set(this.strong.subarray(0, this.count * this.strongLen));
      this.strong = s;
    }
    if (this.kind!.format === 'native') this.check.update(buf.subarray(start, end));
    const sl = this.strongLen;
    for (let p = start; p < end; p += this.recLen) {
      this.weak[this.count] = readU32(buf, p);
      this.strong.set(buf.subarray(p + 4, p + 4 + sl), this.count * sl);
      this.count++;
    }
  }

  /**
   * Feeds signature bytes.
   * @throws RsyncError BAD_MAGIC, CORRUPT or LIMIT as soon as the data shows it
   */
  push(chunk: Uint8Array): void {
    assertBytes('chunk', chunk);
    if (this.done) throw new RsyncError('CORRUPT', 'push() after finish()');
    let i = 0;
    if (!this.kind) {
      const n = Math.min(SIG_HEADER_LEN - this.headFill, chunk.length);
      this.head.set(chunk.subarray(0, n), this.headFill);
      this.headFill += n;
      i = n;
      if (this.headFill < SIG_HEADER_LEN) {
        if (this.headFill >= 4) this.checkMagic();
        return;
      }
      this.parseHeader();
    }
    // Native signatures end in a trailer: hold back that many bytes until finish().
    const hold = this.kind!.format === 'native' ? NATIVE_SIG_TRAILER_LEN : 0;
    const rec = this.recLen;
    let data = chunk;
    if (this.pendingLen > 0) {
      data = new Uint8Array(this.pendingLen + chunk.length - i);
      data.set(this.pending.subarray(0, this.pendingLen));
      data.set(chunk.subarray(i), this.pendingLen);
      i = 0;
      this.pendingLen = 0;
    }
    const avail = data.length - i - hold;
    const whole = avail > 0 ? avail - (avail % rec) : 0;
    if (whole > 0) {
      this.addRecords(data, i, i + whole);
      i += whole;
    }
    const rest = data.length - i;
    if (rest > 0) {
      if (this.pending.length < rest) this.pending = new Uint8Array(rest);
      this.pending.set(data.subarray(i));
      this.pendingLen = rest;
    }
  }

  /**
   * Ends the input and returns the parsed signature.
   * @throws RsyncError TRUNCATED when the input stops inside the header, a block record or the trailer; INTEGRITY when a native checksum disagrees
   */
  finish(): Signature {
    if (this.done) throw new RsyncError('CORRUPT', 'finish() called twice');
    this.done = true;
    const kind = this.kind;
    if (!kind) throw new RsyncError('TRUNCATED', `signature truncated: ${this.headFill} of ${SIG_HEADER_LEN} header bytes`);
    let basisLength: number | undefined;
    if (kind.format === 'native') {
      if (this.pendingLen < NATIVE_SIG_TRAILER_LEN) throw new RsyncError('TRUNCATED', 'native signature truncated: trailer missing');
      const recBytes = this.pendingLen - NATIVE_SIG_TRAILER_LEN;
      if (recBytes % this.recLen !== 0) throw new RsyncError('TRUNCATED', 'native signature truncated inside a block record');
      this.addRecords(this.pending, 0, recBytes);
      const t = recBytes;
      const len = readUint(this.pending, t, 8);
      this.check.update(this.pending.subarray(t, t + 8));
      const want = this.check.digest();
      const got = this.pending.subarray(t + 8, t + 16);
      if (!want.every((b, k) => b === got[k])) throw new RsyncError('INTEGRITY', 'native signature checksum mismatch');
      if (len < 0) throw new RsyncError('CORRUPT', 'native signature basis length out of range');
      const expectBlocks = Math.ceil(len / this.blockLen);
      if (expectBlocks !== this.count) {
        throw new RsyncError('CORRUPT', `native signature has ${this.count} blocks, basis length ${len} needs ${expectBlocks}`);
      }
      basisLength = len;
    } else if (this.pendingLen !== 0) {
      throw new RsyncError('TRUNCATED', `signature truncated: ${this.pendingLen} bytes of a ${this.recLen}-byte block record`);
    }
    const sig: Signature = {
      magic: kind.magic,
      format: kind.format,
      weak: kind.weak,
      strong: kind.strong,
      blockLen: this.blockLen,
      strongLen: this.strongLen,
      blockCount: this.count,
      weakSums: this.weak.slice(0, this.count),
      strongSums: this.strong.slice(0, this.count * this.strongLen),
    };
    if (basisLength !== undefined) sig.basisLength = basisLength;
    return sig;
  }
}

/**
 * Parses a whole signature held in memory.
 * @throws RsyncError BAD_MAGIC, TRUNCATED, CORRUPT, INTEGRITY or LIMIT
 * @example const sig = readSignature(await fs.readFile('basis.sig'));
 */
export function readSignature(bytes: Uint8Array, opts?: SignatureReadOptions): Signature {
  const d = new SignatureDecoder(opts);
  d.push(bytes);
  return d.finish();
}
