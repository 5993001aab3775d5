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
 * Parses an index file (its id has already been verified by the caller). Each
 * blob entry also carries its `packId`, so the master index keeps it as is.
 * @throws ClawbackError BAD_MAGIC, TRUNCATED, CORRUPT, UNSUPPORTED
 */
export function decodeIndex(data: Uint8Array): IndexedPack[] {
  if (data.length < 9) throw new ClawbackError('TRUNCATED', 'index file too short');
  if (readU32(data, 0) !== INDEX_MAGIC) throw new ClawbackError('BAD_MAGIC', 'not an index file');
  if (data[4] !== INDEX_VERSION) throw new ClawbackError('UNSUPPORTED', `index version ${data[4]} is not supported`);
  const count = readU32(data, 5);
  const packs: IndexedPack[] = [];
  let at = 9;
  for (let i = 0; i < count; i++) {
    if (at + ID_LEN + 4 > data.length) throw new ClawbackError('TRUNCATED', 'index file truncated in a pack record');
    const packId = idFromBytes(data, at);
    const n = readU32(data, at + ID_LEN);
    at += ID_LEN + 4;
    if (at + n * BLOB_REC > data.length) throw new ClawbackError('TRUNCATED', 'index file truncated in a blob record');
    const blobs: (PackEntry & { packId: Id })[] = [];
    for (let k = 0; k < n; k++, at += BLOB_REC) {
      const t = data[at]!;
      const codec = data[at + 1]!;
      if (t > 1 || codec > 1) throw new ClawbackError('CORRUPT', `index entry has type ${t} codec ${codec}`);
      blobs.push({
        packId,
        type: (t === 0 ? 'data' : 'tree') as BlobType,
        codec: codec as Codec,
        offset: readU32(data, at + 2),
        storedLength: readU32(data, at + 6),
        rawLength: readU32(data, at + 10),
        id: idFromBytes(data, at + 14),
      });
    }
    packs.push({ packId, blobs });
  }
  if (at !== data.length) throw new ClawbackError('CORRUPT', `index file has ${data.length - at} bytes after its last record`);
  return packs;
}
