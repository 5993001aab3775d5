/*
 * Chunking a stream of byte pieces (a file read piece by piece, a socket) into
 * content-defined chunks that carry their bytes: a synchronous push engine
 * (StreamChunker) and an async-iterable wrapper (chunkStream). Holds at most one
 * chunk's bytes (< maxSize) between pieces. Every chunk owns a copy of its
 * bytes, unless `views` is set: then a chunk may be a view into the pushed
 * piece, valid until the next push (no copy for the caller who only hashes it
 * or copies what it keeps).
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
  /**
   * Yield views into the source's pieces where a chunk lies inside one piece (default false).
   * Such a chunk's bytes are valid only until the next chunk is asked for (StreamChunker: the
   * next push), and only while the source leaves the piece alone until then.
   */
  views?: boolean;
}

/**
 * The push engine of {@link chunkStream}: push pieces, get the chunks each piece
 * completes with their bytes, end with finish().
 * @example const c = new StreamChunker({ gear }); for (const p of pieces) for (const ch of c.push(p)) save(ch.data); for (const ch of c.finish()) save(ch.data);
 */
export class StreamChunker {
  private readonly chunker: Chunker;
  private readonly views: boolean;
  private staging = new Uint8Array(0); // bytes of the current chunk from earlier pieces
  private staged = 0;
  private pieceStart = 0; // stream offset of the next piece

  constructor(opts: ChunkerOptions & { views?: boolean } = {}) {
    const { views = false, ...chunkerOpts } = opts;
    this.chunker = new Chunker(chunkerOpts);
    this.views = views;
  }

  /** The chunks `piece` completes, in order. */
  push(piece: Uint8Array): StreamChunk[] {
    assertBytes('piece', piece);
    const out: StreamChunk[] = [];
    let pos = 0; // bytes of `piece` already handed out
    for (const b of this.chunker.push(piece)) {
      const end = b.offset + b.length - this.pieceStart; // chunk end relative to the piece: -1 or 0 when it ends in the staged bytes
      let data: Uint8Array;
      if (end <= 0) {
        // The chunk ends within the staged bytes (the cut's pair straddled the two pieces).
        data = this.staging.slice(0, this.staged + end);
        this.staging.copyWithin(0, this.staged + end, this.staged);
        this.staged = -end | 0; // 0 or 1
      } else if (this.staged === 0) {
        data = this.views ? piece.subarray(pos, end) : piece.slice(pos, end);
        pos = end;
      } else {
        data = new Uint8Array(b.length);
        data.set(this.staging.subarray(0, this.staged));
        data.set(piece.subarray(pos, end), this.staged);
        this.staged = 0;
        pos = end;
      }
      out.push({ data, offset: b.offset });
    }
    const rest = piece.length - pos;
    if (rest > 0) {
      if (this.staged + rest > this.staging.length) {
        const grown = new Uint8Array(Math.min(this.chunker.params.maxSize, Math.max(this.staged + rest, this.staging.length * 2, 4096)));
        grown.set(this.staging.subarray(0, this.staged));
        this.staging = grown;
      }
      this.staging.set(piece.subarray(pos), this.staged);
      this.staged += rest;
    }
    this.pieceStart += piece.length;
    return out;
  }

  /** The last chunk, if any bytes are left. */
  finish(): StreamChunk[] {
    return this.chunker.finish().map((b) => ({ data: this.staging.slice(0, this.staged), offset: b.offset }));
  }
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
  const { signal, ...rest } = opts;
  assertSignal('signal', signal);
  const c = new StreamChunker(rest);
  throwIfAborted(signal);
  for await (const piece of source) {
    throwIfAborted(signal);
    for (const ch of c.push(piece)) {
      yield ch;
      throwIfAborted(signal);
    }
  }
  yield* c.finish();
}
