/*
 * The lookup structure the delta matcher probes once per byte: a bit filter
 * in front (most probes stop there when nothing matches), then a chained hash
 * table of block indices keyed by weak sum. Duplicate blocks (same weak and
 * strong sum) are indexed once, as librsync's rs_build_hash_table does.
 */
import type { Signature } from './signature.js';

/** At most this many candidates are compared per offset (rsync MAX_CHAIN_LEN). */
export const MAX_CHAIN = 1024;
/** Multiplier that spreads weak sums over table slots (and rollsum sums over filter bits). */
export const TABLE_MIX = 0x9e3779b1;

/** Filter and chained table over a signature's weak sums. */
export class SignatureIndex {
  /**
   * Bit filter: bit filterKey(weak) is set for every indexed weak sum. The key is
   * the top bits of the weak sum for RabinKarp (its high bits depend on every
   * byte, so no extra mixing is needed in the per-byte loop) and of the mixed
   * weak sum for rollsum (whose halves are plain sums).
   */
  readonly filter: Int32Array;
  readonly filterShift: number;
  /** First block index per table slot, -1 when empty. */
  readonly head: Int32Array;
  readonly tableShift: number;
  /** Next block index in the same slot, -1 at the end. */
  readonly next: Int32Array;

  constructor(readonly sig: Signature) {
    const n = sig.blockCount;
    let tbits = 10;
    while (1 << tbits < n * 2 && tbits < 30) tbits++;
    const fbits = Math.min(31, tbits + 4);
    this.tableShift = 32 - tbits;
    this.filterShift = 32 - fbits;
    this.head = new Int32Array(1 << tbits).fill(-1);
    this.next = new Int32Array(n).fill(-1);
    this.filter = new Int32Array((1 << fbits) >>> 5);
    const { weakSums, strongSums, strongLen } = sig;
    // Insert in reverse so chains list blocks in ascending order.
    for (let i = n - 1; i >= 0; i--) {
      const w = weakSums[i]!;
      const m = Math.imul(w, TABLE_MIX) >>> 0;
      const slot = m >>> this.tableShift;
      // Later duplicates of the same block are dropped: the earliest copy wins.
      let c = this.head[slot]!;
      let steps = 0;
      let dup = -1;
      while (c >= 0 && steps < MAX_CHAIN) {
        if (weakSums[c] === w && sameStrong(strongSums, c * strongLen, i * strongLen, strongLen)) {
          dup = c;
          break;
        }
        c = this.next[c]!;
        steps++;
      }
      if (dup >= 0) {
        // i is earlier than dup: replace dup by i in the chain.
        this.replace(slot, dup, i);
        continue;
      }
      this.next[i] = this.head[slot]!;
      this.head[slot] = i;
      const f = this.filterKey(w);
      this.filter[f >>> 5]! |= 1 << (f & 31);
    }
  }

  private replace(slot: number, old: number, by: number): void {
    this.next[by] = this.next[old]!;
    if (this.head[slot] === old) {
      this.head[slot] = by;
      return;
    }
    let c = this.head[slot]!;
    while (this.next[c] !== old) c = this.next[c]!;
    this.next[c] = by;
  }

  /** The filter bit of weak sum `w`. */
  filterKey(w: number): number {
    return (this.sig.weak === 'rabinkarp' ? w : Math.imul(w, TABLE_MIX)) >>> this.filterShift;
  }

  /** Does the filter let `w` through (a candidate may exist)? */
  mayContain(w: number): boolean {
    const f = this.filterKey(w);
    return (this.filter[f >>> 5]! & (1 << (f & 31))) !== 0;
  }
}

function sameStrong(s: Uint8Array, a: number, b: number, len: number): boolean {
  for (let k = 0; k < len; k++) if (s[a + k] !== s[b + k]) return false;
  return true;
}
