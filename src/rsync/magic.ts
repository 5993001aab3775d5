/*
 * Magic numbers and the signature kinds they name. librsync's magics come from
 * librsync.h (rs_magic_number); ours ("cls1", "cld1") are specified in
 * docs/format.md. All magics are stored as big-endian u32.
 */

/** librsync delta (RS_DELTA_MAGIC, "rs\x026"). */
export const RS_DELTA_MAGIC = 0x72730236;
/** rollsum + MD4 (RS_MD4_SIG_MAGIC), deprecated in librsync but readable. */
export const RS_MD4_SIG_MAGIC = 0x72730136;
/** rollsum + BLAKE2b-256 (RS_BLAKE2_SIG_MAGIC). */
export const RS_BLAKE2_SIG_MAGIC = 0x72730137;
/** RabinKarp + MD4 (RS_RK_MD4_SIG_MAGIC). */
export const RS_RK_MD4_SIG_MAGIC = 0x72730146;
/** RabinKarp + BLAKE2b-256 (RS_RK_BLAKE2_SIG_MAGIC), rdiff's default. */
export const RS_RK_BLAKE2_SIG_MAGIC = 0x72730147;
/** clawback native signature: RabinKarp + XXH64, with a length-and-checksum trailer. */
export const NATIVE_SIG_MAGIC = 0x636c7331;
/** clawback native delta: librsync commands plus a length and XXH64 trailer. */
export const NATIVE_DELTA_MAGIC = 0x636c6431;

/** Which rolling checksum a signature's weak sums use. */
export type WeakSumKind = 'rabinkarp' | 'rollsum';
/** Which strong hash a signature's strong sums are truncated from. */
export type StrongSumKind = 'blake2' | 'md4' | 'xxh64';
/** librsync's own formats, or clawback's native one. */
export type FormatKind = 'librsync' | 'native';

/** Everything a signature magic implies. */
export interface SignatureKind {
  readonly magic: number;
  readonly format: FormatKind;
  readonly weak: WeakSumKind;
  readonly strong: StrongSumKind;
  /** Full digest length of the strong hash: the largest allowed strong_len. */
  readonly maxStrongLen: number;
}

const KINDS: readonly SignatureKind[] = [
  { magic: RS_MD4_SIG_MAGIC, format: 'librsync', weak: 'rollsum', strong: 'md4', maxStrongLen: 16 },
  { magic: RS_BLAKE2_SIG_MAGIC, format: 'librsync', weak: 'rollsum', strong: 'blake2', maxStrongLen: 32 },
  { magic: RS_RK_MD4_SIG_MAGIC, format: 'librsync', weak: 'rabinkarp', strong: 'md4', maxStrongLen: 16 },
  { magic: RS_RK_BLAKE2_SIG_MAGIC, format: 'librsync', weak: 'rabinkarp', strong: 'blake2', maxStrongLen: 32 },
  { magic: NATIVE_SIG_MAGIC, format: 'native', weak: 'rabinkarp', strong: 'xxh64', maxStrongLen: 8 },
];

/** The kind a signature magic names, or undefined for an unknown magic. */
export function signatureKindOf(magic: number): SignatureKind | undefined {
  return KINDS.find((k) => k.magic === magic);
}

/** The signature magic for a format and pair of sums; throws RangeError for combinations that do not exist. */
export function signatureMagicFor(format: FormatKind, weak: WeakSumKind, strong: StrongSumKind): number {
  const k = KINDS.find((x) => x.format === format && x.weak === weak && x.strong === strong);
  if (!k) throw new RangeError(`"format" ${format} has no signature with ${weak} + ${strong}`);
  return k.magic;
}
