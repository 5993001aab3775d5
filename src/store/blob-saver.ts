/*
 * Saving blobs: deduplicate against the index, compress on the thread pool,
 * collect into packs, write each full pack and then a small index file naming
 * it, so an interrupted backup leaves every written pack indexed and the next
 * backup reuses it (resume, not restart). Write order: pack, then its index.
 */
import { assistCompression, compress } from '../core/compress.js';
import { throwIfAborted } from '../core/errors.js';
import type { Backend } from './backend.js';
import { idOf, type Id } from './ids.js';
import { encodeIndex, type IndexedPack } from './index-file.js';
import type { MasterIndex } from './master-index.js';
import { PackBuilder, type BlobType } from './pack.js';

/** What saving one blob did. */
export interface SaveResult {
  id: Id;
  /** False when the blob was already stored (deduplicated). */
  added: boolean;
  /** Bytes this blob added to packs (0 when deduplicated). */
  storedLength: number;
}

/** Options of a BlobSaver. */
export interface BlobSaverOptions {
  packSize: number;
  compressionLevel: number;
  signal?: AbortSignal;
  /** Called after each pack and its index are durable. */
  onPackWritten?: (packId: Id, bytes: number) => void;
}

/** A blob is its type and id together (a data blob may have a tree blob's bytes). */
const blobKey = (type: BlobType, id: Id): string => (type === 'data' ? id : `tree:${id}`);

/** Packs blobs and writes them with their index entries. */
export class BlobSaver {
  /** Trees and data go to separate packs, so reading trees touches few, small packs. */
  private readonly packs: Record<BlobType, PackBuilder> = { data: new PackBuilder(), tree: new PackBuilder() };
  /** Saves in progress, by blob key (type and id). */
  private readonly inflight = new Map<string, Promise<SaveResult>>();
  /** Blobs in packs not yet indexed, by blob key. */
  private readonly buffered = new Set<string>();
  /** Index files this saver wrote (one per pack), for consolidation at the end. */
  readonly indexFiles: Id[] = [];
  /** Packs written, with their entries. */
  readonly packsWritten: IndexedPack[] = [];
  private flushing: Promise<void> = Promise.resolve();
  /**
   * The buffer the last pack was assembled in, reused for the next: pack writes are chained
   * one after the other, so it is free again when the next pack is finished (a fresh 16 MiB
   * buffer per pack costs thousands of page faults).
   */
  private packBuffer: Uint8Array | undefined;

  constructor(
    private readonly backend: Backend,
    private readonly index: MasterIndex,
    private readonly opts: BlobSaverOptions,
  ) {}

  /** True when blob `id` of `type` is stored, waiting in a pack or being saved: save() would not keep its bytes. */
  known(type: BlobType, id: Id): boolean {
    const k = blobKey(type, id);
    return this.index.hasBlob(type, id) || this.buffered.has(k) || this.inflight.has(k);
  }

  /**
   * Saves one blob unless the repository already has it. `data` may be kept until the
   * blob is packed: the caller must not change it meanwhile (see known()). With `give`,
   * the caller hands `data` over (it may be detached by a transfer to a compression
   * worker) and must not use it again.
   * @param id the blob's id when the caller already hashed it
   */
  async save(type: BlobType, data: Uint8Array, id: Id = idOf(data), give = false): Promise<SaveResult> {
    throwIfAborted(this.opts.signal);
    const k = blobKey(type, id);
    if (this.index.hasBlob(type, id) || this.buffered.has(k)) return { id, added: false, storedLength: 0 };
    const pending = this.inflight.get(k);
    if (pending) {
      await pending;
      return { id, added: false, storedLength: 0 };
    }
    const p = this.store(type, data, id, give);
    this.inflight.set(k, p);
    try {
      return await p;
    } finally {
      this.inflight.delete(k);
    }
  }

  private async store(type: BlobType, data: Uint8Array, id: Id, give: boolean): Promise<SaveResult> {
    const rawLength = data.length; // before compress(): a given buffer may be detached
    const c = await compress(data, this.opts.compressionLevel, give);
    throwIfAborted(this.opts.signal);
    // The blob becomes visible to has() only once its pack's index is written.
    this.packs[type].add(type, id, c.codec, c.data, rawLength);
    this.buffered.add(blobKey(type, id));
    if (this.packs[type].dataLength >= this.opts.packSize) {
      // The full pack is written in the background while saving goes on; this save waits only
      // for the pack before it, so at most two packs are held or being written at once. A
      // failed write surfaces at the next wait or at flush().
      const before = this.flushing;
      void this.flushPack(type).catch(() => {});
      await before;
    }
    return { id, added: true, storedLength: c.data.length };
  }

  /** Writes the current pack of `type` (if any) and its index file. */
  async flushPack(type: BlobType): Promise<void> {
    const pack = this.packs[type];
    if (pack.entries.length === 0) return this.flushing;
    this.packs[type] = new PackBuilder();
    const prev = this.flushing;
    this.flushing = (async () => {
      await prev;
      const bytes = pack.finish(this.packBuffer);
      this.packBuffer = new Uint8Array(bytes.buffer, 0, bytes.buffer.byteLength);
      const packId = idOf(bytes);
      await this.backend.write('data', packId, bytes, this.opts.signal ? { signal: this.opts.signal } : {});
      const entry: IndexedPack = { packId, blobs: pack.entries };
      const idx = encodeIndex([entry]);
      const idxId = idOf(idx);
      await this.backend.write('index', idxId, idx);
      this.index.addPack(packId, pack.entries);
      for (const e of pack.entries) this.buffered.delete(blobKey(e.type, e.id));
      this.indexFiles.push(idxId);
      this.packsWritten.push(entry);
      this.opts.onPackWritten?.(packId, bytes.length);
    })();
    return this.flushing;
  }

  /** Writes everything still buffered; after it resolves every saved blob is durable and indexed. */
  async flush(): Promise<void> {
    await assistCompression(Promise.all(this.inflight.values()));
    await this.flushPack('data');
    await this.flushPack('tree');
    await this.flushing;
  }
}
