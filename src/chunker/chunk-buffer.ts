/*
 * Whole-buffer chunking: the chunk lengths (or boundaries) of one in-memory input,
 * built on the push engine in chunker.ts. For files and streams use chunk-stream.ts.
 */
import type { ChunkBoundary } from './chunker.js';
import { Chunker } from './chunker.js';
import type { ChunkerOptions } from './params.js';

/**
 * The chunk boundaries of `data` (offset, length, gear hash), in order.
 * @throws {TypeError} when `data` is not a Uint8Array or an option has the wrong type.
 * @throws {RangeError} when an option is out of range.
 * @example
 * for (const { offset, length } of chunkBoundaries(bytes)) store(bytes.subarray(offset, offset + length));
 */
export function chunkBoundaries(data: Uint8Array, opts: ChunkerOptions = {}): ChunkBoundary[] {
  const c = new Chunker(opts);
  const out = c.push(data);
  for (const b of c.finish()) out.push(b);
  return out;
}

/**
 * The chunk lengths of `data`; they add up to data.length (none for empty input).
 * @throws {TypeError} when `data` is not a Uint8Array or an option has the wrong type.
 * @throws {RangeError} when an option is out of range.
 * @example
 * chunkBuffer(jpg, { minSize: 4096, avgSize: 16384, maxSize: 65535 }); // fastcdc-rs v2020 vector sizes
 */
export function chunkBuffer(data: Uint8Array, opts: ChunkerOptions = {}): number[] {
  return chunkBoundaries(data, opts).map((b) => b.length);
}
