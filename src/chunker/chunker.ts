/*
 * The FastCDC 2020 chunker as an I/O-free push engine: feed bytes with push(),
 * get the chunk boundaries each push completes, end with finish(). Cut points are
 * those of the reference (fastcdc-rs v2020 `cut`): gear hash rolled two bytes at
 * a time, sub-minimum skipping, normalized masks. It keeps no input bytes, only the
 * scan state, so cut points never depend on how the input was split.
 */
import { assertBytes } from '../core/index.js';
import type { ChunkerOptions, ChunkerParams } from './params.js';
import { resolveParams } from './params.js';

/** One chunk: where it starts in the whole input, its length, and the gear hash at its cut. */
export interface ChunkBoundary {
  /** Offset of the chunk's first byte from the start of the input. */
  readonly offset: number;
  /** Length in bytes (>= 1). */
  readonly length: number;
  /**
   * The 64-bit gear hash when the cut was chosen, as fastcdc-rs reports it
   * (0 for a final chunk of at most minSize bytes). Useful for tests only.
   */
  readonly hash: bigint;
}

// Outputs of scanPairs (module variables keep the hot loop free of allocations).
let scanHi = 0;
let scanLo = 0;

/**
 * Rolls the gear hash over `pairs` byte pairs of `buf` from `start` (the first byte
 * of each pair at an even chunk position) and stops at the first cut. Returns the
 * offset in `buf` of the byte whose hash chose the cut, or -1. As in the reference,
 * the chunk ends before that byte (which starts the next chunk).
 * hash = (hash << 2) + GEAR_LS[even byte], judged with mask << 1; then
 * hash += GEAR[odd byte], judged with mask. 64-bit arithmetic in two int32 halves.
 */
function scanPairs(
  buf: Uint8Array,
  start: number,
  pairs: number,
  hi: number,
  lo: number,
  gHi: Int32Array,
  gLo: Int32Array,
  lsHi: Int32Array,
  lsLo: Int32Array,
  mHi: number,
  mLo: number,
  mlsHi: number,
  mlsLo: number,
): number {
  // Everything stays int32 (V8 keeps it in registers): the carry out of the low
  // half is the top bit of (a & c) | ((a | c) & ~sum), computed without compares.
  const end = start + 2 * pairs;
  for (let i = start; i < end; i += 2) {
    let b = buf[i] as number;
    const a = lo << 2;
    let c = lsLo[b] as number;
    let sum = (a + c) | 0;
    hi = (((hi << 2) | (lo >>> 30)) + (lsHi[b] as number) + (((a & c) | ((a | c) & ~sum)) >>> 31)) | 0;
    lo = sum;
    if (((hi & mlsHi) | (lo & mlsLo)) === 0) {
      scanHi = hi;
      scanLo = lo;
      return i;
    }
    b = buf[i + 1] as number;
    c = gLo[b] as number;
    sum = (lo + c) | 0;
    hi = (hi + (gHi[b] as number) + (((lo & c) | ((lo | c) & ~sum)) >>> 31)) | 0;
    lo = sum;
    if (((hi & mHi) | (lo & mLo)) === 0) {
      scanHi = hi;
      scanLo = lo;
      return i + 1;
    }
  }
  scanHi = hi;
  scanLo = lo;
  return -1;
}

const hiOf = (v: bigint): number => Number((v >> 32n) & 0xffffffffn) | 0;
const loOf = (v: bigint): number => Number(v & 0xffffffffn) | 0;

/**
 * Push-style FastCDC 2020 chunker. Memory is constant: it keeps the scan state of
 * the current chunk (at most one byte of input), never the input itself.
 * @example
 * const c = new Chunker({ avgSize: 16384 });
 * for (const piece of pieces) for (const b of c.push(piece)) store(b.offset, b.length);
 * for (const b of c.finish()) store(b.offset, b.length);
 */
export class Chunker {
  /** The resolved options (sizes, level, masks, gear table). */
  readonly params: ChunkerParams;
  private readonly scanStart: number; // first hashed byte of a chunk: 2*floor(min/2)
  private readonly avgHalf: number; // pairs with index < avgHalf use the strict masks
  private readonly maxHalf: number; // pairs with index >= maxHalf are never hashed
  private readonly masks: readonly number[]; // mSHi, mSLo, mSlsHi, mSlsLo, mLHi, mLLo, mLlsHi, mLlsLo
  private chunkStart = 0; // offset of the current chunk in the whole input
  private len = 0; // bytes of the current chunk consumed so far
  private hi = 0;
  private lo = 0;
  private pending = -1; // the even byte of an incomplete pair, or -1
  private finished = false;

  /**
   * @throws {TypeError} when an option has the wrong type.
   * @throws {RangeError} when a size is out of range (see {@link resolveParams}).
   */
  constructor(opts: ChunkerOptions = {}) {
    const p = resolveParams(opts);
    this.params = p;
    this.scanStart = 2 * Math.floor(p.minSize / 2);
    this.avgHalf = Math.floor(p.avgSize / 2);
    this.maxHalf = Math.floor(p.maxSize / 2);
    const mask64 = 0xffffffffffffffffn;
    const sLs = (p.maskS << 1n) & mask64;
    const lLs = (p.maskL << 1n) & mask64;
    this.masks = [hiOf(p.maskS), loOf(p.maskS), hiOf(sLs), loOf(sLs), hiOf(p.maskL), loOf(p.maskL), hiOf(lLs), loOf(lLs)];
  }

  /** Total bytes pushed so far. */
  get position(): number {
    return this.chunkStart + this.len;
  }

  /**
   * Consumes `data` and returns the chunks it completes, in order. A returned
   * chunk may end before `data` starts (by at most one byte): a cut at an even
   * position is only taken once the next byte is known, as in the reference.
   * @throws {TypeError} when `data` is not a Uint8Array.
   * @throws {Error} after finish().
   * @example
   * const cuts = chunker.push(buffer).map((b) => b.offset + b.length);
   */
  push(data: Uint8Array): ChunkBoundary[] {
    assertBytes('data', data);
    if (this.finished) throw new Error('Chunker.push() called after finish()');
    const out: ChunkBoundary[] = [];
    const n = data.length;
    const { scanStart, avgHalf, maxHalf, masks } = this;
    const { gear, maxSize } = this.params;
    const scanEnd = 2 * maxHalf;
    let i = 0;
    while (i < n) {
      const len = this.len;
      if (len < scanStart) {
        const k = Math.min(scanStart - len, n - i);
        this.len += k;
        i += k;
        continue;
      }
      if (len >= scanEnd) {
        // No cut in the hashed range: the chunk ends at maxSize (scanEnd or scanEnd + 1).
        const k = Math.min(maxSize - len, n - i);
        this.len += k;
        i += k;
        if (this.len === maxSize) out.push(this.cut(maxSize));
        continue;
      }
      const strict = len >> 1 < avgHalf;
      const o = strict ? 0 : 4;
      const mHi = masks[o] as number;
      const mLo = masks[o + 1] as number;
      const mlsHi = masks[o + 2] as number;
      const mlsLo = masks[o + 3] as number;
      if (this.pending >= 0) {
        // Complete the pair whose even byte came at the end of the previous push.
        const cut = this.pairAcross(this.pending, data[i] as number, mHi, mLo, mlsHi, mlsLo);
        this.pending = -1;
        i++;
        if (cut === 'even') {
          // The chunk ends before the pending byte; the new chunk holds it and data[i-1].
          out.push(this.cut(len - 1));
          this.len = 2;
        } else if (cut === 'odd') {
          // The chunk ends before data[i-1], which starts the new chunk.
          out.push(this.cut(len));
          this.len = 1;
        } else {
          this.len = len + 1;
          if (this.len === maxSize) out.push(this.cut(maxSize));
        }
        continue;
      }
      const pairs = Math.min((strict ? avgHalf : maxHalf) - (len >> 1), (n - i) >> 1);
      if (pairs === 0) {
        // One byte left in this push: keep it as the even half of the next pair.
        this.pending = data[i] as number;
        this.len = len + 1;
        i++;
        continue;
      }
      const end = scanPairs(data, i, pairs, this.hi, this.lo, gear.hi, gear.lo, gear.lsHi, gear.lsLo, mHi, mLo, mlsHi, mlsLo);
      this.hi = scanHi;
      this.lo = scanLo;
      if (end < 0) {
        this.len = len + 2 * pairs;
        i += 2 * pairs;
        // An even maxSize is reached by the last pair itself: emit now, not on the next push.
        if (this.len === maxSize) out.push(this.cut(maxSize));
      } else {
        out.push(this.cut(len + (end - i)));
        i = end;
      }
    }
    return out;
  }

  /**
   * Ends the input and returns the last chunk (none for empty input). The chunker
   * cannot be pushed to afterwards.
   * @throws {Error} when called twice.
   * @example
   * const last = chunker.finish();
   */
  finish(): ChunkBoundary[] {
    if (this.finished) throw new Error('Chunker.finish() called twice');
    this.finished = true;
    return this.len > 0 ? [this.cut(this.len)] : [];
  }

  /** One pair split across pushes; returns where it cuts. */
  private pairAcross(even: number, odd: number, mHi: number, mLo: number, mlsHi: number, mlsLo: number): 'even' | 'odd' | 'none' {
    const g = this.params.gear;
    const pair = Uint8Array.of(even, odd);
    const endEven = scanPairs(pair, 0, 1, this.hi, this.lo, g.hi, g.lo, g.lsHi, g.lsLo, mHi, mLo, mlsHi, mlsLo);
    this.hi = scanHi;
    this.lo = scanLo;
    return endEven === 0 ? 'even' : endEven === 1 ? 'odd' : 'none';
  }

  /** Emits the current chunk with `length` bytes and starts the next one. */
  private cut(length: number): ChunkBoundary {
    // The reference reports hash 0 when nothing was hashed (chunk of at most minSize bytes).
    const hash = (BigInt(this.hi >>> 0) << 32n) | BigInt(this.lo >>> 0);
    const b: ChunkBoundary = { offset: this.chunkStart, length, hash };
    this.chunkStart += length;
    this.len = 0;
    this.hi = 0;
    this.lo = 0;
    this.pending = -1;
    return b;
  }
}
