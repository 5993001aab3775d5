/*
 * Reading one regular file into content blobs: open without following links,
 * check it is still the file the walk saw, chunk it (FastCDC with the
 * repository's keyed gear table), save new chunks, and stat again afterwards
 * so a file that changed while it was read is read again or flagged.
 */
import { constants, type BigIntStats } from 'node:fs';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { chunkFile } from '../chunker/file-chunks.js';
import type { GearTable } from '../chunker/gear-table.js';
import { throwIfAborted } from '../core/errors.js';
import { settleAll } from '../core/limiter.js';
import type { BlobSaver } from '../store/blob-saver.js';
import { idOf, type Id } from '../store/ids.js';
import type { ChunkerConfig } from '../store/repo-config.js';

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
}

/** Chunking parameters for a repository. */
export interface ChunkParams {
  config: ChunkerConfig;
  gear: GearTable;
}

/** Files up to this size are read with one synchronous read: cheaper than a thread-pool round trip per call. */
export const SMALL_FILE = 1 << 20;

/** Yields the file's bytes up to `size` (a file that grew is caught by the stat afterwards). */
async function* readAll(h: FileHandle, size: number, signal: AbortSignal | undefined): AsyncGenerator<Uint8Array> {
  let pos = 0;
  while (pos < size) {
    throwIfAborted(signal);
    const buf = new Uint8Array(Math.min(1 << 20, size - pos));
    const { bytesRead } = await h.read(buf, 0, buf.length, pos);
    if (bytesRead === 0) return;
    pos += bytesRead;
    yield bytesRead === buf.length ? buf : buf.subarray(0, bytesRead);
  }
}

/** Reads a small file whole with synchronous calls; returns its bytes and the stat taken after the read. */
function readSmall(path: string, flags: number, size: number): { data: Uint8Array; after: BigIntStats } {
  const fd = openSync(path, flags);
  try {
    const data = new Uint8Array(size);
    let pos = 0;
    while (pos < size) {
      const n = readSync(fd, data, pos, size - pos, pos);
      if (n === 0) break;
      pos += n;
    }
    return { data: pos === size ? data : data.subarray(0, pos), after: fstatSync(fd, { bigint: true }) };
  } finally {
    closeSync(fd);
  }
}

async function* once(data: Uint8Array): AsyncGenerator<Uint8Array> {
  if (data.length > 0) yield data;
}

const sameVersion = (a: BigIntStats, b: BigIntStats) => a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs && a.ino === b.ino;

/**
 * Reads `path` into blobs. `walked` is the lstat the walk took: the content is
 * consistent when the stat after the read equals it (or the previous attempt's).
 * Retries up to `retries` times while the file changes under the read.
 * @throws NodeJS errors from open/read (ENOENT when it vanished, EACCES, ...); ABORTED
 */
export async function readFileContent(
  path: string,
  walked: BigIntStats,
  saver: BlobSaver,
  chunk: ChunkParams,
  opts: { retries?: number; signal?: AbortSignal } = {},
): Promise<FileContent> {
  const retries = opts.retries ?? 2;
  const flags = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0);
  let before = walked;
  let totalRead = 0;
  for (let attempt = 0; ; attempt++) {
    throwIfAborted(opts.signal);
    const expect = Number(before.size);
    let source: AsyncIterable<Uint8Array>;
    let h: FileHandle | undefined;
    let after: BigIntStats | undefined;
    if (expect <= SMALL_FILE) {
      const r = readSmall(path, flags, expect);
      source = once(r.data);
      after = r.after;
    } else {
      h = await open(path, flags);
      source = readAll(h, expect, opts.signal);
    }
    try {
      const content: Id[] = [];
      let size = 0;
      let added = 0;
      let stored = 0;
      const pending: Promise<void>[] = [];
      const c = chunk.config;
      for await (const { data } of chunkFile(source, {
        minSize: c.minSize,
        avgSize: c.avgSize,
        maxSize: c.maxSize,
        normalization: c.normalization as 0 | 1 | 2 | 3,
        gear: chunk.gear,
      })) {
        const id = idOf(data);
        content.push(id);
        size += data.length;
        const saved = saver.save('data', data, id).then((r) => {
          if (r.added) {
            added += data.length;
            stored += r.storedLength;
          }
        });
        saved.catch(() => {}); // awaited below; never an unhandled rejection meanwhile
        pending.push(saved);
        // Bound the bytes waiting for compression.
        if (pending.length >= 64) await settleAll(pending.splice(0, 32));
      }
      await settleAll(pending);
      totalRead += size;
      after ??= await h!.stat({ bigint: true });
      const stable = sameVersion(before, after) && Number(after.size) === size;
      if (stable || attempt >= retries) {
        return { content, size, stat: after, bytesRead: totalRead, bytesAdded: added, bytesStored: stored, unstable: !stable };
      }
      before = after;
    } finally {
      await h?.close();
    }
  }
}
