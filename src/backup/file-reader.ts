/*
 * Reading one regular file into content blobs: open without following links,
 * check it is still the file the walk saw, chunk it (FastCDC with the
 * repository's keyed gear table), save new chunks, and stat again afterwards
 * so a file that changed while it was read is read again or flagged. An
 * append-only file that grows while read is stored up to a line boundary.
 */
import { constants, type BigIntStats } from 'node:fs';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { chunkFile } from '../chunker/file-chunks.js';
import type { ChunkStreamOptions } from '../chunker/chunk-stream.js';
import type { GearTable } from '../chunker/gear-table.js';
import { assistCompression } from '../core/compress.js';
import { throwIfAborted } from '../core/errors.js';
import { settleAll } from '../core/limiter.js';
import type { BlobSaver } from '../store/blob-saver.js';
import { idOf, type Id } from '../store/ids.js';
import type { ChunkerConfig } from '../store/repo-config.js';
import { grew, lastLineEnd, shouldCut } from './append-only.js';
import { acquireReadBuffer, releaseReadBuffer } from './read-buffers.js';

/** Result of reading one file. */
export interface FileContent {
  content: Id[];
  size: number;
  /** Stat taken after the read that produced `content`. */
  stat: BigIntStats;
  bytesRead: number;
  bytesAdded: number;
  bytesStored: number;
  /** True when the file kept changing on every attempt: the content is one consistent read of a moving file. */
  unstable: boolean;
  /** Reads made (1 when the first read was consistent). */
  attempts: number;
  /** True when an append-only file grew while read and `content` stops at a line boundary before its end. */
  cut: boolean;
}

/** Options of {@link readFileContent}. */
export interface ReadFileOptions {
  /** Reads after the first while the file changes under the read (default 2). */
  retries?: number;
  signal?: AbortSignal;
  /**
   * The file is only ever appended to (a JSONL transcript or log). When it grows while read (same
   * inode, larger), or ends in a partial line written in the last 2 s, the content is the bytes up
   * to the last '\n' within the size seen when the read started, and the read counts as consistent.
   */
  appendOnly?: boolean;
  /** Test hook: called after each read from the file with the bytes read so far in this attempt. */
  onRead?: (bytesRead: number) => void;
}

/** Chunking parameters for a repository. */
export interface ChunkParams {
  config: ChunkerConfig;
  gear: GearTable;
}

/** Files up to this size are read with one synchronous read: cheaper than a thread-pool round trip per call. */
export const SMALL_FILE = 1 << 20;

/** Read-only, and never through a symlink that replaced the file since the walk. */
const FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0);

/** Yields the file's bytes from `from` to `to` in blocks of up to 1 MiB (a file that grew is caught by the stat afterwards). */
async function* readRange(h: FileHandle, from: number, to: number, signal: AbortSignal | undefined, onRead: ((n: number) => void) | undefined): AsyncGenerator<Uint8Array> {
  let pos = from;
  while (pos < to) {
    throwIfAborted(signal);
    const buf = acquireReadBuffer(Math.min(1 << 20, to - pos));
    const { bytesRead } = await h.read(buf, 0, buf.length, pos);
    if (bytesRead === 0) return releaseReadBuffer(buf);
    pos += bytesRead;
    onRead?.(pos);
    yield bytesRead === buf.length ? buf : buf.subarray(0, bytesRead);
    // Asked for the next piece: the chunker no longer holds a view of this one (it copies what
    // it keeps, a short head piece included), and chunkAndSave copied every new chunk.
    releaseReadBuffer(buf);
  }
}

/**
 * Yields `[0, size)`, or for an append-only file `[0, line)` and then, unless `stopAtLine()`
 * says the file grew or is mid-write, the partial last line `[line, size)`. Calls `ended()`
 * right after the last read, so the stat that checks the read does not wait for compression.
 */
async function* readLarge(
  h: FileHandle,
  size: number,
  line: number | undefined,
  stopAtLine: () => Promise<boolean>,
  ended: () => Promise<void>,
  signal: AbortSignal | undefined,
  onRead: ((n: number) => void) | undefined,
): AsyncGenerator<Uint8Array> {
  if (line === undefined || line === size) {
    yield* readRange(h, 0, size, signal, onRead);
  } else {
    yield* readRange(h, 0, line, signal, onRead);
    if (!(await stopAtLine())) yield* readRange(h, line, size, signal, onRead);
  }
  await ended();
}

/**
 * Reads a file whole with synchronous calls (no other work of this process runs meanwhile);
 * returns at most `size` bytes and the stat taken after the read. Links are not followed.
 * @throws NodeJS errors from open/read (ENOENT, ELOOP for a symlink, EACCES, ...)
 * @example const { data, after } = readWholeSync('/s/db.sqlite-wal', Number(st.size));
 */
export function readWholeSync(path: string, size: number, onRead?: (n: number) => void, pooled = false): { data: Uint8Array; after: BigIntStats } {
  const fd = openSync(path, FLAGS);
  try {
    // Pooled: the caller gives the buffer back with releaseReadBuffer once its bytes are chunked.
    const data = pooled ? acquireReadBuffer(size) : new Uint8Array(size);
    let pos = 0;
    while (pos < size) {
      const n = readSync(fd, data, pos, size - pos, pos);
      if (n === 0) break;
      pos += n;
    }
    onRead?.(pos);
    return { data: pos === size ? data : data.subarray(0, pos), after: fstatSync(fd, { bigint: true }) };
  } finally {
    closeSync(fd);
  }
}

async function* once(data: Uint8Array): AsyncGenerator<Uint8Array> {
  if (data.length > 0) yield data;
}

/** True when two stats show the same version of a file: size, mtime, ctime and inode equal. */
export function sameVersion(a: BigIntStats, b: BigIntStats): boolean {
  return a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs && a.ino === b.ino;
}

/** The chunker options of a repository's parameters. */
function chunkerOptions(chunk: ChunkParams): ChunkStreamOptions {
  const c = chunk.config;
  return { minSize: c.minSize, avgSize: c.avgSize, maxSize: c.maxSize, normalization: c.normalization as 0 | 1 | 2 | 3, gear: chunk.gear, views: true };
}

/** Bytes of one file's chunks that may wait for compression before reading it pauses. */
const MAX_PENDING_BYTES = 8 << 20;

/**
 * Blob saves in flight for one file: up to 8 MiB of chunks, so reading and chunking run well
 * ahead of compression on the other core instead of taking turns with it; `done()` settles them.
 */
class SaveQueue {
  added = 0;
  stored = 0;
  private readonly pending: { saved: Promise<void>; length: number }[] = [];
  private pendingBytes = 0;

  constructor(private readonly saver: BlobSaver) {}

  /** Saves `data` as blob `id`; the caller leaves it alone until done() resolves, or with `give` for good. */
  async add(id: Id, data: Uint8Array, give: boolean): Promise<void> {
    const length = data.length;
    const saved = this.saver.save('data', data, id, give).then((r) => {
      if (r.added) {
        this.added += length;
        this.stored += r.storedLength;
      }
    });
    saved.catch(() => {}); // awaited in done() or below; never an unhandled rejection meanwhile
    this.pending.push({ saved, length });
    this.pendingBytes += length;
    if (this.pendingBytes > MAX_PENDING_BYTES) {
      // Wait for the older half (by bytes), helping to compress meanwhile.
      let n = 0;
      let bytes = 0;
      while (n < this.pending.length && bytes < MAX_PENDING_BYTES / 2) bytes += this.pending[n++]!.length;
      this.pendingBytes -= bytes;
      await assistCompression(settleAll(this.pending.splice(0, n).map((p) => p.saved)));
    }
  }

  done(): Promise<unknown> {
    return assistCompression(settleAll(this.pending.map((p) => p.saved)));
  }
}

/** Chunks `source` (FastCDC, or page-aligned for SQLite) and saves the chunks; bounds the bytes waiting for compression. */
async function chunkAndSave(source: AsyncIterable<Uint8Array>, saver: BlobSaver, chunk: ChunkParams): Promise<{ content: Id[]; size: number; added: number; stored: number }> {
  const content: Id[] = [];
  let size = 0;
  const q = new SaveQueue(saver);
  for await (const { data } of chunkFile(source, chunkerOptions(chunk))) {
    const id = idOf(data);
    content.push(id);
    size += data.length;
    // The chunk may be a view into a read buffer that is reused: a blob the saver keeps gets its own copy.
    if (saver.known('data', id)) await q.add(id, data, false);
    else await q.add(id, data.slice(), true);
  }
  await q.done();
  return { content, size, added: q.added, stored: q.stored };
}

/**
 * Chunks and saves bytes already read (by a SQLite group's window); `stat` is the stat taken
 * after the read, which the stored node carries. `data` may be a reused buffer: only the
 * chunks the repository lacks are copied, and none is kept once the promise settles.
 * @throws ClawbackError ABORTED and backend errors from the saver
 * @example const r = await saveBytes(readWholeSync(p, n).data, after, saver, params);
 */
export async function saveBytes(data: Uint8Array, stat: BigIntStats, saver: BlobSaver, chunk: ChunkParams): Promise<FileContent> {
  const r = await chunkAndSave(once(data), saver, chunk);
  return { content: r.content, size: r.size, stat, bytesRead: data.length, bytesAdded: r.added, bytesStored: r.stored, unstable: false, attempts: 1, cut: false };
}

/**
 * Reads `path` into blobs. `walked` is the lstat the walk took: the content is
 * consistent when the stat after the read equals it (or the previous attempt's).
 * Retries up to `retries` times while the file changes under the read. For an
 * `appendOnly` file the cut is found before chunking: in memory for a small file,
 * by a backward scan of the file for a large one.
 * @throws NodeJS errors from open/read (ENOENT when it vanished, EACCES, ...); ABORTED
 * @example const r = await readFileContent(abs, lstatSync(abs, { bigint: true }), saver, params, { appendOnly: abs.endsWith('.jsonl') });
 */
export async function readFileContent(path: string, walked: BigIntStats, saver: BlobSaver, chunk: ChunkParams, opts: ReadFileOptions = {}): Promise<FileContent> {
  const retries = opts.retries ?? 2;
  let before = walked;
  let totalRead = 0;
  for (let attempt = 0; ; attempt++) {
    throwIfAborted(opts.signal);
    const start = before;
    const expect = Number(start.size);
    let h: FileHandle | undefined;
    let pooled: Uint8Array | undefined;
    try {
      let source: AsyncIterable<Uint8Array>;
      let after: BigIntStats | undefined;
      let readEnd: BigIntStats | undefined;
      /** Where an append-only file's content was cut, when it was. */
      let cut: number | undefined;
      /** For a large append-only file: the end of its last whole line within `expect`. */
      let line: number | undefined;
      if (expect <= SMALL_FILE) {
        const r = readWholeSync(path, expect, opts.onRead, true);
        pooled = r.data;
        after = r.after;
        let data = r.data;
        if (opts.appendOnly && data.length === expect && shouldCut(start, after, expect > 0 && data[expect - 1] !== 0x0a)) {
          cut = data.lastIndexOf(0x0a) + 1;
          data = data.subarray(0, cut);
        }
        source = once(data);
      } else {
        const fh = await open(path, FLAGS);
        h = fh;
        if (opts.appendOnly) line = await lastLineEnd(fh, expect, opts.signal);
        const stopAtLine = async () => {
          if (!shouldCut(start, await fh.stat({ bigint: true }), true)) return false;
          cut = line;
          return true;
        };
        const ended = async () => {
          readEnd = await fh.stat({ bigint: true });
        };
        source = readLarge(fh, expect, line, stopAtLine, ended, opts.signal, opts.onRead);
      }
      const { content, size, added, stored } = await chunkAndSave(source, saver, chunk);
      totalRead += size;
      after ??= readEnd;
      if (after === undefined) throw new Error('unreachable: the read ended without a stat');
      // Consistent: unchanged; or an append-only file read up to a line boundary and since only appended to.
      const lineEnd = cut ?? (line === expect ? expect : undefined);
      const appended = lineEnd !== undefined && size === lineEnd && (cut !== undefined || grew(start, after)) && after.ino === start.ino && after.size >= start.size;
      const stable = appended || (sameVersion(start, after) && Number(after.size) === size);
      if (stable || attempt >= retries) {
        return { content, size, stat: after, bytesRead: totalRead, bytesAdded: added, bytesStored: stored, unstable: !stable, attempts: attempt + 1, cut: cut !== undefined && cut < Number(after.size) };
      }
      before = after;
    } finally {
      if (pooled) releaseReadBuffer(pooled);
      await h?.close();
    }
  }
}
