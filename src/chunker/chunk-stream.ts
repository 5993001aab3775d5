/*
 * Chunking an async stream of byte pieces (a file read stream, a socket) into
 * content-defined chunks that carry their bytes. Holds at most one chunk's bytes
 * (< maxSize) between pieces; every yielded chunk owns its own copy of the data.
 */
import { assertBytes, assertSignal, throwIfAborted } from '../core/index.js';
import { Chunker } from './chunker.js';
import type { ChunkerOptions } from './params.js';

/** A chunk with its bytes and its offset in the whole stream. */
export interface StreamChunk {
  readonly data: Uint8Array;
  readonly offset: number;
}

/** Options of {@link chunkStream}: the chunker's, plus an AbortSignal checked per piece. */
export interface ChunkStreamOptions extends ChunkerOptions {
  signal?: AbortSignal;
}

/**
 * Yields the content-defined chunks of `source`, in order, with their bytes. The
 * chunks are those {@link chunkBuffer} gives for the concatenated input.
 * @throws {TypeError} when a piece is not a Uint8Array or an option has the wrong type.
 * @throws {RangeError} when an option is out of range.
 * @throws {AbortError} (code ABORTED) when `opts.signal` fires.
 * @example
 * for await (const { data, offset } of chunkStream(createReadStream(path), { gear })) {
 *   await saveBlob(sha256(data), data);
 * }
 */
export async function* chunkStream(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  opts: ChunkStreamOptions = {},
): AsyncGenerator<StreamChunk, void, undefined> {
  const { signal, ...chunkerOpts } = opts;
  assertSignal('signal', signal);
  const chunker = new Chunker(chunkerOpts);
  let staging = new Uint8Array(0); // bytes of the current chunk from earlier pieces
  let staged = 0;
  let pieceStart = 0; // stream offset of the current piece
  throwIfAborted(signal);
  for await (const piece of source) {
    throwIfAborted(signal);
    assertBytes('piece', piece);
    let pos = 0; // bytes of `piece` already yielded
    for (const b of chunker.push(piece)) {
      const end = b.offset + b.length - pieceStart; // chunk end relative to the piece: -1 or 0 when it ends in the staged bytes
      let data: Uint8Array;
      if (end <= 0) {
        // The chunk ends within the staged bytes (the cut's pair straddled the two pieces).
        data = staging.slice(0, staged + end);
        staging.copyWithin(0, staged + end, staged);
        staged = -end | 0; // 0 or 1
      } else if (staged === 0) {
        data = piece.slice(pos, end);
        pos = end;
      } else {
        data = new Uint8Array(b.length);
        data.set(staging.subarray(0, staged));
        data.set(piece.subarray(pos, end), staged);
        staged = 0;
        pos = end;
      }
      yield { data, offset: b.offset };
      throwIfAborted(signal);
    }
    const rest = piece.length - pos;
    if (rest > 0) {
      if (staged + rest > staging.length) {
        const grown = new Uint8Array(Math.min(chunker.params.maxSize, Math.max(staged + rest, staging.length * 2, 4096)));
        grown.set(staging.subarray(0, staged));
        staging = grown;
      }
      staging.set(piece.subarray(pos), staged);
      staged += rest;
    }
    pieceStart += piece.length;
  }
  for (const b of chunker.finish()) {
    yield { data: staging.slice(0, staged), offset: b.offset };
  }
}
