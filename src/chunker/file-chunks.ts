/*
 * Chunking a whole file by what it is: SQLite databases are cut on page
 * boundaries (fixed-size chunks of whole pages, at least 4 KiB), because
 * SQLite rewrites pages in place and content-defined cuts would straddle every
 * changed page; everything else goes through FastCDC. Backup and restore both
 * chunk through here, so a local file and its stored version cut alike.
 */
import { chunkStream, type ChunkStreamOptions, type StreamChunk } from './chunk-stream.js';

const SQLITE_MAGIC = 'SQLite format 3\0';
/** Smallest fixed chunk for page-aligned files. */
export const MIN_PAGE_CHUNK = 4096;

/** The page-aligned chunk size for a file starting with `head`, or 0 when it is not a SQLite database. */
export function sqliteChunkSize(head: Uint8Array): number {
  if (head.length < 100) return 0;
  for (let i = 0; i < 16; i++) if (head[i] !== SQLITE_MAGIC.charCodeAt(i)) return 0;
  const raw = (head[16]! << 8) | head[17]!;
  const page = raw === 1 ? 65536 : raw;
  // Valid page sizes are powers of two from 512 to 65536.
  if (page < 512 || page > 65536 || (page & (page - 1)) !== 0) return 0;
  return Math.max(page, MIN_PAGE_CHUNK);
}

async function* fixedChunks(pieces: AsyncIterable<Uint8Array>, size: number): AsyncGenerator<StreamChunk> {
  let buf = new Uint8Array(size);
  let fill = 0;
  let offset = 0;
  for await (const p of pieces) {
    let i = 0;
    while (i < p.length) {
      const n = Math.min(size - fill, p.length - i);
      buf.set(p.subarray(i, i + n), fill);
      fill += n;
      i += n;
      if (fill === size) {
        yield { data: buf, offset };
        offset += size;
        buf = new Uint8Array(size);
        fill = 0;
      }
    }
  }
  if (fill > 0) yield { data: buf.slice(0, fill), offset };
}

async function* prepend(head: Uint8Array[], rest: AsyncIterator<Uint8Array>): AsyncGenerator<Uint8Array> {
  yield* head;
  for (;;) {
    const r = await rest.next();
    if (r.done) return;
    yield r.value;
  }
}

/**
 * Yields the chunks of a file's content, choosing page-aligned fixed chunks for
 * SQLite databases and FastCDC (with `opts`) for everything else.
 * @example for await (const { data } of chunkFile(readChunks(fh), { gear })) save(data);
 */
export async function* chunkFile(source: AsyncIterable<Uint8Array>, opts: ChunkStreamOptions = {}): AsyncGenerator<StreamChunk> {
  const it = source[Symbol.asyncIterator]();
  const head: Uint8Array[] = [];
  let have = 0;
  while (have < 100) {
    const r = await it.next();
    if (r.done) break;
    head.push(r.value);
    have += r.value.length;
  }
  const first = head.length === 1 ? head[0]! : Uint8Array.from(head.flatMap((h) => [...h.subarray(0, 100)]));
  const page = sqliteChunkSize(first);
  const all = prepend(head, it);
  if (page > 0) yield* fixedChunks(all, page);
  else yield* chunkStream(all, opts);
}
