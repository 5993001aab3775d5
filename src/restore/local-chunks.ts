/*
 * What an existing file on the target already holds: its content-defined
 * chunks (same keyed FastCDC as the repository) with their ids and offsets,
 * so a restore can reuse local bytes instead of fetching blobs, and can tell
 * an unchanged file from a changed one by content, not by size and mtime.
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { chunkFile } from '../chunker/file-chunks.js';
import type { GearTable } from '../chunker/gear-table.js';
import { throwIfAborted } from '../core/errors.js';
import { idOf, type Id } from '../store/ids.js';
import type { ChunkerConfig } from '../store/repo-config.js';

/** Where a chunk lies in a local file. */
export interface LocalChunk {
  offset: number;
  length: number;
}

/** The chunk list of a local file, in order, and an id → position map. */
export interface LocalChunks {
  ids: Id[];
  byId: Map<Id, LocalChunk>;
  size: number;
}

/** Chunks and hashes the regular file at `path` (never following a final symlink). */
export async function localChunks(path: string, config: ChunkerConfig, gear: GearTable, signal?: AbortSignal): Promise<LocalChunks> {
  const h = await open(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  try {
    const ids: Id[] = [];
    const byId = new Map<Id, LocalChunk>();
    let size = 0;
    // Chunks are views (only hashed here), so one read buffer serves the whole file: the chunker
    // has copied what it still needs of a piece before it asks for the next.
    const buf = new Uint8Array(1 << 20);
    async function* pieces() {
      let pos = 0;
      for (;;) {
        throwIfAborted(signal);
        const { bytesRead } = await h.read(buf, 0, buf.length, pos);
        if (bytesRead === 0) return;
        pos += bytesRead;
        yield buf.subarray(0, bytesRead);
      }
    }
    for await (const { data, offset } of chunkFile(pieces(), {
      minSize: config.minSize,
      avgSize: config.avgSize,
      maxSize: config.maxSize,
      normalization: config.normalization as 0 | 1 | 2 | 3,
      gear,
      views: true,
    })) {
      const id = idOf(data);
      ids.push(id);
      if (!byId.has(id)) byId.set(id, { offset, length: data.length });
      size += data.length;
    }
    return { ids, byId, size };
  } finally {
    await h.close();
  }
}
