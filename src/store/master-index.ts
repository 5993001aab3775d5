/*
 * The in-memory index of every blob in the repository: blob id → pack and
 * position. Built from the index files at open, extended as packs are written.
 * Its size, not the size of the files backed up, bounds a backup's memory.
 */
import type { Id } from './ids.js';
import type { BlobType, PackEntry } from './pack.js';

/** Where a blob lives. */
export interface BlobLocation extends PackEntry {
  packId: Id;
}

/** blob id → location, plus per-pack membership for prune and check. */
export class MasterIndex {
  private readonly blobs = new Map<Id, BlobLocation>();
  private readonly packs = new Map<Id, number>();
  /** End of the last blob of each pack (where its header starts): reads below it stay inside the pack. */
  private readonly dataEnds = new Map<Id, number>();

  /** Records the blobs of one pack. A blob already known keeps its first location. */
  addPack(packId: Id, entries: readonly PackEntry[]): void {
    this.packs.set(packId, (this.packs.get(packId) ?? 0) + entries.length);
    let end = this.dataEnds.get(packId) ?? 0;
    for (const e of entries) end = Math.max(end, e.offset + e.storedLength);
    this.dataEnds.set(packId, end);
    for (const e of entries) {
      // decodeIndex already gives locations (entries carrying their packId): kept as they are, not copied.
      if (!this.blobs.has(e.id)) this.blobs.set(e.id, (e as Partial<BlobLocation>).packId === packId ? (e as BlobLocation) : { ...e, packId });
    }
  }

  /** Forgets everything (before a reload). */
  clear(): void {
    this.blobs.clear();
    this.packs.clear();
    this.dataEnds.clear();
  }

  /** Bytes of blob data at the start of a pack, as far as the index knows. */
  packDataEnd(packId: Id): number {
    return this.dataEnds.get(packId) ?? 0;
  }

  has(id: Id): boolean {
    return this.blobs.has(id);
  }

  get(id: Id): BlobLocation | undefined {
    return this.blobs.get(id);
  }

  /** Has this blob of this type? */
  hasBlob(type: BlobType, id: Id): boolean {
    return this.blobs.get(id)?.type === type;
  }

  /** Every known pack id. */
  packIds(): IterableIterator<Id> {
    return this.packs.keys();
  }

  /** Every blob location. */
  all(): IterableIterator<BlobLocation> {
    return this.blobs.values();
  }

  get blobCount(): number {
    return this.blobs.size;
  }

  get packCount(): number {
    return this.packs.size;
  }
}
