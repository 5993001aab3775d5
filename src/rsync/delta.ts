/*
 * The delta matcher, push style and I/O-free (librsync delta.c, rsync match.c):
 * slides a window over the new data, probes the signature index once per byte
 * with a rolling weak sum, confirms candidates with a lazily computed strong
 * sum, and emits LITERAL and COPY commands. Memory: the signature plus a window
 * of at most 2 * maxLiteral + 2 * blockLen + 64 KiB, whatever the input size.
 */
import { assertBytes, assertInt, assertOneOf } from '../core/assert.js';
import { ByteSink } from '../core/byte-sink.js';
import { RsyncError } from '../core/errors.js';
import type { IncrementalHash } from '../core/hash.js';
import { createXxh64 } from '../core/strong-hash.js';
import { OP_END, writeCopy, writeLiteralHeader } from './delta-commands.js';
import { NATIVE_DELTA_MAGIC, RS_DELTA_MAGIC, type FormatKind } from './magic.js';
import { writeU32, writeUint } from './netint.js';
import { RK_ADJ, RK_MULT, rabinKarp, rabinKarpRollOut, rkPower } from './rabinkarp.js';
import { rabinKarpBlock } from './rabinkarp-wasm.js';
import { rollsum, rollsumRollOut, rollsumRotate, ROLLSUM_CHAR_OFFSET } from './rollsum.js';
import type { CandidateList } from './scan-candidates.js';
import { MAX_CHAIN, SignatureIndex, TABLE_MIX } from './signature-index.js';
import type { Signature } from './signature.js';
import { StrongSummer } from './strong-sum.js';

/** Options for a delta. */
export interface DeltaOptions {
  /** Output format; defaults to the signature's family ('native' for native signatures). */
  format?: FormatKind;
  /** Longest LITERAL command before it is flushed (default 1 MiB). */
  maxLiteral?: number;
}

/** What a delta did, for statistics (rdiff -s) and progress. */
export interface DeltaStats {
  newLength: number;
  deltaLength: number;
  literalBytes: number;
  literalCommands: number;
  copyBytes: number;
  copyCommands: number;
  /** Weak sum matched but strong sum did not. */
  falseMatches: number;
}

/** Bytes of the native delta trailer: u64 new length, u64 XXH64 of the new data (as rsync's xxh64 whole-file check). */
export const NATIVE_DELTA_TRAILER_LEN = 16;

/**
 * Candidate windows found ahead of the matcher (scanCandidates, maybe on another
 * thread): for every window start in [from, to) of the new data, the starts
 * whose weak sum is some block's weak sum are among `base + pos[i]`.
 */
export interface CandidateSegment extends CandidateList {
  /** Stream offset that pos[] is relative to. */
  base: number;
  /** First window start (stream offset) the list covers. */
  from: number;
  /** End (exclusive) of the window starts covered. */
  to: number;
}

/** Second return value of the roll loops: the weak sum where they stopped. */
const ROLL = new Uint32Array(1);

/**
 * Rolls a RabinKarp window from `pos` while the filter rejects it, up to `stop`.
 * Kept a plain function over locals so the JIT compiles it to a tight loop.
 * @returns the window start where it stopped; ROLL[0] holds its weak sum
 */
function rollRabinKarp(b: Uint8Array, pos: number, stop: number, bl: number, w: number, multN: number, filter: Int32Array, fshift: number, outW: Uint32Array): number {
  let h = w | 0;
  for (;;) {
    const f = h >>> fshift;
    if ((filter[f >>> 5]! & (1 << (f & 31))) !== 0 || pos >= stop) break;
    h = (Math.imul(h, RK_MULT) + b[pos + bl]! - Math.imul(multN, b[pos]! + RK_ADJ)) | 0;
    pos++;
  }
  outW[0] = h;
  return pos;
}

/** rollRabinKarp for librsync's rollsum. */
function rollRollsum(b: Uint8Array, pos: number, stop: number, bl: number, w: number, filter: Int32Array, fshift: number, outW: Uint32Array): number {
  let s1 = w & 0xffff;
  let s2 = w >>> 16;
  const n = bl % 65536;
  for (;;) {
    const h = (s2 << 16) | s1;
    const f = Math.imul(h, TABLE_MIX) >>> fshift;
    if ((filter[f >>> 5]! & (1 << (f & 31))) !== 0 || pos >= stop) break;
    const out = b[pos]! + ROLLSUM_CHAR_OFFSET;
    s1 = (s1 + b[pos + bl]! + ROLLSUM_CHAR_OFFSET - out) & 0xffff;
    s2 = (s2 + s1 - n * out) & 0xffff;
    pos++;
  }
  outW[0] = (s2 << 16) | s1;
  return pos;
}

/**
 * Computes a delta from a signature and new data pushed in any split.
 * @example
 * const enc = new DeltaEncoder(readSignature(sigBytes));
 * const delta = concat([enc.push(newData), enc.finish()]);
 */
export class DeltaEncoder {
  readonly format: FormatKind;
  readonly stats: DeltaStats = { newLength: 0, deltaLength: 0, literalBytes: 0, literalCommands: 0, copyBytes: 0, copyCommands: 0, falseMatches: 0 };
  private readonly sig: Signature;
  private readonly index: SignatureIndex;
  private readonly summer: StrongSummer;
  private readonly sink = new ByteSink(1 << 16);
  private readonly sha: IncrementalHash | undefined;
  private readonly bl: number;
  private readonly rk: boolean;
  private readonly multN: number;
  private readonly maxLit: number;
  private readonly lastLen: number; // length of the last block when known, else -1
  private readonly speculate: boolean;
  private buf: Uint8Array;
  private readonly cap: number;
  private lit = 0; // start of the pending literal
  private pos = 0; // start of the window
  private end = 0; // end of buffered data
  private w = 0; // weak sum of the window when haveWeak
  private haveWeak = false;
  private spec = false; // just after a match: try the next block first
  private base = 0; // stream offset of buf[0]
  private readonly hints: CandidateSegment[] = [];
  private hintCur = 0;
  private jumpHit = false;
  private jumpW = 0;
  private strongPos = -1; // window start whose strong sum is in summer.scratch
  private strongLenAt = 0;
  private lastIdx = -1;
  private copyStart = 0;
  private copyLen = 0;
  private finished = false;

  /** @throws RangeError/TypeError for bad options */
  constructor(sig: Signature | SignatureIndex, opts: DeltaOptions = {}) {
    this.index = sig instanceof SignatureIndex ? sig : new SignatureIndex(sig);
    this.sig = this.index.sig;
    this.format = opts.format ?? this.sig.format;
    assertOneOf('format', this.format, ['librsync', 'native'] as const);
    this.maxLit = opts.maxLiteral ?? 1 << 20;
    assertInt('maxLiteral', this.maxLit, 1, 1 << 30);
    this.bl = this.sig.blockLen;
    this.rk = this.sig.weak === 'rabinkarp';
    this.multN = rkPower(this.bl);
    this.summer = new StrongSummer(this.sig.strong);
    const bl = this.sig.basisLength;
    this.lastLen = bl === undefined ? -1 : bl - (this.sig.blockCount - 1) * this.bl;
    // Trust the strong sum alone for the block after a match only when it is long enough.
    this.speculate = this.sig.strongLen >= 8;
    // The window grows with the data up to its cap, so a small input or a hostile
    // block length in a signature header costs no large allocation up front.
    // Room for a whole pending literal plus as much again, so compaction moves at most as many bytes as arrive.
    this.cap = 2 * this.maxLit + 2 * this.bl + (1 << 16);
    this.buf = new Uint8Array(Math.min(this.cap, 1 << 16));
    this.sha = this.format === 'native' ? createXxh64() : undefined;
    const head = new Uint8Array(4);
    writeU32(head, 0, this.format === 'native' ? NATIVE_DELTA_MAGIC : RS_DELTA_MAGIC);
    this.sink.append(head);
  }

  /** Bytes matched so far (copy commands, including one not yet written). */
  get matchedBytes(): number {
    return this.stats.copyBytes + this.copyLen;
  }

  /** Can block `i` match a window of `len` bytes? */
  private lenFits(i: number, len: number): boolean {
    const last = i === this.sig.blockCount - 1;
    if (len === this.bl) return !last || this.lastLen < 0 || this.lastLen === len;
    return last && (this.lastLen < 0 || this.lastLen === len);
  }

  private strongEquals(i: number, pos: number, len: number): boolean {
    if (this.strongPos !== pos || this.strongLenAt !== len) {
      this.summer.sum(this.buf, pos, pos + len);
      this.strongPos = pos;
      this.strongLenAt = len;
    }
    const s = this.summer.scratch;
    const sums = this.sig.strongSums;
    const sl = this.sig.strongLen;
    const at = i * sl;
    for (let k = 0; k < sl; k++) if (s[k] !== sums[at + k]) return false;
    return true;
  }

  /** The block matching the window [pos, pos + len) with weak sum w, or -1. */
  private findMatch(w: number, pos: number, len: number): number {
    const ws = this.sig.weakSums;
    let want = this.lastIdx + 1;
    if (want > 0 && want < this.sig.blockCount && ws[want] === w && this.lenFits(want, len)) {
      if (this.strongEquals(want, pos, len)) return want;
      this.stats.falseMatches++;
    } else want = -1;
    const { head, next, tableShift } = this.index;
    let c = head[Math.imul(w, TABLE_MIX) >>> tableShift]!;
    for (let n = 0; c >= 0 && n < MAX_CHAIN; c = next[c]!, n++) {
      if (ws[c] !== w || c === want || !this.lenFits(c, len)) continue;
      if (this.strongEquals(c, pos, len)) return c;
      this.stats.falseMatches++;
    }
    return -1;
  }

  private flushCopy(): void {
    if (this.copyLen > 0) {
      writeCopy(this.sink, this.copyStart, this.copyLen);
      this.stats.copyCommands++;
      this.stats.copyBytes += this.copyLen;
      this.copyLen = 0;
    }
  }

  private flushLiteral(upTo: number): void {
    const len = upTo - this.lit;
    if (len <= 0) return;
    this.flushCopy();
    writeLiteralHeader(this.sink, len);
    this.sink.append(this.buf.subarray(this.lit, upTo));
    this.stats.literalCommands++;
    this.stats.literalBytes += len;
    this.lit = upTo;
  }

  private addMatch(i: number, pos: number, len: number): void {
    this.flushLiteral(pos);
    const where = i * this.bl;
    if (this.copyLen > 0 && this.copyStart + this.copyLen === where) this.copyLen += len;
    else {
      this.flushCopy();
      this.copyStart = where;
      this.copyLen = len;
    }
    this.lastIdx = i;
    this.lit = pos + len;
  }

  /**
   * Lets the matcher skip offsets: `seg` lists every window start in
   * [seg.from, seg.to) whose weak sum is in the signature. Segments come in
   * stream order and must be added before the data they cover is pushed
   * (a late one is ignored for the offsets already passed). A list that
   * misses candidates only costs matches (more literal bytes), never a wrong
   * delta: every match is still confirmed by the strong sum.
   */
  addCandidates(seg: CandidateSegment): void {
    assertInt('seg.from', seg.from, 0);
    assertInt('seg.to', seg.to, seg.from);
    assertInt('seg.count', seg.count, 0, Math.min(seg.pos.length, seg.weak.length));
    const last = this.hints.at(-1);
    if (last && seg.from < last.to) throw new RangeError('seg.from: candidate segments must not overlap or go back');
    if (this.finished) throw new RsyncError('CORRUPT', 'addCandidates() after finish()');
    this.hints.push(seg);
  }

  /**
   * With candidate segments: the first candidate window start in [pos, stop]
   * (jumpHit, its weak sum in jumpW), or the last start checked without one.
   * @returns -1 when no segment covers pos
   */
  private jump(pos: number, stop: number): number {
    const abs = this.base + pos;
    const q = this.hints;
    while (q.length > 0 && q[0]!.to <= abs) {
      q.shift();
      this.hintCur = 0;
    }
    const s = q[0];
    if (s === undefined || s.from > abs) return -1;
    const rel = abs - s.base;
    let k = this.hintCur;
    while (k < s.count && s.pos[k]! < rel) k++;
    this.hintCur = k;
    const last = Math.min(stop, s.to - 1 - this.base);
    const at = k < s.count ? s.base + s.pos[k]! - this.base : last + 1;
    this.jumpHit = at <= last;
    if (!this.jumpHit) return last;
    this.jumpW = s.weak[k]! >>> 0;
    return at;
  }

  /** Matches every full window in the buffer. */
  private scan(): void {
    const b = this.buf;
    const bl = this.bl;
    const end = this.end;
    const filter = this.index.filter;
    const fshift = this.index.filterShift;
    const rk = this.rk;
    const count = this.sig.blockCount;
    let pos = this.pos;
    let w = this.w;
    let have = this.haveWeak;
    let spec = this.spec;
    while (pos + bl <= end) {
      // Stop rolling where the data ends or the literal is long enough to flush.
      let stop = Math.min(end - bl, this.lit + this.maxLit);
      let hinted = false;
      if (this.hints.length > 0) {
        // Candidate lists take over from rolling where they start.
        const from = this.hints[0]!.from - this.base;
        if (pos >= from) have = false;
        else stop = Math.min(stop, from);
      }
      if (!have) {
        if (spec) {
          spec = false;
          const want = this.lastIdx + 1;
          if (this.speculate && want < count && this.lenFits(want, bl) && this.strongEquals(want, pos, bl)) {
            this.addMatch(want, pos, bl);
            pos += bl;
            spec = true;
            continue;
          }
        }
        const j = this.hints.length > 0 ? this.jump(pos, stop) : -1;
        if (j >= 0) {
          // The candidate list says no window in [pos, j) can match.
          pos = j;
          hinted = true;
          if (!this.jumpHit) {
            if (pos >= end - bl) break;
            if (pos - this.lit >= this.maxLit) this.flushLiteral(pos);
            else pos++;
            continue;
          }
          w = this.jumpW;
        } else {
          w = rk ? rabinKarpBlock(b, pos, pos + bl) : rollsum(b, pos, pos + bl);
          have = true;
        }
      }
      if (!hinted) {
        // Roll until the filter passes (or stop).
        pos = rk ? rollRabinKarp(b, pos, stop, bl, w, this.multN, filter, fshift, ROLL) : rollRollsum(b, pos, stop, bl, w, filter, fshift, ROLL);
        w = ROLL[0]!;
      }
      if (this.index.mayContain(w)) {
        const hit = this.findMatch(w, pos, bl);
        if (hit >= 0) {
          this.addMatch(hit, pos, bl);
          pos += bl;
          have = false;
          spec = true;
          continue;
        }
      }
      if (pos >= end - bl) break;
      if (pos - this.lit >= this.maxLit) {
        this.flushLiteral(pos);
        continue;
      }
      if (hinted) {
        pos++;
        continue;
      }
      const out = b[pos]!;
      const inp = b[pos + bl]!;
      w = rk ? (Math.imul(w, RK_MULT) + inp - Math.imul(this.multN, out + RK_ADJ)) >>> 0 : rollsumRotate(w, bl, out, inp);
      pos++;
    }
    this.pos = pos;
    this.w = w;
    this.haveWeak = have;
    this.spec = spec;
  }

  private grow(): void {
    const next = new Uint8Array(Math.min(this.cap, this.buf.length * 2));
    next.set(this.buf.subarray(0, this.end));
    this.buf = next;
  }

  private compact(): void {
    const shift = this.lit;
    if (shift === 0) return;
    this.buf.copyWithin(0, shift, this.end);
    this.base += shift;
    this.end -= shift;
    this.pos -= shift;
    this.strongPos = this.strongPos >= shift ? this.strongPos - shift : -1;
    this.lit = 0;
  }

  /** Feeds new data; returns the delta bytes produced so far. */
  push(chunk: Uint8Array): Uint8Array {
    assertBytes('chunk', chunk);
    if (this.finished) throw new RsyncError('CORRUPT', 'push() after finish()');
    this.sha?.update(chunk);
    this.stats.newLength += chunk.length;
    let i = 0;
    while (i < chunk.length) {
      if (this.end === this.buf.length) this.compact();
      if (this.end === this.buf.length) this.grow();
      const n = Math.min(chunk.length - i, this.buf.length - this.end);
      this.buf.set(chunk.subarray(i, i + n), this.end);
      this.end += n;
      i += n;
      this.scan();
    }
    return this.take();
  }

  /** Hands back bytes returned by push() or finish() that the caller has finished with (they will be overwritten). */
  recycle(bytes: Uint8Array): void {
    this.sink.recycle(bytes);
  }

  private take(): Uint8Array {
    const out = this.sink.take();
    this.stats.deltaLength += out.length;
    return out;
  }

  /** Ends the new data: matches the short tail, writes END (and the native trailer). */
  finish(): Uint8Array {
    if (this.finished) throw new RsyncError('CORRUPT', 'finish() called twice');
    this.finished = true;
    const b = this.buf;
    let pos = this.pos;
    let n = this.end - pos;
    if (n > 0 && n <= this.bl && this.sig.blockCount > 0) {
      // The window shrinks at the end so a short last block can match (librsync rs_delta_s_flush).
      let w = this.haveWeak ? this.w : this.rk ? rabinKarp(b, pos, this.end) : rollsum(b, pos, this.end);
      if (n === this.bl) {
        w = this.rk ? rabinKarpRollOut(w, rkPower(n - 1), b[pos]!) : rollsumRollOut(w, n, b[pos]!);
        pos++;
        n--;
      }
      while (n > 0) {
        if (this.index.mayContain(w)) {
          const hit = this.findMatch(w, pos, n);
          if (hit >= 0) {
            this.addMatch(hit, pos, n);
            break;
          }
        }
        w = this.rk ? rabinKarpRollOut(w, rkPower(n - 1), b[pos]!) : rollsumRollOut(w, n, b[pos]!);
        pos++;
        n--;
      }
    }
    this.flushLiteral(this.end);
    this.flushCopy();
    this.sink.appendByte(OP_END);
    if (this.sha) {
      const t = new Uint8Array(NATIVE_DELTA_TRAILER_LEN);
      writeUint(t, 0, this.stats.newLength, 8);
      t.set(this.sha.digest(), 8);
      this.sink.append(t);
    }
    return this.take();
  }
}
