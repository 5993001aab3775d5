/*
 * Applying a delta: the whole-buffer form and the async form over a
 * random-access basis. Both verify the native trailer (length and XXH64 of
 * the output); a mismatch is an INTEGRITY error, never silently wrong output.
 */
import { assertBytes, assertInt } from '../core/assert.js';
import { RsyncError, throwIfAborted } from '../core/errors.js';
import type { IncrementalHash } from '../core/hash.js';
import { createXxh64 } from '../core/strong-hash.js';
import { PatchDecoder, type DeltaTrailer } from './patch.js';

/** A basis that can be read at any offset (a file handle, a buffer). */
export interface RandomAccessSource {
  /** Total length in bytes. */
  readonly length: number;
  /**
   * Reads exactly `length` bytes at `offset` (throws on a short read). patchStream
   * keeps at most two reads outstanding and uses each result before the next-but-one read.
   */
  read(offset: number, length: number): Promise<Uint8Array>;
  /**
   * Optional: reads exactly `dst.length` bytes at `offset` into the caller's
   * buffer (throws on a short read). Several may run at once. patchFile's
   * pipeline uses it to read copies straight into its output buffers.
   */
  readInto?(dst: Uint8Array, offset: number): Promise<void>;
}

/** Checks the native trailer against the output actually produced. */
export class OutputVerifier {
  private sha: IncrementalHash | undefined;
  private len = 0;
  constructor(native: boolean) {
    this.sha = native ? createXxh64() : undefined;
  }
  update(data: Uint8Array): void {
    this.sha?.update(data);
    this.len += data.length;
  }
  /** @throws RsyncError INTEGRITY when the output differs from what the trailer promises */
  verify(trailer: DeltaTrailer | undefined): void {
    if (!this.sha || !trailer) return;
    const got = this.sha.digest();
    if (this.len !== trailer.length || !got.every((b, i) => b === trailer.checksum[i])) {
      throw new RsyncError('INTEGRITY', 'patched output does not match the checksum in the delta (wrong basis or corrupt delta)');
    }
  }
}

/** Options for the whole-buffer patch. */
export interface ApplyOptions {
  /** Refuse deltas whose output would exceed this many bytes (default 1 GiB). */
  maxOutput?: number;
}

/**
 * Applies a whole delta to a whole basis in memory.
 * @throws RsyncError BAD_MAGIC, TRUNCATED, CORRUPT, LIMIT or INTEGRITY
 * @example const newData = applyDelta(basis, delta);
 */
export function applyDelta(basis: Uint8Array, delta: Uint8Array, opts: ApplyOptions = {}): Uint8Array {
  assertBytes('basis', basis);
  assertBytes('delta', delta);
  const max = opts.maxOutput ?? 1 << 30;
  assertInt('maxOutput', max, 0);
  const dec = new PatchDecoder({ basisLength: basis.length });
  const ops = dec.push(delta);
  dec.finish();
  if (dec.outputLength > max) throw new RsyncError('LIMIT', `delta output of ${dec.outputLength} bytes exceeds maxOutput ${max}`);
  const out = new Uint8Array(dec.outputLength);
  let at = 0;
  for (const op of ops) {
    if (op.op === 'literal') {
      out.set(op.data, at);
      at += op.data.length;
    } else {
      out.set(basis.subarray(op.offset, op.offset + op.length), at);
      at += op.length;
    }
  }
  const v = new OutputVerifier(dec.format === 'native');
  v.update(out);
  v.verify(dec.trailer);
  return out;
}

/** Options for streaming patch. */
export interface PatchStreamOptions {
  signal?: AbortSignal;
  /** Largest single read from the basis (default 1 MiB). */
  readSize?: number;
}

/**
 * Applies a streamed delta against a random-access basis, yielding the output
 * in order. Memory: one basis read plus one delta chunk.
 * @throws RsyncError on bad delta data (after yielding the output before it) or INTEGRITY at the end
 */
export async function* patchStream(basis: RandomAccessSource, delta: AsyncIterable<Uint8Array>, opts: PatchStreamOptions = {}): AsyncGenerator<Uint8Array> {
  const readSize = opts.readSize ?? 1 << 20;
  assertInt('readSize', readSize, 1);
  const dec = new PatchDecoder({ basisLength: basis.length });
  let verifier: OutputVerifier | undefined;
  for await (const chunk of delta) {
    throwIfAborted(opts.signal);
    for (const op of dec.push(chunk)) {
      verifier ??= new OutputVerifier(dec.format === 'native');
      if (op.op === 'literal') {
        verifier.update(op.data);
        yield op.data;
      } else {
        // Read ahead: the next piece is being read while the caller writes this one.
        const readAt = (done: number) => {
          const p = basis.read(op.offset + done, Math.min(readSize, op.length - done));
          p.catch(() => {}); // surfaced when awaited; never an unhandled rejection if the caller stops
          return p;
        };
        let next: Promise<Uint8Array> | undefined = readAt(0);
        for (let done = 0; next; ) {
          const data = await next;
          done += data.length;
          next = done < op.length ? readAt(done) : undefined;
          verifier.update(data);
          yield data;
        }
      }
    }
  }
  dec.finish();
  (verifier ?? new OutputVerifier(dec.format === 'native')).verify(dec.trailer);
}

/** A RandomAccessSource over bytes in memory. */
export function bufferSource(data: Uint8Array): RandomAccessSource {
  return {
    length: data.length,
    read: async (offset, length) => data.subarray(offset, offset + length),
    readInto: async (dst, offset) => {
      if (offset + dst.length > data.length) throw new RsyncError('TRUNCATED', `basis shorter than expected: no data at offset ${data.length}`);
      dst.set(data.subarray(offset, offset + dst.length));
    },
  };
}
