/*
 * The compression adapter: the only module that imports a compressor.
 * Raw DEFLATE through node:zlib, in worker threads (compress-pool.ts) so the
 * main thread keeps reading, chunking and hashing; fflate is the portable fallback.
 * Incompressible data is detected cheaply from a sample and stored raw.
 */
import { deflateRawSync, inflateRaw as zInflateRaw, inflateRawSync } from 'node:zlib';
import { promisify } from 'node:util';
import { createRequire } from 'node:module';
import { ClawbackError } from './errors.js';
import { compressionPool, deflateOptions, deflatePays } from './compress-pool.js';

export { assistCompression } from './compress-pool.js';

const inflateRawAsync = promisify(zInflateRaw);

/** fflate, loaded on first use: on Node it only runs with CLAWBACK_COMPRESS=js. */
let fflateLib: typeof import('fflate') | undefined;
const fflate = (): typeof import('fflate') => (fflateLib ??= createRequire(import.meta.url)('fflate') as typeof import('fflate'));


/** Blobs up to this size are inflated synchronously (measured: the async call costs more than the work). */
const SYNC_INFLATE_MAX = 256 * 1024;

/** Codec ids as stored in pack headers (docs/format.md). */
export const CODEC_NONE = 0;
export const CODEC_DEFLATE = 1;
export type Codec = typeof CODEC_NONE | typeof CODEC_DEFLATE;

/** Stored form of one blob. */
export interface Compressed {
  codec: Codec;
  data: Uint8Array;
}

const useZlib = typeof deflateRawSync === 'function' && process.env['CLAWBACK_COMPRESS'] !== 'js';

/** c·log2(c) for every count a sample can reach: the entropy sum without a logarithm per symbol. */
const MAX_SAMPLE = 4096;
const C_LOG_C = new Float64Array(MAX_SAMPLE + 1).map((_, c) => (c > 0 ? c * Math.log2(c) : 0));
/** Reused between calls (the main thread calls this for every chunk it saves). */
const COUNTS = new Uint32Array(256);

/**
 * Shannon entropy in bits per byte of up to `sample` bytes (at most 4096) taken
 * from three places; random and already-compressed data score close to 8.
 * H = log2(n) - (1/n)·Σ c·log2(c), with c·log2(c) from a table.
 */
export function sampleEntropy(data: Uint8Array, sample = MAX_SAMPLE): number {
  const counts = COUNTS;
  counts.fill(0);
  const s = Math.min(sample, MAX_SAMPLE);
  let n: number;
  if (data.length <= s) {
    for (let i = 0; i < data.length; i++) counts[data[i]!]!++;
    n = data.length;
  } else {
    const third = Math.floor(s / 3);
    const mid = Math.floor(data.length / 2);
    const tail = data.length - third;
    for (let i = 0; i < third; i++) {
      counts[data[i]!]!++;
      counts[data[mid + i]!]!++;
      counts[data[tail + i]!]!++;
    }
    n = 3 * third;
  }
  if (n === 0) return 0;
  let sum = 0;
  for (let i = 0; i < 256; i++) sum += C_LOG_C[counts[i]!]!;
  return Math.log2(n) - sum / n;
}

/** True when compressing `data` is not worth trying. */
export function looksIncompressible(data: Uint8Array): boolean {
  if (data.length < 64) return true;
  // A 4 KiB sample of uniform random bytes scores about 7.95; text and SQLite pages far lower.
  return sampleEntropy(data) > 7.5;
}

function choose(data: Uint8Array, out: Uint8Array): Compressed {
  return deflatePays(data.length, out.length) ? { codec: CODEC_DEFLATE, data: out } : { codec: CODEC_NONE, data };
}

/**
 * Compresses one blob in a worker thread, or returns it raw when that does not pay.
 * With `give`, the caller hands `data` over: it may be detached (moved to the worker
 * without a copy) and must not be used again; the result may hold it.
 * @param level 1 (fastest) to 9 (smallest); 0 stores everything raw
 */
export async function compress(data: Uint8Array, level = 3, give = false): Promise<Compressed> {
  if (level === 0 || looksIncompressible(data)) return { codec: CODEC_NONE, data };
  if (useZlib) {
    const pool = compressionPool();
    if (pool) {
      const out = await pool.deflate(data, level, give);
      return out.raw ? { codec: CODEC_NONE, data: out.data } : { codec: CODEC_DEFLATE, data: out.data };
    }
  }
  return compressSync(data, level);
}

/** Synchronous compress(). */
export function compressSync(data: Uint8Array, level = 3): Compressed {
  if (level === 0 || looksIncompressible(data)) return { codec: CODEC_NONE, data };
  const out = useZlib ? new Uint8Array(deflateRawSync(data, deflateOptions(level, data.length))) : fflate().deflateSync(data, { level: level as 1 });
  return choose(data, out);
}

function checkLen(out: Uint8Array, rawLength: number): Uint8Array {
  if (out.length !== rawLength) throw new ClawbackError('CORRUPT', `blob decompressed to ${out.length} bytes, expected ${rawLength}`);
  return out;
}

/**
 * Restores a blob. `rawLength` bounds the output, so a hostile stream cannot inflate without limit.
 * @throws ClawbackError CORRUPT when the data does not decode to exactly rawLength bytes; UNSUPPORTED for an unknown codec
 */
export async function decompress(codec: number, data: Uint8Array, rawLength: number): Promise<Uint8Array> {
  if (codec === CODEC_NONE) return checkLen(data, rawLength);
  // Chunk-sized blobs inflate faster inline than through a thread-pool round trip.
  if (rawLength <= SYNC_INFLATE_MAX) return decompressSync(codec, data, rawLength);
  if (codec !== CODEC_DEFLATE) throw new ClawbackError('UNSUPPORTED', `unknown compression codec ${codec}`);
  try {
    if (useZlib) return checkLen(new Uint8Array(await inflateRawAsync(data, { maxOutputLength: Math.max(1, rawLength) })), rawLength);
    return checkLen(fflate().inflateSync(data, { out: new Uint8Array(rawLength) }), rawLength);
  } catch (e) {
    if (e instanceof ClawbackError) throw e;
    throw new ClawbackError('CORRUPT', `compressed blob does not decode: ${(e as Error).message}`);
  }
}

/** Synchronous decompress(). */
export function decompressSync(codec: number, data: Uint8Array, rawLength: number): Uint8Array {
  if (codec === CODEC_NONE) return checkLen(data, rawLength);
  if (codec !== CODEC_DEFLATE) throw new ClawbackError('UNSUPPORTED', `unknown compression codec ${codec}`);
  try {
    if (useZlib) return checkLen(new Uint8Array(inflateRawSync(data, { maxOutputLength: Math.max(1, rawLength) })), rawLength);
    return checkLen(fflate().inflateSync(data, { out: new Uint8Array(rawLength) }), rawLength);
  } catch (e) {
    if (e instanceof ClawbackError) throw e;
    throw new ClawbackError('CORRUPT', `compressed blob does not decode: ${(e as Error).message}`);
  }
}
