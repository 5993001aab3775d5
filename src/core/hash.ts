/*
 * The SHA-256 adapter: content addresses of blobs, packs, index files and
 * snapshots. node:crypto's native SHA-256 (about 1.4 GB/s here), loaded at
 * import; @noble/hashes' pure-JS one (about 85 MB/s) only where node:crypto
 * is missing or CLAWBACK_HASH=js. Also hex encoding. The strong sums of the
 * rsync engine (BLAKE2b, MD4, XXH64) are in strong-hash.ts, so a backup or a
 * restore does not load their WebAssembly.
 */

/** Output length in bytes of SHA-256. */
export const SHA256_LEN = 32;

/** An incremental hash: feed bytes with update(), read the digest once. */
export interface IncrementalHash {
  update(data: Uint8Array): void;
  digest(): Uint8Array;
}

/** Where an implementation comes from: WebAssembly, node:crypto, or pure JS. */
export type BackendName = 'wasm' | 'native' | 'js';

interface Sha256Impl {
  sha256(data: Uint8Array): Uint8Array;
  createSha256(): IncrementalHash;
}

/** SHA-256 of node:crypto, or undefined outside Node. */
async function loadNodeCrypto(): Promise<Sha256Impl | undefined> {
  try {
    const { createHash } = await import('node:crypto');
    createHash('sha256'); // throws if the build lacks it
    return {
      sha256: (data) => new Uint8Array(createHash('sha256').update(data).digest()),
      createSha256() {
        const h = createHash('sha256');
        return {
          update(data) {
            h.update(data);
          },
          digest: () => new Uint8Array(h.digest()),
        };
      },
    };
  } catch {
    return undefined;
  }
}

/** SHA-256 of @noble/hashes: runs wherever JavaScript runs. */
async function loadNoble(): Promise<Sha256Impl> {
  const { sha256: noble } = await import('@noble/hashes/sha2.js');
  return { sha256: (data) => noble(data), createSha256: () => noble.create() };
}

const wantJs = typeof process === 'object' && process.env?.['CLAWBACK_HASH'] === 'js';
const native = wantJs ? undefined : await loadNodeCrypto();
const active: Sha256Impl = native ?? (await loadNoble());

/** Which SHA-256 this process uses: 'native' (node:crypto), or 'js' without it or with CLAWBACK_HASH=js at import. */
export const sha256Backend: BackendName = native ? 'native' : 'js';

/**
 * SHA-256 of `data`.
 * @example toHex(sha256(new Uint8Array(0))) // 'e3b0c442...'
 */
export function sha256(data: Uint8Array): Uint8Array {
  return active.sha256(data);
}

/**
 * A fresh incremental SHA-256.
 * @example const h = createSha256(); h.update(chunk); const digest = h.digest();
 */
export function createSha256(): IncrementalHash {
  return active.createSha256();
}

const HAS_BUFFER = typeof Buffer === 'function';
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * Lower-case hex of `bytes`.
 * @example toHex(Uint8Array.of(1, 255)) // '01ff'
 */
export function toHex(bytes: Uint8Array): string {
  // Node's Buffer encodes natively into a flat string: several times faster than
  // concatenating (a rope that is flattened again when used as a Map key).
  if (HAS_BUFFER) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i]!];
  return s;
}
