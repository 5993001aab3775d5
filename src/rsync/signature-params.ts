/*
 * The signature parameter advisor: librsync's rs_sig_args rules for block and
 * strong-sum length from the basis size, plus the native format's choices.
 * Omitted options mean "recommended", as in librsync.
 */
import { assertInt, assertOneOf } from '../core/assert.js';
import { signatureKindOf, signatureMagicFor, type FormatKind, type StrongSumKind, type WeakSumKind } from './magic.js';

/** librsync's RS_DEFAULT_BLOCK_LEN, used when the basis size is unknown. */
export const DEFAULT_BLOCK_LEN = 2048;
/** librsync's RS_DEFAULT_MIN_STRONG_LEN, used when the basis size is unknown. */
export const DEFAULT_MIN_STRONG_LEN = 12;
/** The largest block length we read or write (bounds the delta window). */
export const MAX_BLOCK_LEN = 1 << 26;

/** Options for a signature; everything omitted is recommended from the basis size. */
export interface SignatureOptions {
  /** 'librsync' (default) or 'native'. */
  format?: FormatKind;
  /** Rolling checksum for librsync signatures: 'rabinkarp' (default) or 'rollsum'. */
  weak?: WeakSumKind;
  /** Strong hash for librsync signatures: 'blake2' (default) or 'md4'. Native is always 'xxh64'. */
  strong?: StrongSumKind;
  /** Bytes per block; 0 or omitted = recommended. */
  blockLen?: number;
  /** Bytes of strong sum kept per block; 0 or omitted = the full hash, -1 = the minimum safe length. */
  strongLen?: number;
  /** Size of the basis when known in advance, for the recommendations. */
  basisLength?: number;
}

/** Resolved signature parameters. */
export interface SignatureParams {
  magic: number;
  format: FormatKind;
  weak: WeakSumKind;
  strong: StrongSumKind;
  blockLen: number;
  strongLen: number;
}

function log2floor(n: number): number {
  let r = 0;
  while (n >= 2) {
    n = Math.floor(n / 2);
    r++;
  }
  return r;
}

/** librsync rs_long_sqrt: the integer square root. */
function isqrt(n: number): number {
  let r = Math.floor(Math.sqrt(n));
  while (r * r > n) r--;
  while ((r + 1) * (r + 1) <= n) r++;
  return r;
}

/** Recommended block length for a basis of `size` bytes (librsync rs_sig_args). */
export function recommendBlockLen(size?: number): number {
  if (size === undefined) return DEFAULT_BLOCK_LEN;
  if (size <= 256 * 256) return 256;
  return isqrt(size) & ~127;
}

/** Minimum safe strong-sum length for `size` bytes at `blockLen` (librsync rs_sig_args). */
export function minStrongLen(size: number | undefined, blockLen: number): number {
  if (size === undefined) return DEFAULT_MIN_STRONG_LEN;
  return 2 + Math.floor((log2floor(size + 2 ** 24) + log2floor(Math.floor(size / blockLen) + 1) + 7) / 8);
}

/**
 * Resolves signature options to concrete parameters.
 * @throws RangeError for an impossible combination or out-of-range length
 * @example resolveSignatureParams({ basisLength: 1_000_000 }) // blockLen 896, strongLen 32, RabinKarp + BLAKE2b
 */
export function resolveSignatureParams(opts: SignatureOptions = {}): SignatureParams {
  const format = opts.format ?? 'librsync';
  assertOneOf('format', format, ['librsync', 'native'] as const);
  const weak = opts.weak ?? 'rabinkarp';
  assertOneOf('weak', weak, ['rabinkarp', 'rollsum'] as const);
  const strong = opts.strong ?? (format === 'native' ? 'xxh64' : 'blake2');
  assertOneOf('strong', strong, ['blake2', 'md4', 'xxh64'] as const);
  const size = opts.basisLength;
  if (size !== undefined) assertInt('basisLength', size, 0);
  const magic = signatureMagicFor(format, weak, strong);
  const kind = signatureKindOf(magic)!;
  let blockLen = opts.blockLen ?? 0;
  assertInt('blockLen', blockLen, 0, MAX_BLOCK_LEN);
  if (blockLen === 0) {
    blockLen = format === 'native' ? recommendNativeBlockLen(size) : recommendBlockLen(size);
  }
  let strongLen = opts.strongLen ?? 0;
  assertInt('strongLen', strongLen, -1, kind.maxStrongLen);
  if (strongLen === 0) strongLen = kind.maxStrongLen;
  else if (strongLen === -1) strongLen = Math.min(kind.maxStrongLen, minStrongLen(size, blockLen));
  return { magic, format, weak, strong, blockLen, strongLen };
}

/**
 * Native block length: 512 bytes up to 256 KiB, above that the largest power
 * of two not above the square root of the size, from 1 KiB to 1 MiB.
 */
export function recommendNativeBlockLen(size?: number): number {
  if (size === undefined) return DEFAULT_BLOCK_LEN;
  if (size <= 256 * 1024) return 512;
  const root = isqrt(size);
  let b = 1024;
  while (b * 2 <= root && b < 1 << 20) b *= 2;
  return b;
}
