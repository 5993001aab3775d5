/*
 * The rsync layer: rolling sums, signatures, delta and patch, byte-compatible
 * with librsync's rdiff, plus clawback's native formats. Three tiers: the
 * push-style core (SignatureEncoder, SignatureDecoder, DeltaEncoder,
 * PatchDecoder), async streams, and whole-buffer and file helpers.
 */
export * from './magic.js';
export * from './rabinkarp.js';
export * from './rabinkarp-wasm.js';
export * from './rollsum.js';
export * from './signature-params.js';
export * from './signature.js';
export * from './signature-parallel.js';
export * from './signature-reader.js';
export * from './signature-index.js';
export * from './delta.js';
export * from './scan-candidates.js';
export * from './scan-wasm.js';
export * from './delta-parallel.js';
export * from './patch.js';
export * from './apply.js';
export * from './buffers.js';
export * from './stream.js';
export * from './files.js';
// The strong sums (BLAKE2b, MD4, XXH64) live in core but load their WebAssembly only when the rsync layer is imported.
export * from '../core/strong-hash.js';
