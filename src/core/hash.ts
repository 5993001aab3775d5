/*
 * The hash adapter: the only module that imports hash libraries. Strong sums
 * for signatures (BLAKE2b-256 and MD4 for librsync compatibility, xxh64 for the
 * native format) and SHA-256 for whole-file and content addresses.
 * WASM (hash-wasm, xxhash-wasm) and node:crypto are used on Node; the modules
 * are instantiated once at import (top-level await) so every call is synchronous.
 */
import { createHash } from 'node:crypto';
import { createBLAKE2b, createMD4 } from 'hash-wasm';
import xxhashInit from 'xxhash-wasm';

const blake2Wasm = await createBLAKE2b(256);
const md4Wasm = await createMD4();
const xxh = await xxhashInit();

/** Output length in bytes of each strong hash. */
export const BLAKE2B_LEN = 32;
export const MD4_LEN = 16;
export const XXH64_LEN = 8;
export const SHA256_LEN = 32;

/** BLAKE2b with a 32-byte digest, unkeyed (librsync's RS_BLAKE2_SUM_LENGTH). */
export function blake2b256(data: Uint8Array): Uint8Array {
  blake2Wasm.init();
  blake2Wasm.update(data);
  return blake2Wasm.digest('binary');
}

/** MD4 (RFC 1320), as librsync's deprecated signature magics use. */
export function md4(data: Uint8Array): Uint8Array {
  md4Wasm.init();
  md4Wasm.update(data);
  return md4Wasm.digest('binary');
}

/** XXH64 of `data` with `seed`, as 8 big-endian bytes. */
export function xxh64(data: Uint8Array, seed = 0n): Uint8Array {
  const h = xxh.h64Raw(data, seed);
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, h);
  return out;
}

/** XXH64 of `data` as a bigint (no allocation of a digest array). */
export function xxh64Raw(data: Uint8Array, seed = 0n): bigint {
  return xxh.h64Raw(data, seed);
}

/** A fresh incremental XXH64 (seed 0) with an 8-byte big-endian digest. */
export function createXxh64(): IncrementalHash {
  const h = xxh.create64(0n);
  return {
    update(data) {
      h.update(data);
    },
    digest() {
      const out = new Uint8Array(8);
      new DataView(out.buffer).setBigUint64(0, h.digest());
      return out;
    },
  };
}

/** An incremental hash: feed bytes with update(), read the digest once. */
export interface IncrementalHash {
  update(data: Uint8Array): void;
  digest(): Uint8Array;
}

/** A fresh incremental SHA-256. */
export function createSha256(): IncrementalHash {
  const h = createHash('sha256');
  return {
    update(data) {
      h.update(data);
    },
    digest() {
      return new Uint8Array(h.digest());
    },
  };
}

/** SHA-256 of `data`. */
export function sha256(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(data).digest());
}

/** Lower-case hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}
