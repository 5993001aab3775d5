/*
 * Chunking a whole file by what it is: SQLite databases are cut on page
 * boundaries (fixed-size chunks of whole pages, at least 4 KiB), because
 * SQLite rewrites pages in place and content-defined cuts would straddle every
 * changed page; everything else goes through FastCDC. Backup and restore both
 * chunk through here, so a local file and its stored version cut alike. A
 * synchronous push engine (FileChunker) and an async-iterable wrapper (chunkFile).
 */
import { assertSignal } from '../core/assert.js';
import { throwIfAborted } from '../core/errors.js';
import { StreamChunker, type ChunkStreamOptions, type StreamChunk } from './chunk-stream.js';

const SQLITE_MAGIC = 'SQLite format 3\0';
/** Smallest fixed chunk for page-aligned files. */
export const MIN_PAGE_CHUNK = 4096;
/** Bytes of the head that decide how a file is chunked. */
const HEAD = 100;

/** The page-aligned chunk size for a file starting with `head`, or 0 when it is not a SQLite database. */
export function sqliteChunkSize(head: Uint8Array): number {
  if (head.length < HEAD) return 0;
  for (let i = 0; i < 16; i++) if (head[i] !== SQLITE_MAGIC.charCodeAt(i)) return 0;
  const raw = (head[16]! << 8) | head[17]!;
  const page = raw === 1 ? 65536 : raw;
  // Valid page sizes are powers of two from 512 to 65536.
  if (page < 512 || page > 65536 || (page & (page - 1)) !== 0) return 0;
  return Math.max(page, MIN_PAGE_CHUNK);
}

/**
 * Fixed-size chunks. With `views`, a chunk inside one piece is a view into it, and chunks
 * assembled across pieces alternate between two buffers: one handed out by this push, the
 * other by the previous one (whose chunks are no longer valid).
 */
class FixedChunker {
  private buf: Uint8Array;
  private spare: Uint8Array | undefined;
  private fill = 0;
  private offset = 0;

  constructor(
    private readonly size: number,
    private readonly views: boolean,
  ) {
    this.buf = new Uint8Array(size);
  }

  push(p: Uint8Array): StreamChunk[] {
    const { size } = this;
    const out: StreamChunk[] = [];
    let i = 0;
    while (i < p.length) {
      if (this.views && this.fill === 0 && p.length - i >= size) {
        out.push({ data: p.subarray(i, i + size), offset: this.offset });
        this.offset += size;
        i += size;
        continue;
      }
      const n = Math.min(size - this.fill, p.length - i);
      this.buf.set(p.subarray(i, i + n), this.fill);
      this.fill += n;
      i += n;
      if (this.fill === size) {
        out.push({ data: this.buf, offset: this.offset });
        this.offset += size;
        this.fill = 0;
        if (this.views) {
          // At most one assembled chunk per push (the rest are views): swap buffers.
          const next = this.spare ?? new Uint8Array(size);
          this.spare = this.buf;
          this.buf = next;
        } else this.buf = new Uint8Array(size);
      }
    }
    return out;
  }

  finish(): StreamChunk[] {
    return this.fill > 0 ? [{ data: this.buf.slice(0, this.fill), offset: this.offset }] : [];
  }
}

/**
 * Chunks one file's bytes pushed in pieces: page-aligned fixed chunks when the file starts
 * as a SQLite database, FastCDC (with `opts`) otherwise. The first 100 bytes decide, so
 * chunks start coming once they are in. With `opts.views`, a chunk's bytes are valid only
 * until the next push.
 * @example const c = new FileChunker({ gear }); for (const p of pieces) for (const ch of c.push(p)) save(ch.data); for (const ch of c.finish()) save(ch.data);
 */
export class FileChunker {
  private engine: StreamChunker | FixedChunker | undefined;
  private head: Uint8Array[] = [];
  private have = 0;

  constructor(private readonly opts: ChunkStreamOptions = {}) {}

  private start(): StreamChunk[] {
    const head = this.head;
    this.head = [];
    const first = head.length === 1 ? head[0]! : Uint8Array.from(head.flatMap((h) => [...h.subarray(0, HEAD)]));
    const page = sqliteChunkSize(first);
    const { signal: _s, ...rest } = this.opts;
    this.engine = page > 0 ? new FixedChunker(page, this.opts.views ?? false) : new StreamChunker(rest);
    const out: StreamChunk[] = [];
    for (const h of head) out.push(...this.engine.push(h));
    return out;
  }

  /** The chunks `piece` completes, in order. */
  push(piece: Uint8Array): StreamChunk[] {
    if (this.engine) return this.engine.push(piece);
    // A short piece waits here for the next: keep a copy (a source may reuse its buffer).
    this.head.push(this.have + piece.length < HEAD ? piece.slice() : piece);
    this.have += piece.length;
    return this.have >= HEAD ? this.start() : [];
  }

  /** The last chunks. */
  finish(): StreamChunk[] {
    const out = this.engine ? [] : this.start();
    out.push(...this.engine!.finish());
    return out;
  }
}

/**
 * Yields the chunks of a file's content, choosing page-aligned fixed chunks for
 * SQLite databases and FastCDC (with `opts`) for everything else. With
 * `opts.views`, a chunk's bytes are valid only until the next chunk is asked for.
 * @example for await (const { data } of chunkFile(readChunks(fh), { gear })) save(data);
 */
export async function* chunkFile(source: AsyncIterable<Uint8Array>, opts: ChunkStreamOptions = {}): AsyncGenerator<StreamChunk> {
  assertSignal('signal', opts.signal);
  const c = new FileChunker(opts);
  throwIfAborted(opts.signal);
  for await (const piece of source) {
    throwIfAborted(opts.signal);
    for (const ch of c.push(piece)) {
      yield ch;
      throwIfAborted(opts.signal);
    }
  }
  yield* c.finish();
}
