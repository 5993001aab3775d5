/*
 * The all-literal hot loop of the delta matcher, split off so another thread
 * can run it ahead of the matcher: roll a RabinKarp window over a range of new
 * data and list the window starts whose weak sum equals some block's weak sum.
 * Only those windows can match (the matcher compares weak sums exactly before
 * any strong sum), so the matcher may skip every other offset and still make
 * the same choices: the output is identical with or without the list.
 *
 * scanCandidates, scanCandidatesWasm and addIfIndexed refer to nothing but
 * their parameters and each other (no imports, no module constants), because
 * their source text is also evaluated inside a worker.
 */
import { assertInt } from '../core/assert.js';
import type { CandidateSegment } from './delta.js';
import { RK_ADJ, RK_MULT, RK_SEED, rkPower } from './rabinkarp.js';
import { MAX_CHAIN, TABLE_MIX, type SignatureIndex } from './signature-index.js';
import type { WasmScanner } from './scan-wasm.js';

/** Where a scan puts its results: window starts and their weak sums, `count` of each. */
export interface CandidateList {
  /** Window starts relative to the scanned buffer. */
  pos: Int32Array;
  /** Weak sum (as int32) of the window at pos[i]. */
  weak: Int32Array;
  count: number;
}

/**
 * Everything a scan needs, as plain data (it is sent to workers): the block length,
 * the RabinKarp constants (seed, RK_MULT, rkPower(bl), RK_ADJ), the table's
 * multiplier, the chain cap and the lookup tables.
 */
export interface ScanSetup {
  bl: number;
  seed: number;
  mult: number;
  multN: number;
  adj: number;
  mix: number;
  maxChain: number;
  tables: ScanTables;
}

/** The signature lookup a scan needs (see SignatureIndex). */
export interface ScanTables {
  /** Bit filter over the weak sums' top bits, larger than SignatureIndex's (fewer chain walks). */
  filter: Int32Array;
  filterShift: number;
  head: Int32Array;
  tableShift: number;
  next: Int32Array;
  weakSums: Uint32Array;
}

/**
 * Appends window start `p` with weak sum `h` to `l` when some block has that weak sum
 * (or the chain is longer than `maxChain`: a hit without walking to its end).
 */
export function addIfIndexed(l: CandidateList, p: number, h: number, t: ScanTables, mix: number, maxChain: number): void {
  const w = h >>> 0;
  const next = t.next;
  const ws = t.weakSums;
  let steps = 0;
  for (let c = t.head[Math.imul(w, mix) >>> t.tableShift]!; c >= 0; c = next[c]!) {
    if (ws[c] === w || ++steps > maxChain) {
      if (l.count === l.pos.length) {
        const np = new Int32Array(2 * l.pos.length);
        np.set(l.pos);
        l.pos = np;
        const nw = new Int32Array(np.length);
        nw.set(l.weak);
        l.weak = nw;
      }
      l.pos[l.count] = p;
      l.weak[l.count] = h;
      l.count++;
      return;
    }
  }
}

/**
 * Rolls a RabinKarp window of `s.bl` bytes over every start in [from, to) of `b`
 * (which must hold b[to - 1 + bl - 1]) and returns the starts whose weak sum is
 * the weak sum of an indexed block. A chain longer than `maxChain` counts as a hit without being walked to its
 * end: the list may hold extra starts (the matcher rejects them), never miss one.
 */
export function scanCandidates(
  b: Uint8Array,
  from: number,
  to: number,
  s: ScanSetup,
): CandidateList {
  const l: CandidateList = { pos: new Int32Array(64), weak: new Int32Array(64), count: 0 };
  if (from >= to) return l;
  const { bl, seed, mult, multN, adj, mix, maxChain, tables: t } = s;
  const filter = t.filter;
  const fshift = t.filterShift;
  // What a byte leaving the window takes with it, by byte value.
  const leave = new Int32Array(256);
  for (let v = 0; v < 256; v++) leave[v] = Math.imul(multN, v + adj);
  const enter = b.subarray(bl); // enter[p] enters as the window moves from p to p + 1
  let h = seed | 0;
  for (let i = from; i < from + bl; i++) h = (Math.imul(h, mult) + b[i]!) | 0;
  for (let p = from; ; ) {
    const f = h >>> fshift;
    if ((filter[f >>> 5]! & (1 << (f & 31))) !== 0) addIfIndexed(l, p, h, t, mix, maxChain);
    if (p + 1 >= to) break;
    h = (Math.imul(h, mult) + enter[p]! - leave[b[p]!]!) | 0;
    p++;
  }
  return l;
}

/**
 * scanCandidates with the per-byte loop in the WebAssembly scanner `w` (scan-wasm.ts):
 * same arguments and result, plus where the scanner's memory holds its leave table
 * and filter. Filter hits come back in batches and are checked here.
 */
export function scanCandidatesWasm(
  w: WasmScanner,
  b: Uint8Array,
  from: number,
  to: number,
  s: ScanSetup,
  leaveAt: number,
  filterAt: number,
): CandidateList {
  const l: CandidateList = { pos: new Int32Array(64), weak: new Int32Array(64), count: 0 };
  if (from >= to) return l;
  const { bl, seed, mult, multN, adj, mix, maxChain, tables: t } = s;
  const dataAt = filterAt + t.filter.length * 4;
  const outCap = 1 << 14;
  const outAt = dataAt + ((b.length + 15) & ~15);
  const need = outAt + outCap * 8;
  if (w.memory.buffer.byteLength < need) w.memory.grow(Math.ceil((need - w.memory.buffer.byteLength) / 65536));
  const mem = w.memory.buffer;
  if (w.loaded !== t) {
    const leave = new Int32Array(mem, leaveAt, 256);
    for (let v = 0; v < 256; v++) leave[v] = Math.imul(multN, v + adj);
    new Int32Array(mem, filterAt, t.filter.length).set(t.filter);
    w.loaded = t;
  }
  new Uint8Array(mem, dataAt, b.length).set(b);
  const out = new Int32Array(mem, outAt, outCap * 2);
  const stop = new Int32Array(mem, 0, 2);
  let h = seed | 0;
  for (let i = from; i < from + bl; i++) h = (Math.imul(h, mult) + b[i]!) | 0;
  let p = from;
  for (;;) {
    const n = w.scan(p, to, h, mult, t.filterShift, dataAt + bl - 1, dataAt - 1, outAt, outCap);
    for (let k = 0; k < n; k++) addIfIndexed(l, out[2 * k]!, out[2 * k + 1]!, t, mix, maxChain);
    if (n < outCap) return l;
    // The output filled up: resume after the last recorded start.
    p = stop[0]!;
    if (p + 1 >= to) return l;
    h = (Math.imul(stop[1]!, mult) + b[p + bl]! - Math.imul(multN, b[p]! + adj)) | 0;
    p++;
  }
}

/**
 * The candidate segment for window starts [from, to) of the new data, where
 * `data` holds the stream from offset `base` (RabinKarp signatures only).
 * @example enc.addCandidates(findCandidates(index, chunk, 0, 0, chunk.length - blockLen + 1));
 */
export function findCandidates(index: SignatureIndex, data: Uint8Array, base: number, from: number, to: number): CandidateSegment {
  const sig = index.sig;
  if (sig.weak !== 'rabinkarp') throw new RangeError('index: candidate lists need a RabinKarp signature');
  assertInt('from', from, base);
  assertInt('to', to, from, base + data.length - sig.blockLen + 1);
  const list = scanCandidates(data, from - base, to - base, scanSetup(index));
  return { ...list, base, from, to };
}

/** The ScanSetup of a RabinKarp signature's index. */
export function scanSetup(index: SignatureIndex): ScanSetup {
  const bl = index.sig.blockLen;
  return { bl, seed: RK_SEED, mult: RK_MULT, multN: rkPower(bl), adj: RK_ADJ, mix: TABLE_MIX, maxChain: MAX_CHAIN, tables: scanTables(index) };
}

/** The parts of a SignatureIndex a scan reads (plain arrays, so they can be sent to a worker). */
export function scanTables(index: SignatureIndex): ScanTables {
  const { head, tableShift, next } = index;
  const weakSums = index.sig.weakSums;
  // 128 to 256 bits per block (under 1% of windows reach the chain), at most 512 KiB.
  let bits = 12;
  while (bits < 22 && 1 << bits < weakSums.length * 128) bits++;
  const filterShift = 32 - bits;
  const filter = new Int32Array((1 << bits) >>> 5);
  for (let i = 0; i < weakSums.length; i++) {
    const f = weakSums[i]! >>> filterShift;
    filter[f >>> 5]! |= 1 << (f & 31);
  }
  return { filter, filterShift, head, tableShift, next, weakSums };
}
