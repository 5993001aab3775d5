/*
 * A growable output buffer for the push-style engines: they append bytes as
 * they produce them and hand the caller everything produced so far with take().
 */

/** Append-only byte accumulator; take() returns and clears the contents. */
export class ByteSink {
  private buf: Uint8Array;
  private len = 0;
  private spare: ArrayBuffer | undefined;

  constructor(initial = 4096) {
    this.buf = new Uint8Array(initial);
  }

  /** Bytes currently held. */
  get length(): number {
    return this.len;
  }

  /** Makes room for `n` more bytes and returns the write offset. */
  reserve(n: number): number {
    const need = this.len + n;
    if (need > this.buf.length) {
      let cap = this.buf.length * 2;
      while (cap < need) cap *= 2;
      const next = new Uint8Array(cap);
      next.set(this.buf.subarray(0, this.len));
      this.buf = next;
    }
    return this.len;
  }

  /** The underlying array, valid for writes at offsets returned by reserve(). */
  get array(): Uint8Array {
    return this.buf;
  }

  /** Marks `n` reserved bytes as written. */
  commit(n: number): void {
    this.len += n;
  }

  /** Appends bytes. */
  append(data: Uint8Array): void {
    const at = this.reserve(data.length);
    this.buf.set(data, at);
    this.len += data.length;
  }

  /** Appends one byte. */
  appendByte(b: number): void {
    const at = this.reserve(1);
    this.buf[at] = b;
    this.len++;
  }

  /** Returns the held bytes (the caller owns them) and empties the sink. */
  take(): Uint8Array {
    if (this.len === 0) return new Uint8Array(0); // nothing to hand over: keep the buffer
    // Hand over the buffer instead of copying it: the next write gets a fresh one (or a recycled one).
    const out = this.buf.subarray(0, this.len);
    const want = Math.min(this.buf.length, 1 << 22);
    if (this.spare && this.spare.byteLength >= want && this.spare !== this.buf.buffer) this.buf = new Uint8Array(this.spare);
    else this.buf = new Uint8Array(want);
    this.spare = undefined;
    this.len = 0;
    return out;
  }

  /**
   * Gives back the bytes of an earlier take() once the caller is done with them, so
   * the next take() reuses their memory instead of allocating (and faulting in) more.
   */
  recycle(taken: Uint8Array): void {
    if (taken.buffer instanceof ArrayBuffer && taken.buffer !== this.buf.buffer) this.spare = taken.buffer;
  }
}
