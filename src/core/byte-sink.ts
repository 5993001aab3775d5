/*
 * A growable output buffer for the push-style engines: they append bytes as
 * they produce them and hand the caller everything produced so far with take().
 */

/** Append-only byte accumulator; take() returns and clears the contents. */
export class ByteSink {
  private buf: Uint8Array;
  private len = 0;

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
    // Hand over the buffer instead of copying it: the next write gets a fresh one.
    const out = this.buf.subarray(0, this.len);
    this.buf = new Uint8Array(Math.min(this.buf.length, 1 << 22));
    this.len = 0;
    return out;
  }
}
