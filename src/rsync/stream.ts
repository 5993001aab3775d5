/*
 * The streaming tier: async generators over async iterables of byte chunks.
 * They compose with node:stream pipeline() (which accepts async generator
 * transforms) and with Readable.from(); the core stays I/O-free.
 */
import { throwIfAborted } from '../core/errors.js';
import { DeltaEncoder, type DeltaOptions, type DeltaStats } from './delta.js';
import { SignatureDecoder, type SignatureReadOptions } from './signature-reader.js';
import type { SignatureIndex } from './signature-index.js';
import type { SignatureOptions } from './signature-params.js';
import { SignatureEncoder, type Signature } from './signature.js';

/** Common options of the streaming calls. */
export interface StreamOptions {
  signal?: AbortSignal;
  /** Called after each input chunk with the input bytes consumed so far. */
  onProgress?: (bytesIn: number) => void;
}

/** Streams the signature of a basis. */
export async function* signatureStream(basis: AsyncIterable<Uint8Array>, opts: SignatureOptions & StreamOptions = {}): AsyncGenerator<Uint8Array> {
  const enc = new SignatureEncoder(opts);
  let n = 0;
  for await (const chunk of basis) {
    throwIfAborted(opts.signal);
    const out = enc.push(chunk);
    n += chunk.length;
    opts.onProgress?.(n);
    if (out.length > 0) yield out;
  }
  const last = enc.finish();
  if (last.length > 0) yield last;
}

/** Reads a streamed signature into memory. */
export async function readSignatureStream(sig: AsyncIterable<Uint8Array>, opts: SignatureReadOptions & StreamOptions = {}): Promise<Signature> {
  const dec = new SignatureDecoder(opts);
  for await (const chunk of sig) {
    throwIfAborted(opts.signal);
    dec.push(chunk);
  }
  return dec.finish();
}

/** Streams the delta of new data against a signature; `stats` (if given) is filled in as it goes. */
export async function* deltaStream(
  sig: Signature | SignatureIndex,
  data: AsyncIterable<Uint8Array>,
  opts: DeltaOptions & StreamOptions & { stats?: (s: DeltaStats) => void } = {},
): AsyncGenerator<Uint8Array> {
  const enc = new DeltaEncoder(sig, opts);
  let n = 0;
  for await (const chunk of data) {
    throwIfAborted(opts.signal);
    const out = enc.push(chunk);
    n += chunk.length;
    opts.onProgress?.(n);
    if (out.length > 0) yield out;
  }
  yield enc.finish();
  opts.stats?.(enc.stats);
}
