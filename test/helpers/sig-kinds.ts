/*
 * Every kind of signature the engine writes: the four librsync magics and the
 * native format, with a short name for test titles.
 */
import type { SignatureOptions } from '../../src/rsync/index.js';

/** rollsum/RabinKarp × BLAKE2b/MD4, then native. */
export const SIG_KINDS: readonly SignatureOptions[] = [
  { weak: 'rabinkarp', strong: 'blake2' },
  { weak: 'rabinkarp', strong: 'md4' },
  { weak: 'rollsum', strong: 'blake2' },
  { weak: 'rollsum', strong: 'md4' },
  { format: 'native' },
];

/** `rabinkarp/blake2`, ..., `native`. */
export const kindName = (k: SignatureOptions): string => k.format ?? `${k.weak}/${k.strong}`;
