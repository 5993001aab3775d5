/*
 * The repository config object: format version, repository id, chunker
 * parameters with the per-repository gear key, compression and pack size.
 * Written once at init; every reader checks the version first.
 */
import { randomBytes } from 'node:crypto';
import { ClawbackError } from '../core/errors.js';
import { toHex } from '../core/hash.js';

/** The repository format version this code reads and writes. */
export const REPO_VERSION = 1;

/** Chunker parameters recorded in the repository so every client cuts alike. */
export interface ChunkerConfig {
  algorithm: 'fastcdc-2020';
  minSize: number;
  avgSize: number;
  maxSize: number;
  /** Normalization level (FastCDC NC level). */
  normalization: number;
  /** 32-byte hex key from which the gear table is derived (resists chunk-size fingerprinting). */
  gearKey: string;
}

/** Contents of the `config` object. */
export interface RepoConfig {
  version: typeof REPO_VERSION;
  /** Random 32-byte hex id of this repository. */
  id: string;
  chunker: ChunkerConfig;
  compression: { codec: 'deflate'; level: number };
  /** Target size of a pack file in bytes. */
  packSize: number;
  /** 'none' today; the format reserves room for encryption (pack flags, keys/). */
  encryption: 'none';
}

/** Options for a new repository; omitted ones are the recommended defaults. */
export interface RepoConfigOptions {
  avgChunkSize?: number;
  compressionLevel?: number;
  packSize?: number;
}

/** A new config with fresh random id and gear key. */
export function newRepoConfig(opts: RepoConfigOptions = {}): RepoConfig {
  const avg = opts.avgChunkSize ?? 16 * 1024;
  return {
    version: REPO_VERSION,
    id: toHex(randomBytes(32)),
    chunker: { algorithm: 'fastcdc-2020', minSize: avg / 4, avgSize: avg, maxSize: avg * 4, normalization: 1, gearKey: toHex(randomBytes(32)) },
    compression: { codec: 'deflate', level: opts.compressionLevel ?? 3 },
    packSize: opts.packSize ?? 8 * 1024 * 1024,
    encryption: 'none',
  };
}

/** Canonical bytes of a config. */
export function encodeRepoConfig(c: RepoConfig): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(c, null, 2) + '\n');
}

/**
 * Parses and checks a config object.
 * @throws ClawbackError CORRUPT for a malformed config, UNSUPPORTED for another version or encryption
 */
export function decodeRepoConfig(bytes: Uint8Array): RepoConfig {
  let c: RepoConfig;
  try {
    c = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as RepoConfig;
  } catch {
    throw new ClawbackError('CORRUPT', 'repository config is not valid JSON');
  }
  if (typeof c !== 'object' || c === null) throw new ClawbackError('CORRUPT', 'repository config is not an object');
  if (c.version !== REPO_VERSION) throw new ClawbackError('UNSUPPORTED', `repository format version ${String(c.version)} is not supported (this clawback reads version ${REPO_VERSION})`);
  if (c.encryption !== 'none') throw new ClawbackError('UNSUPPORTED', `repository encryption ${String(c.encryption)} is not supported`);
  const ch = c.chunker;
  const ok =
    typeof c.id === 'string' &&
    ch?.algorithm === 'fastcdc-2020' &&
    Number.isInteger(ch.minSize) &&
    Number.isInteger(ch.avgSize) &&
    Number.isInteger(ch.maxSize) &&
    ch.minSize > 0 &&
    ch.minSize <= ch.avgSize &&
    ch.avgSize <= ch.maxSize &&
    ch.maxSize <= 16 * 1024 * 1024 &&
    typeof ch.gearKey === 'string' &&
    /^[0-9a-f]{64}$/.test(ch.gearKey) &&
    c.compression?.codec === 'deflate' &&
    Number.isInteger(c.compression.level) &&
    c.compression.level >= 0 &&
    c.compression.level <= 9 &&
    Number.isInteger(c.packSize) &&
    c.packSize >= 1024 &&
    c.packSize <= 1 << 30;
  if (!ok) throw new ClawbackError('CORRUPT', 'repository config has missing or out-of-range fields');
  return c;
}
