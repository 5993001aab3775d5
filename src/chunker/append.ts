/*
 * The append fast path. FastCDC restarts its hash at every cut and decides each
 * cut from the chunk's own bytes, so when a file grows by appending, every chunk
 * of the old version except the last is a chunk of the new version too: only the
 * bytes from the start of the old last chunk need chunking again.
 */
import { assertInt } from '../core/index.js';
import { chunkBuffer } from './chunk-buffer.js';
import type { ChunkerOptions } from './params.js';

/** What to reuse and where to start chunking again after an append. */
export interface AppendPlan {
  /** Lengths of the old chunks that are also chunks of the new content. */
  readonly keep: readonly number[];
  /** Offset where chunking restarts: the start of the old last chunk. */
  readonly restartAt: number;
}

/**
 * Plans the re-chunking of content that starts with the old content (the caller
 * must have verified that, e.g. by hashing the new file's first `oldSize` bytes
 * and comparing with the old file hash). The new chunk lengths are then `keep`
 * followed by the chunks of newContent[restartAt..], cut with the same options.
 * @param oldLengths the old content's chunk lengths, cut with the same options and gear table.
 * @throws {TypeError} when a length is not an integer.
 * @throws {RangeError} when a length is < 1.
 * @example
 * const { keep, restartAt } = appendPlan(previous.chunkLengths);
 * const lengths = [...keep, ...chunkBuffer(newBytes.subarray(restartAt), opts)];
 */
export function appendPlan(oldLengths: readonly number[]): AppendPlan {
  let restartAt = 0;
  for (let i = 0; i + 1 < oldLengths.length; i++) {
    const n = oldLengths[i];
    assertInt(`oldLengths[${i}]`, n, 1);
    restartAt += n;
  }
  if (oldLengths.length > 0) assertInt(`oldLengths[${oldLengths.length - 1}]`, oldLengths[oldLengths.length - 1], 1);
  return { keep: oldLengths.slice(0, -1), restartAt };
}

/**
 * The chunk lengths of `newContent`, whose first bytes are the old content chunked
 * into `oldLengths`, hashing only the bytes from the old last chunk on.
 * Same result as chunkBuffer(newContent, opts) when the prefix really is the old content.
 * @throws {TypeError} when an argument has the wrong type.
 * @throws {RangeError} when a length or option is out of range, or the old chunks
 *   do not fit in `newContent`.
 * @example
 * const lengths = chunkAppended(oldLengths, newBytes, { gear });
 */
export function chunkAppended(oldLengths: readonly number[], newContent: Uint8Array, opts: ChunkerOptions = {}): number[] {
  const { keep, restartAt } = appendPlan(oldLengths);
  const oldSize = restartAt + (oldLengths[oldLengths.length - 1] ?? 0);
  if (oldSize > newContent.length) {
    throw new RangeError(`"newContent.length" expected integer >= ${oldSize}, got ${newContent.length}`);
  }
  return [...keep, ...chunkBuffer(newContent.subarray(restartAt), opts)];
}
