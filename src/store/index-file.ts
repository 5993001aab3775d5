/*
 * Index files: which blobs each pack holds and where, so a backup can tell
 * what is already stored and a restore can find a blob without reading pack
 * headers. Binary, named by the SHA-256 of their bytes (docs/format.md "Index").
 */
import { ClawbackError } from '../core/errors.js';
import type { Codec } from '../core/compress.js';
import { readU32, writeU32 } from '../core/bytes.js';
import { idFromBytes, idToBytes, ID_LEN, type Id } from './ids.js';
import type { BlobType, PackEntry } from './pack.js';

/** Index magic "cli1". */
export const INDEX_MAGIC = 0x636c6931;
export const INDEX_VERSION = 1;
const BLOB_REC = 1 + 1 + 4 + 4 + 4 + ID_LEN;
/** Bytes of one blob record in an index file. */
export const INDEX_RECORD_LENGTH = BLOB_REC;

/** The blobs of one pack, as an index records them. */
export interface IndexedPack {
  packId: Id;
  blobs: PackEntry[];
}

/** Serialises packs into one index file. */
export function encodeIndex(packs: readonly IndexedPack[]): Uint8Array {
  let size = 4 + 1 + 4;
  for (const p of packs) size += ID_LEN + 4 + p.blobs.length * BLOB_REC;
  const out = new Uint8Array(size);
  writeU32(out, 0, INDEX_MAGIC);
  out[4] = INDEX_VERSION;
  writeU32(out, 5, packs.length);
  let at = 9;
  for (const p of packs) {
    idToBytes(p.packId, out, at);
    writeU32(out, at + ID_LEN, p.blobs.length);
    at += ID_LEN + 4;
    for (const b of p.blobs) {
      out[at] = b.type === 'data' ? 0 : 1;
      out[at + 1] = b.codec;
      writeU32(out, at + 2, b.offset);
      writeU32(out, at + 6, b.storedLength);
      writeU32(out, at + 10, b.rawLength);
      idToBytes(b.id, out, at + 14);
      at += BLOB_REC;
    }
  }
  return out;
}

/**
 * Validates an index file's structure and calls `onPack` for each pack with the
 * position of its `count` blob records of {@link INDEX_RECORD_LENGTH} bytes
 * (type u8, codec u8, offset, stored length, raw length as big-endian u32, id).
 * Nothing is allocated per blob: the master index reads the records in place.
 * @throws ClawbackError BAD_MAGIC, TRUNCATED, CORRUPT, UNSUPPORTED (before any callback for a bad header; a bad record stops the scan)
 */
export function scanIndex(data: Uint8Array, onPack: (packId: Id, at: number, count: number) => void): void {
  if (data.length < 9) throw new ClawbackError('TRUNCATED', 'index file too short');
  if (readU32(data, 0) !== INDEX_MAGIC) throw new ClawbackError('BAD_MAGIC', 'not an index file');
  if (data[4] !== INDEX_VERSION) throw new ClawbackError('UNSUPPORTED', `index version ${data[4]} is not supported`);
  const count = readU32(data, 5);
  let at = 9;
  for (let i = 0; i < count; i++) {
    if (at + ID_LEN + 4 > data.length) throw new ClawbackError('TRUNCATED', 'index file truncated in a pack record');
    const packId = idFromBytes(data, at);
    const n = readU32(data, at + ID_LEN);
    at += ID_LEN + 4;
    if (at + n * BLOB_REC > data.length) throw new ClawbackError('TRUNCATED', 'index file truncated in a blob record');
    for (let k = 0, r = at; k < n; k++, r += BLOB_REC) {
      if (data[r]! > 1 || data[r + 1]! > 1) throw new ClawbackError('CORRUPT', `index entry has type ${data[r]} codec ${data[r + 1]}`);
    }
    onPack(packId, at, n);
    at += n * BLOB_REC;
  }
  if (at !== data.length) throw new ClawbackError('CORRUPT', `index file has ${data.length - at} bytes after its last record`);
}

/**
 * Parses an index file (its id has already been verified by the caller). Each
 * blob entry also carries its `packId`.
 * @throws ClawbackError BAD_MAGIC, TRUNCATED, CORRUPT, UNSUPPORTED
 */
export function decodeIndex(data: Uint8Array): IndexedPack[] {
  const packs: IndexedPack[] = [];
  scanIndex(data, (packId, at, n) => {
    const blobs: (PackEntry & { packId: Id })[] = [];
    for (let k = 0; k < n; k++, at += BLOB_REC) {
      blobs.push({
        packId,
        type: (data[at] === 0 ? 'data' : 'tree') as BlobType,
        codec: data[at + 1] as Codec,
        offset: readU32(data, at + 2),
        storedLength: readU32(data, at + 6),
        rawLength: readU32(data, at + 10),
        id: idFromBytes(data, at + 14),
      });
    }
    packs.push({ packId, blobs });
  });
  return packs;
}
