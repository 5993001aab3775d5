/*
 * Reading one regular file into content blobs: open without following links,
 * check it is still the file the walk saw, chunk it (FastCDC with the
 * repository's keyed gear table), save new chunks, and stat again afterwards
 * so a file that changed while it was read is read again or flagged.
 */
import { constants, type BigIntStats } from 'node:fs';
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

async function* readAll(h: FileHandle, signal: AbortSignal | undefined): AsyncGenerator<Uint8Array> {
  let pos = 0;
  for (;;) {
    throwIfAborted(signal);
    const buf = new Uint8Array(1 << 20);
    const { bytesRead } = await h.read(buf, 0, buf.length, pos);
    if (bytesRead === 0) return;
    pos += bytesRead;
    yield buf.subarray(0, bytesRead);
  }
}

const sameVersion = (a: BigIntStats, b: BigIntStats) => a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs && a.ino === b.ino;

/**
 * Reads `path` into blobs. Retries up to `retries` times while the file changes under the read.
 * @throws NodeJS errors from open/read (ENOENT when it vanished, EACCES, ...); ABORTED
 */
export async function readFileContent(path: string, saver: BlobSaver, chunk: ChunkParams, opts: { retries?: number; signal?: AbortSignal } = {}): Promise<FileContent> {
  const retries = opts.retries ?? 2;
  const flags = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0);
  const h = await open(path, flags);
  try {
    let totalRead = 0;
    for (let attempt = 0; ; attempt++) {
      const before = await h.stat({ bigint: true });
      const content: Id[] = [];
      let size = 0;
      let added = 0;
      let stored = 0;
      const pending: Promise<void>[] = [];
      const c = chunk.config;
      for await (const { data } of chunkFile(readAll(h, opts.signal), {
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
        if (pending.length >= 16) await settleAll(pending.splice(0, 8));
      }
      await settleAll(pending);
      totalRead += size;
      const after = await h.stat({ bigint: true });
      const stable = sameVersion(before, after) && Number(after.size) === size;
      if (stable || attempt >= retries) {
        return { content, size, stat: after, bytesRead: totalRead, bytesAdded: added, bytesStored: stored, unstable: !stable };
      }
    }
  } finally {
    await h.close();
  }
}
