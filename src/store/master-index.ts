/*
 * The in-memory index of every blob in the repository: blob id → pack and
 * position. Built from the index files at open, extended as packs are written.
 * Its size, not the size of the files backed up, bounds a backup's memory, so
 * it lives in typed arrays (about 60 bytes a blob, no object or string per
 * blob), in an open-addressing table keyed by the id's leading bytes. A blob is
 * its type and id together, as in restic: a data blob whose bytes happen to
 * equal a tree blob's is a blob of its own.
 */
import { ClawbackError } from '../core/errors.js';
import { ID_LEN, idFromBytes, type Id } from './ids.js';
import type { Codec } from '../core/compress.js';
import type { BlobType, PackEntry } from './pack.js';

/** Where a blob lives. */
export interface BlobLocation extends PackEntry {
  packId: Id;
}

/** u32 fields per blob in `meta`: pack number, offset, stored length, raw length, type << 8 | codec. */
const META = 5;
const EMPTY = -1;

/** A blob type as stored in `meta` and in index records: data 0, tree 1. */
const typeCode = (t: BlobType): number => (t === 'data' ? 0 : 1);

/** Value of one hex digit's char code, or -1. */
const HEX_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) HEX_VALUE[48 + i] = i;
for (let i = 0; i < 6; i++) HEX_VALUE[97 + i] = 10 + i;

/** Value of the hex digit with char code `c`, or -1 (any char code, so no aliasing of non-ASCII ones). */
function hexVal(c: number): number {
  return c < 128 ? HEX_VALUE[c]! : -1;
}

/** The first four bytes of a hex id as a u32 (the table hash: ids are SHA-256, already uniform). */
function hexHead(id: string): number {
  return parseInt(id.slice(0, 8), 16) >>> 0;
}

/** blob id → location, plus per-pack membership for prune and check. */
export class MasterIndex {
  /** Pack ids by pack number, and back. */
  private readonly packList: Id[] = [];
  private readonly packNo = new Map<Id, number>();
  private packBlobs: number[] = [];
  /** End of the last blob of each pack (where its header starts): reads below it stay inside the pack. */
  private dataEnds: number[] = [];

  private count = 0;
  private ids = new Uint8Array(1024 * ID_LEN);
  private meta = new Uint32Array(1024 * META);
  /** Open-addressing slots holding blob numbers; always at most half full. */
  private slots = new Int32Array(2048).fill(EMPTY);

  /** Records the blobs of one pack. A blob (type and id) already known keeps its first location. */
  addPack(packId: Id, entries: readonly PackEntry[]): void {
    const p = this.pack(packId);
    this.packBlobs[p]! += entries.length;
    let end = this.dataEnds[p]!;
    const id = new Uint8Array(ID_LEN);
    for (const e of entries) {
      end = Math.max(end, e.offset + e.storedLength);
      if (this.find(e.id, typeCode(e.type)) !== EMPTY) continue;
      writeHexId(e.id, id);
      this.insert(id, 0, p, e.offset, e.storedLength, e.rawLength, (typeCode(e.type) << 8) | e.codec);
    }
    this.dataEnds[p] = end;
  }

  /**
   * Records one pack's blobs straight from index-file records (`count` records of
   * `recordLength` bytes from `at`: type u8, codec u8, offset, stored length, raw
   * length as big-endian u32, then the 32-byte id), without an object per blob.
   */
  addPackRecords(packId: Id, data: Uint8Array, at: number, count: number, recordLength: number): void {
    const p = this.pack(packId);
    this.packBlobs[p]! += count;
    let end = this.dataEnds[p]!;
    const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
    for (let k = 0; k < count; k++, at += recordLength) {
      const offset = dv.getUint32(at + 2);
      const stored = dv.getUint32(at + 6);
      end = Math.max(end, offset + stored);
      if (this.findBytes(data, at + 14, data[at]!) !== EMPTY) continue;
      this.insert(data, at + 14, p, offset, stored, dv.getUint32(at + 10), data[at]! << 8 | data[at + 1]!);
    }
    this.dataEnds[p] = end;
  }

  /** Forgets everything (before a reload). */
  clear(): void {
    this.packList.length = 0;
    this.packNo.clear();
    this.packBlobs = [];
    this.dataEnds = [];
    this.count = 0;
    this.ids = new Uint8Array(1024 * ID_LEN);
    this.meta = new Uint32Array(1024 * META);
    this.slots = new Int32Array(2048).fill(EMPTY);
  }

  /** Bytes of blob data at the start of a pack, as far as the index knows. */
  packDataEnd(packId: Id): number {
    const p = this.packNo.get(packId);
    return p === undefined ? 0 : this.dataEnds[p]!;
  }

  /** Is there a blob with this id, of either type? */
  has(id: Id): boolean {
    return this.find(id) !== EMPTY;
  }

  /** Where the blob `id` of `type` is (without a type: the first one with that id). */
  get(id: Id, type?: BlobType): BlobLocation | undefined {
    const b = this.find(id, type === undefined ? undefined : typeCode(type));
    return b === EMPTY ? undefined : this.location(b, id);
  }

  /** Has this blob of this type? */
  hasBlob(type: BlobType, id: Id): boolean {
    return this.find(id, typeCode(type)) !== EMPTY;
  }

  /** Every known pack id. */
  packIds(): IterableIterator<Id> {
    return this.packNo.keys();
  }

  /** Every blob location. */
  *all(): IterableIterator<BlobLocation> {
    for (let b = 0; b < this.count; b++) yield this.location(b, idFromBytes(this.ids, b * ID_LEN));
  }

  get blobCount(): number {
    return this.count;
  }

  get packCount(): number {
    return this.packList.length;
  }

  private pack(packId: Id): number {
    let p = this.packNo.get(packId);
    if (p === undefined) {
      p = this.packList.length;
      this.packList.push(packId);
      this.packNo.set(packId, p);
      this.packBlobs.push(0);
      this.dataEnds.push(0);
    }
    return p;
  }

  private location(b: number, id: Id): BlobLocation {
    const m = this.meta;
    const o = b * META;
    return {
      id,
      packId: this.packList[m[o]!]!,
      offset: m[o + 1]!,
      storedLength: m[o + 2]!,
      rawLength: m[o + 3]!,
      type: m[o + 4]! >>> 8 === 0 ? 'data' : 'tree',
      codec: (m[o + 4]! & 0xff) as Codec,
    };
  }

  /** The blob number of hex id `id` (of type code `type` when given), or EMPTY. */
  private find(id: Id, type?: number): number {
    if (id.length !== 2 * ID_LEN) return EMPTY;
    const mask = this.slots.length - 1;
    for (let s = hexHead(id) & mask; ; s = (s + 1) & mask) {
      const b = this.slots[s]!;
      if (b === EMPTY) return EMPTY;
      if ((type === undefined || this.meta[b * META + 4]! >>> 8 === type) && this.idEqualsHex(b, id)) return b;
    }
  }

  /** The blob number of the binary id at `bytes[at..at+32)` with type code `type`, or EMPTY. */
  private findBytes(bytes: Uint8Array, at: number, type: number): number {
    const mask = this.slots.length - 1;
    const head = ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
    const ids = this.ids;
    for (let s = head & mask; ; s = (s + 1) & mask) {
      const b = this.slots[s]!;
      if (b === EMPTY) return EMPTY;
      if (this.meta[b * META + 4]! >>> 8 !== type) continue;
      let i = 0;
      const o = b * ID_LEN;
      while (i < ID_LEN && ids[o + i] === bytes[at + i]) i++;
      if (i === ID_LEN) return b;
    }
  }

  private idEqualsHex(b: number, id: string): boolean {
    const ids = this.ids;
    const o = b * ID_LEN;
    for (let i = 0; i < ID_LEN; i++) {
      const hi = hexVal(id.charCodeAt(2 * i));
      const lo = hexVal(id.charCodeAt(2 * i + 1));
      if (hi < 0 || lo < 0 || ((hi << 4) | lo) !== ids[o + i]) return false;
    }
    return true;
  }

  private insert(id: Uint8Array, at: number, pack: number, offset: number, stored: number, raw: number, typeCodec: number): void {
    if (this.count * ID_LEN === this.ids.length) this.grow();
    const b = this.count++;
    this.ids.set(id.subarray(at, at + ID_LEN), b * ID_LEN);
    const m = this.meta;
    const o = b * META;
    m[o] = pack;
    m[o + 1] = offset;
    m[o + 2] = stored;
    m[o + 3] = raw;
    m[o + 4] = typeCodec;
    if (this.count * 2 > this.slots.length) this.rehash(this.slots.length * 2);
    else this.place(b);
  }

  private place(b: number): void {
    const ids = this.ids;
    const o = b * ID_LEN;
    const mask = this.slots.length - 1;
    const head = ((ids[o]! << 24) | (ids[o + 1]! << 16) | (ids[o + 2]! << 8) | ids[o + 3]!) >>> 0;
    let s = head & mask;
    while (this.slots[s] !== EMPTY) s = (s + 1) & mask;
    this.slots[s] = b;
  }

  private grow(): void {
    const cap = (this.ids.length / ID_LEN) * 2;
    if (cap > 2 ** 28) throw new ClawbackError('LIMIT', `the index holds more than ${2 ** 27} blobs`);
    const ids = new Uint8Array(cap * ID_LEN);
    ids.set(this.ids);
    this.ids = ids;
    const meta = new Uint32Array(cap * META);
    meta.set(this.meta);
    this.meta = meta;
  }

  private rehash(size: number): void {
    this.slots = new Int32Array(size).fill(EMPTY);
    for (let b = 0; b < this.count; b++) this.place(b);
  }
}

/** Writes the 32 bytes of hex id `id` into `out` (ids reaching the index are validated by their producers). */
function writeHexId(id: Id, out: Uint8Array): void {
  for (let i = 0; i < ID_LEN; i++) {
    const hi = hexVal(id.charCodeAt(2 * i));
    const lo = hexVal(id.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) throw new ClawbackError('CORRUPT', `malformed blob id ${JSON.stringify(id.slice(0, 80))}`);
    out[i] = (hi << 4) | lo;
  }
}
