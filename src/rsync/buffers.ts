/*
 * The whole-buffer tier: signature, delta and patch of data held in memory,
 * each a thin loop over the push-style core.
 */
import { assertBytes } from '../core/assert.js';
import { applyDelta, type ApplyOptions } from './apply.js';
import { DeltaEncoder, type DeltaOptions } from './delta.js';
import { readSignature } from './signature-reader.js';
import { SignatureIndex } from './signature-index.js';
import type { SignatureOptions } from './signature-params.js';
import { SignatureEncoder, type Signature } from './signature.js';

/** Concatenates byte arrays. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * The signature of `basis` (rdiff signature). Block and strong lengths are recommended from its size unless given.
 * @throws RangeError/TypeError for bad options
 * @example const sig = signature(basis); // RabinKarp + BLAKE2b, like `rdiff signature`
 */
export function signature(basis: Uint8Array, opts: SignatureOptions = {}): Uint8Array {
  assertBytes('basis', basis);
  const enc = new SignatureEncoder({ basisLength: basis.length, ...opts });
  return concatBytes([enc.push(basis), enc.finish()]);
}

/**
 * The delta turning the signed basis into `data` (rdiff delta).
 * @throws RsyncError when the signature bytes are bad
 * @example const d = delta(signature(oldData), newData);
 */
export function delta(sig: Uint8Array | Signature | SignatureIndex, data: Uint8Array, opts: DeltaOptions = {}): Uint8Array {
  assertBytes('data', data);
  const s = sig instanceof Uint8Array ? readSignature(sig) : sig;
  const enc = new DeltaEncoder(s, opts);
  return concatBytes([enc.push(data), enc.finish()]);
}

/**
 * Applies `deltaBytes` to `basis` (rdiff patch).
 * @throws RsyncError BAD_MAGIC, TRUNCATED, CORRUPT, LIMIT or INTEGRITY
 * @example const again = patch(oldData, delta(signature(oldData), newData));
 */
export function patch(basis: Uint8Array, deltaBytes: Uint8Array, opts: ApplyOptions = {}): Uint8Array {
  return applyDelta(basis, deltaBytes, opts);
}
