/*
 * Strong sums of one block: BLAKE2b-256 or MD4 for librsync signatures, XXH64
 * for the native format, truncated to the signature's strong_len (the leftmost
 * bytes are kept, as librsync does).
 */
import { blake2b256, md4, xxh64Raw } from '../core/strong-hash.js';
import type { StrongSumKind } from './magic.js';

/** Computes strong sums of one kind into a reusable scratch array. */
export class StrongSummer {
  /** The most recent digest, full length (compare its first strongLen bytes). */
  readonly scratch: Uint8Array;
  private readonly view: DataView;

  constructor(readonly kind: StrongSumKind) {
    this.scratch = new Uint8Array(kind === 'xxh64' ? 8 : kind === 'md4' ? 16 : 32);
    this.view = new DataView(this.scratch.buffer);
  }

  /** Hashes `buf[start, end)` into `scratch` and returns it. */
  sum(buf: Uint8Array, start: number, end: number): Uint8Array {
    const data = buf.subarray(start, end);
    switch (this.kind) {
      case 'xxh64':
        this.view.setBigUint64(0, xxh64Raw(data));
        break;
      case 'blake2':
        this.scratch.set(blake2b256(data));
        break;
      case 'md4':
        this.scratch.set(md4(data));
        break;
    }
    return this.scratch;
  }
}
