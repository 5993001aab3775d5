/*
 * Object and blob ids: SHA-256 digests, held as 64-character lower-case hex
 * strings in memory (Map keys) and as 32 raw bytes in binary formats.
 */
import { sha256, toHex } from '../core/hash.js';
import { ClawbackError } from '../core/errors.js';

/** Bytes in a binary id. */
export const ID_LEN = 32;
const HEX64 = /^[0-9a-f]{64}$/;

/** A 64-hex-character SHA-256 id. */
export type Id = string;

/** The id of `data`: hex SHA-256. */
export function idOf(data: Uint8Array): Id {
  return toHex(sha256(data));
}

/** True for a well-formed id string. */
export function isId(s: string): s is Id {
  return HEX64.test(s);
}

/** Binary id → hex. */
export function idFromBytes(b: Uint8Array, at = 0): Id {
  return toHex(b.subarray(at, at + ID_LEN));
}

/** Writes the 32 bytes of hex id `id` into `out` at `at`. */
export function idToBytes(id: Id, out: Uint8Array, at = 0): void {
  if (!isId(id)) throw new ClawbackError('CORRUPT', `malformed id ${JSON.stringify(String(id).slice(0, 80))}`);
  out.set(Buffer.from(id, 'hex'), at);
}

/** Throws INTEGRITY unless `data` hashes to `id`. `what` names the object in the message. */
export function verifyId(id: Id, data: Uint8Array, what: string): void {
  const got = idOf(data);
  if (got !== id) throw new ClawbackError('INTEGRITY', `${what} ${id.slice(0, 12)} is damaged: its content hashes to ${got.slice(0, 12)}`);
}
