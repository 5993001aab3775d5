/*
 * Reusable read buffers. A fresh large buffer is zero-filled and page-faulted
 * on every read: reading a 26 MB database into a new Uint8Array took 30-100 ms
 * here, into a reused one 2 ms. Buffers of 64 KiB and more come from
 * power-of-two free lists and go back when the bytes have been chunked (chunks
 * may be views of the read buffer, so every chunk kept beyond that is copied
 * first: see chunkAndSave). At most 96 MiB are kept.
 */

const MIN_POOLED = 64 * 1024;
const MAX_KEPT = 96 * 1024 * 1024;

const free = new Map<number, ArrayBuffer[]>();
let kept = 0;

function bucket(n: number): number {
  return 2 ** Math.ceil(Math.log2(Math.max(n, MIN_POOLED)));
}

/**
 * A buffer of exactly `n` bytes, possibly reused (its contents are garbage).
 * @example const b = acquireReadBuffer(size); try { read into b } finally { releaseReadBuffer(b); }
 */
export function acquireReadBuffer(n: number): Uint8Array {
  if (n < MIN_POOLED) return new Uint8Array(n);
  const size = bucket(n);
  const list = free.get(size);
  const ab = list?.pop();
  if (ab) {
    kept -= size;
    return new Uint8Array(ab, 0, n);
  }
  return new Uint8Array(new ArrayBuffer(size), 0, n);
}

/**
 * Gives a buffer from acquireReadBuffer back (any view of it will do; small ones are ignored).
 * The caller must hold no view of it any more.
 */
export function releaseReadBuffer(b: Uint8Array): void {
  const ab = b.buffer as ArrayBuffer;
  const size = ab.byteLength;
  if (size < MIN_POOLED || size !== bucket(size) || kept + size > MAX_KEPT) return;
  let list = free.get(size);
  if (!list) free.set(size, (list = []));
  if (list.includes(ab)) return;
  list.push(ab);
  kept += size;
}
