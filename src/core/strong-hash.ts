/*
 * The strong-hash adapter: the only module that imports the WASM and pure-JS
 * hash libraries. Strong sums for signatures (BLAKE2b-256 and MD4 for librsync
 * compatibility, XXH64 for the native format), each with a fast path
 * (hash-wasm, xxhash-wasm) loaded once at import with top-level await so every
 * call stays synchronous, and a pure-JS fallback (@noble/hashes, hash-md4.ts,
 * hash-xxh64.ts) used when the fast path is missing or fails to load, or
 * everywhere when CLAWBACK_HASH=js. Only the rsync layer imports it, so a
 * backup or restore never pays for loading them (SHA-256 is in hash.ts).
 */
import { blake2b as nobleBlake2b } from '@noble/hashes/blake2.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { createRequire } from 'node:module';
import { createSha256 as sha256Stream, sha256 as sha256Best, sha256Backend, type BackendName, type IncrementalHash } from './hash.js';
import { md4Js } from './hash-md4.js';
import { Xxh64, xxh64Js } from './hash-xxh64.js';

/** Output length in bytes of each strong hash. */
export const BLAKE2B_LEN = 32;
export const MD4_LEN = 16;
export const XXH64_LEN = 8;

/** The hashes the adapter offers. */
export type HashName = 'blake2b' | 'md4' | 'xxh64' | 'sha256';

/** One implementation of every hash, plus which backend each member uses. */
export interface HashSet {
  readonly backend: Readonly<Record<HashName, BackendName>>;
  /** BLAKE2b, 32-byte digest, unkeyed. */
  blake2b256(data: Uint8Array): Uint8Array;
  /** MD4, 16-byte digest. */
  md4(data: Uint8Array): Uint8Array;
  /** XXH64 with a seed (mod 2^64), as a bigint. */
  xxh64Raw(data: Uint8Array, seed: bigint): bigint;
  /** Incremental XXH64 with an 8-byte big-endian digest. */
  createXxh64(seed: bigint): IncrementalHash;
  /** SHA-256, 32-byte digest. */
  sha256(data: Uint8Array): Uint8Array;
  /** Incremental SHA-256. */
  createSha256(): IncrementalHash;
}

/** The pure-JS implementations: run wherever JavaScript runs. */
export const jsHashes: HashSet = Object.freeze({
  backend: Object.freeze({ blake2b: 'js', md4: 'js', xxh64: 'js', sha256: 'js' } as const),
  blake2b256: (data: Uint8Array): Uint8Array => nobleBlake2b(data, { dkLen: BLAKE2B_LEN }),
  md4: md4Js,
  xxh64Raw: xxh64Js,
  createXxh64: (seed: bigint): IncrementalHash => new Xxh64(seed),
  sha256: (data: Uint8Array): Uint8Array => nobleSha256(data),
  createSha256: (): IncrementalHash => nobleSha256.create(),
});

function bigIntToBytes(h: bigint): Uint8Array {
  const out = new Uint8Array(XXH64_LEN);
  new DataView(out.buffer).setBigUint64(0, h);
  return out;
}

/** The BLAKE2b and MD4 of hash-wasm, or undefined when WebAssembly is missing or fails. */
async function loadHashWasm(): Promise<Pick<HashSet, 'blake2b256' | 'md4'> | undefined> {
  try {
    // The per-algorithm builds: the package's main bundle carries every algorithm (~3x the load time).
    const require = createRequire(import.meta.url);
    const { createBLAKE2b } = require('hash-wasm/dist/blake2b.umd.min.js') as typeof import('hash-wasm');
    const { createMD4 } = require('hash-wasm/dist/md4.umd.min.js') as typeof import('hash-wasm');
    const [blake2, md4] = await Promise.all([createBLAKE2b(BLAKE2B_LEN * 8), createMD4()]);
    return {
      blake2b256(data) {
        blake2.init();
        blake2.update(data);
        return blake2.digest('binary');
      },
      md4(data) {
        md4.init();
        md4.update(data);
        return md4.digest('binary');
      },
    };
  } catch {
    return undefined;
  }
}

/** XXH64 of xxhash-wasm, or undefined when WebAssembly is missing or fails. */
async function loadXxhashWasm(): Promise<Pick<HashSet, 'xxh64Raw' | 'createXxh64'> | undefined> {
  try {
    const { default: init } = await import('xxhash-wasm');
    const xxh = await init();
    return {
      xxh64Raw: (data, seed) => xxh.h64Raw(data, BigInt.asUintN(64, seed)),
      createXxh64(seed) {
        const h = xxh.create64(BigInt.asUintN(64, seed));
        return {
          update(data) {
            h.update(data);
          },
          digest: () => bigIntToBytes(h.digest()),
        };
      },
    };
  } catch {
    return undefined;
  }
}

const hasWasm = typeof (globalThis as { WebAssembly?: unknown }).WebAssembly === 'object';
const [hw, xw] = await Promise.all([hasWasm ? loadHashWasm() : undefined, hasWasm ? loadXxhashWasm() : undefined]);

/** The fastest implementation of each hash that loaded here (WASM, node:crypto), JS for the rest. */
export const bestHashes: HashSet = Object.freeze({
  backend: Object.freeze({
    blake2b: hw ? 'wasm' : 'js',
    md4: hw ? 'wasm' : 'js',
    xxh64: xw ? 'wasm' : 'js',
    sha256: sha256Backend,
  } as const),
  blake2b256: hw?.blake2b256 ?? jsHashes.blake2b256,
  md4: hw?.md4 ?? jsHashes.md4,
  xxh64Raw: xw?.xxh64Raw ?? jsHashes.xxh64Raw,
  createXxh64: xw?.createXxh64 ?? jsHashes.createXxh64,
  sha256: sha256Best,
  createSha256: sha256Stream,
});

const env = typeof process === 'object' ? process.env?.['CLAWBACK_HASH'] : undefined;
const active: HashSet = env === 'js' ? jsHashes : bestHashes;

/**
 * Which backend each exported hash function uses in this process: the best
 * that loaded, or 'js' for all when the environment had CLAWBACK_HASH=js at
 * import (read once; any other value means automatic).
 * @example if (hashBackend.blake2b === 'js') console.warn('no WebAssembly: BLAKE2b runs in JS');
 */
export const hashBackend: Readonly<Record<HashName, BackendName>> = active.backend;

/**
 * BLAKE2b with a 32-byte digest, unkeyed (librsync's RS_BLAKE2_SUM_LENGTH).
 * @example toHex(blake2b256(new TextEncoder().encode('abc'))) // 'bddd813c...'
 */
export function blake2b256(data: Uint8Array): Uint8Array {
  return active.blake2b256(data);
}

/**
 * MD4 (RFC 1320), as librsync's deprecated signature magics use.
 * @example toHex(md4(new TextEncoder().encode('abc'))) // 'a448017aaf21d8525fc10ae87aa6729d'
 */
export function md4(data: Uint8Array): Uint8Array {
  return active.md4(data);
}

/**
 * XXH64 of `data` with `seed`, as 8 big-endian bytes.
 * @example toHex(xxh64(new Uint8Array(0))) // 'ef46db3751d8e999'
 */
export function xxh64(data: Uint8Array, seed = 0n): Uint8Array {
  return bigIntToBytes(active.xxh64Raw(data, seed));
}

/**
 * XXH64 of `data` as a bigint (no allocation of a digest array).
 * @example xxh64Raw(new Uint8Array(0)) // 0xef46db3751d8e999n
 */
export function xxh64Raw(data: Uint8Array, seed = 0n): bigint {
  return active.xxh64Raw(data, seed);
}

/**
 * A fresh incremental XXH64 (seed 0 unless given) with an 8-byte big-endian digest.
 * @example const h = createXxh64(); h.update(a); h.update(b); h.digest();
 */
export function createXxh64(seed = 0n): IncrementalHash {
  return active.createXxh64(seed);
}
