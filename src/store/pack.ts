/*
 * Pack files: many blobs in one repository object, so thousands of small
 * files never become thousands of objects. Blobs first, then a header listing
 * them, then the header length and a magic (docs/format.md "Pack").
 */
import { ClawbackError } from '../core/errors.js';
import type { Codec } from '../core/compress.js';
import { readU32, writeU32 } from '../core/bytes.js';
import { idFromBytes, idToBytes, ID_LEN, type Id } from './ids.js';

/** Pack trailer magic "clp1". */
export const PACK_MAGIC = 0x636c7031;
/** Pack header version. */
export const PACK_VERSION = 1;
/** Bytes of one header entry: type, codec, raw length, stored length, id. */
export const PACK_ENTRY_LEN = 1 + 1 + 4 + 4 + ID_LEN;
const HEADER_FIXED = 1 + 1 + 4;
const TRAILER = 8;

/** What a blob holds: file content or a directory tree. */
export type BlobType = 'data' | 'tree';

/** One blob in a pack. */
export interface PackEntry {
  type: BlobType;
  id: Id;
  codec: Codec;
  /** Offset of the stored bytes in the pack. */
  offset: number;
  storedLength: number;
  rawLength: number;
}

const typeCode = (t: BlobType) => (t === 'data' ? 0 : 1);

/** Collects stored blobs into one pack. */
export class PackBuilder {
  private readonly parts: Uint8Array[] = [];
  readonly entries: PackEntry[] = [];
  private size = 0;

  /** Bytes of blob data so far. */
  get dataLength(): number {
    return this.size;
  }

  /** Adds a stored blob (already compressed or raw). */
  add(type: BlobType, id: Id, codec: Codec, stored: Uint8Array, rawLength: number): PackEntry {
    const e: PackEntry = { type, id, codec, offset: this.size, storedLength: stored.length, rawLength };
    this.parts.push(stored);
    this.entries.push(e);
    this.size += stored.length;
    return e;
  }

  /**
   * The complete pack file bytes: written into `reuse` when it is large enough (a view of
   * its start is returned), else into a new buffer.
   */
  finish(reuse?: Uint8Array): Uint8Array {
    const headerLen = HEADER_FIXED + this.entries.length * PACK_ENTRY_LEN;
    const total = this.size + headerLen + TRAILER;
    const out = reuse && reuse.length >= total ? reuse.subarray(0, total) : new Uint8Array(total);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    out[at++] = PACK_VERSION;
    out[at++] = 0; // flags: bit 0 reserved for encryption
    writeU32(out, at, this.entries.length);
    at += 4;
    for (const e of this.entries) {
      out[at] = typeCode(e.type);
      out[at + 1] = e.codec;
      writeU32(out, at + 2, e.rawLength);
      writeU32(out, at + 6, e.storedLength);
      idToBytes(e.id, out, at + 10);
      at += PACK_ENTRY_LEN;
    }
    writeU32(out, at, headerLen);
    writeU32(out, at + 4, PACK_MAGIC);
    return out;
  }
}

/** How many bytes from the end of a pack hold its header length and magic. */
export const PACK_TRAILER_LEN = TRAILER;

/**
 * Reads the header length from a pack's last 8 bytes.
 * @throws ClawbackError BAD_MAGIC, CORRUPT
 */
export function packHeaderLength(trailer: Uint8Array, packLength: number): number {
  if (trailer.length !== TRAILER || packLength < TRAILER + HEADER_FIXED) throw new ClawbackError('TRUNCATED', `pack of ${packLength} bytes is too short`);
  if (readU32(trailer, 4) !== PACK_MAGIC) throw new ClawbackError('BAD_MAGIC', 'not a pack: trailer magic mismatch');
  const len = readU32(trailer, 0);
  if (len < HEADER_FIXED || len > packLength - TRAILER || (len - HEADER_FIXED) % PACK_ENTRY_LEN !== 0) {
    throw new ClawbackError('CORRUPT', `pack header length ${len} is impossible for a pack of ${packLength} bytes`);
  }
  return len;
}

/**
 * Parses a pack header (the `headerLength` bytes before the trailer).
 * Checks that the entries exactly tile the data area.
 * @throws ClawbackError CORRUPT, UNSUPPORTED
 */
export function parsePackHeader(header: Uint8Array, packLength: number): PackEntry[] {
  if (header[0] !== PACK_VERSION) throw new ClawbackError('UNSUPPORTED', `pack version ${header[0]} is not supported`);
  if (header[1] !== 0) throw new ClawbackError('UNSUPPORTED', `pack flags ${header[1]} (encrypted packs) are not supported`);
  const count = readU32(header, 2);
  if (HEADER_FIXED + count * PACK_ENTRY_LEN !== header.length) throw new ClawbackError('CORRUPT', `pack header says ${count} blobs but has room for ${(header.length - HEADER_FIXED) / PACK_ENTRY_LEN}`);
  const entries: PackEntry[] = [];
  let offset = 0;
  for (let i = 0, at = HEADER_FIXED; i < count; i++, at += PACK_ENTRY_LEN) {
    const t = header[at]!;
    const codec = header[at + 1]!;
    if (t > 1 || codec > 1) throw new ClawbackError('CORRUPT', `pack entry ${i} has type ${t} codec ${codec}`);
    const rawLength = readU32(header, at + 2);
    const storedLength = readU32(header, at + 6);
    entries.push({ type: t === 0 ? 'data' : 'tree', codec: codec as Codec, rawLength, storedLength, offset, id: idFromBytes(header, at + 10) });
    offset += storedLength;
  }
  if (offset + header.length + TRAILER !== packLength) {
    throw new ClawbackError('CORRUPT', `pack blobs cover ${offset} bytes, header ${header.length}, but the pack has ${packLength}`);
  }
  return entries;
}
