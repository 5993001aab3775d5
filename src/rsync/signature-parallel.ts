/*
 * The signature of a large file on every core. This thread reads the file in
 * spans of whole blocks into SharedArrayBuffers; a worker thread with room
 * takes a whole span (weak and strong sums), else this thread hashes it, so the
 * threads balance themselves whatever the magic. Records come out in file
 * order, byte-identical to SignatureEncoder's. A worker that could not load a
 * strong hash computes only the weak sums, this thread the strong ones. The
 * workers are in signature-workers.ts.
 */
import type { FileHandle } from 'node:fs/promises';
import { assertInt, assertSignal } from '../core/assert.js';
import { AbortError, RsyncError, throwIfAborted } from '../core/errors.js';
import { createXxh64 } from '../core/strong-hash.js';
import type { WeakSumKind } from './magic.js';
import { writeU32, writeUint } from './netint.js';
import { resolveSignatureParams, type SignatureParams } from './signature-params.js';
import { NATIVE_SIG_TRAILER_LEN, SIG_HEADER_LEN, weakSum } from './signature.js';
import { acquireWorkers, defaultSignatureWorkers, signatureWorkersRunning, type SpanWorker } from './signature-workers.js';
import { StrongSummer } from './strong-sum.js';

export { closeSignatureWorkers, defaultSignatureWorkers, signatureWorkersRunning } from './signature-workers.js';

/**
 * Files from this size on take the parallel path when no worker is running yet: starting one
 * costs 50-100 ms of its core before it takes a span. Measured on 2 cores, a whole process
 * (node + library + signature): break-even at 128 MiB, 10-20% faster at 256 MiB.
 */
export const PARALLEL_SIGNATURE_MIN_BYTES = 128 << 20;
/** With a worker already running, files from this size on take the parallel path (~2x from 8 MiB, measured). */
export const PARALLEL_SIGNATURE_WARM_MIN_BYTES = 8 << 20;
/** Blocks longer than this stay on the one-thread path (each buffer in flight holds at least one block). */
export const PARALLEL_SIGNATURE_MAX_BLOCK_LEN = 4 << 20;
/** Bytes per span, rounded down to whole blocks (at least one block); 1, 2 and 4 MiB measured alike, 1 MiB holds least. */
const SPAN_BYTES = 1 << 20;
/** Spans read ahead of the one being hashed. */
const READ_AHEAD = 2;
/** Spans a worker holds at most (queued or in hand); beyond it this thread hashes the span itself. */
const WORKER_DEPTH = 2;
/** Spans read but not yet emitted, at most: bounds the records held while an earlier span waits for a worker. */
const MAX_AHEAD = 16;
/** Cap on the span buffers of one call, in bytes (never fewer than two buffers). */
const POOL_BYTES = 24 << 20;

/**
 * Whether a file of `size` bytes is worth signing with signatureFileParallel: a worker to share
 * the work with, blocks of at most PARALLEL_SIGNATURE_MAX_BLOCK_LEN, and at least
 * PARALLEL_SIGNATURE_MIN_BYTES, or PARALLEL_SIGNATURE_WARM_MIN_BYTES once a worker is running.
 * signatureFile's choice.
 * @example if (useParallelSignature(size, params)) gen = signatureFileParallel(h, size, params);
 */
export function useParallelSignature(size: number, params: Pick<SignatureParams, 'blockLen'>): boolean {
  if (params.blockLen > PARALLEL_SIGNATURE_MAX_BLOCK_LEN || defaultSignatureWorkers() === 0) return false;
  return size >= (signatureWorkersRunning() ? PARALLEL_SIGNATURE_WARM_MIN_BYTES : PARALLEL_SIGNATURE_MIN_BYTES);
}

/** Options of signatureFileParallel. */
export interface ParallelSignatureOptions {
  signal?: AbortSignal;
  /** Called after each span is emitted with the input bytes done so far. */
  onProgress?: (bytesDone: number) => void;
  /** Worker threads to use: 0 = this thread only; default one per spare core, at most 3. */
  workers?: number;
  /** Bytes per unit of work, rounded down to whole blocks (at least one); default 1 MiB. */
  spanBytes?: number;
}

/** What a parallel signature did: the generator's return value. */
export interface ParallelSignatureStats {
  /** Spans the file was cut into. */
  spans: number;
  /** Spans a worker hashed (their weak sums, at least). */
  workerSpans: number;
  /** Of those, spans whose strong sums the worker computed too. */
  workerStrongSpans: number;
  /** Workers the call used. */
  workers: number;
}

/** Rejects with AbortError when `signal` fires before `p` settles. */
function abortable<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return p;
  throwIfAborted(signal);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new AbortError(signal.reason));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Writes the weak sum of each block of `buf[0, len)` to the records in `out`, `stride` bytes apart. */
function weakRecords(kind: WeakSumKind, buf: Uint8Array, len: number, bl: number, out: Uint8Array, stride: number): void {
  for (let at = 0, s = 0; s < len; at += stride, s += bl) writeU32(out, at, weakSum(kind, buf, s, Math.min(len, s + bl)));
}

/** Writes the first `strongLen` bytes of each block's strong sum after its weak sum in `out`. */
function strongRecords(summer: StrongSummer, strongLen: number, buf: Uint8Array, len: number, bl: number, out: Uint8Array, stride: number): void {
  for (let at = 4, s = 0; s < len; at += stride, s += bl) out.set(summer.sum(buf, s, Math.min(len, s + bl)).subarray(0, strongLen), at);
}

/** One span between reading and emitting. */
interface Span {
  /** Its records (until a worker that hashes the whole span answers). */
  out: Uint8Array;
  length: number;
  /** Pending while a worker hashes it. */
  worker: Promise<void> | undefined;
  done: boolean;
}

/**
 * Streams the signature of the first `size` bytes of an open file (header, one record per block,
 * the native trailer), computed on this thread and up to `workers` worker threads; the bytes are
 * those SignatureEncoder writes for the same data and parameters. Memory does not grow with the
 * file: 3 + 2 per worker span buffers (5 MiB with one worker; at most 24 MiB, or two spans when
 * blocks are longer), plus the records of at most 16 spans. Returns statistics when done.
 * @throws RsyncError TRUNCATED when the file is shorter than `size`, IO when a worker fails;
 *   AbortError (ABORTED) when `signal` fires; RangeError/TypeError for bad arguments; read errors
 * @example
 * const params = resolveSignatureParams({ basisLength: size, format: 'native' });
 * await writeChunksAtomic('big.sig', signatureFileParallel(handle, size, params));
 */
export async function* signatureFileParallel(
  h: FileHandle,
  size: number,
  params: SignatureParams,
  opts: ParallelSignatureOptions = {},
): AsyncGenerator<Uint8Array, ParallelSignatureStats> {
  assertInt('size', size, 0);
  const { signal, onProgress } = opts;
  assertSignal('signal', signal);
  const p = resolveSignatureParams(params); // checks the fields; the same params come back
  if (p.magic !== params.magic) throw new RangeError(`"magic" expected ${p.magic} for these sums, got ${params.magic}`);
  const workerCount = opts.workers ?? defaultSignatureWorkers();
  assertInt('workers', workerCount, 0, 64);
  const spanBytes = opts.spanBytes ?? SPAN_BYTES;
  assertInt('spanBytes', spanBytes, 1, 1 << 30);
  throwIfAborted(signal);

  const { blockLen: bl, strongLen, weak } = p;
  const stride = 4 + strongLen;
  const spanLen = Math.max(1, Math.floor(spanBytes / bl)) * bl;
  const spanCount = Math.ceil(size / spanLen);
  const check = p.format === 'native' ? createXxh64() : undefined;
  const summer = new StrongSummer(p.strong);
  const workers = spanCount > 0 ? acquireWorkers(workerCount) : [];
  for (const w of workers) w.want(p.strong);
  const stats: ParallelSignatureStats = { spans: spanCount, workerSpans: 0, workerStrongSpans: 0, workers: workers.length };

  const head = new Uint8Array(SIG_HEADER_LEN);
  writeU32(head, 0, p.magic);
  writeU32(head, 4, bl);
  writeU32(head, 8, strongLen);
  check?.update(head);
  yield head;

  const poolMax = Math.max(2, Math.min(READ_AHEAD + 1 + WORKER_DEPTH * workers.length, Math.floor(POOL_BYTES / spanLen)));
  const free: Uint8Array[] = [];
  let allocated = 0;
  const reads = new Map<number, Promise<Uint8Array>>();
  const ready: Span[] = [];
  let nextRead = 0;
  let nextHash = 0;
  let bytesDone = 0;

  const spanLength = (k: number) => Math.min(spanLen, size - k * spanLen);
  const readSpan = async (k: number, buf: Uint8Array): Promise<Uint8Array> => {
    const n = spanLength(k);
    const pos = k * spanLen;
    for (let got = 0; got < n; ) {
      const { bytesRead } = await h.read(buf, got, n - got, pos + got);
      if (bytesRead === 0) throw new RsyncError('TRUNCATED', `basis shorter than its size ${size}: no data at offset ${pos + got}`);
      got += bytesRead;
    }
    return buf;
  };
  const throwIfWorkerFailed = () => {
    for (const w of workers) if (w.failure) throw w.failure;
  };

  try {
    for (let emitted = 0; emitted < spanCount; ) {
      throwIfAborted(signal);
      throwIfWorkerFailed();
      while (nextRead < spanCount && nextRead - nextHash < READ_AHEAD && nextRead - emitted < MAX_AHEAD && (free.length > 0 || allocated < poolMax)) {
        let buf = free.pop();
        if (!buf) {
          buf = new Uint8Array(new SharedArrayBuffer(spanLen));
          allocated++;
        }
        const r = readSpan(nextRead, buf);
        r.catch(() => {}); // awaited in turn below, or dropped with the call
        reads.set(nextRead++, r);
      }
      if (nextHash < nextRead) {
        const buf = await abortable(reads.get(nextHash)!, signal);
        reads.delete(nextHash);
        // Worker answers arrive as messages: let the event loop deliver them before choosing.
        if (workers.length > 0) await new Promise((r) => setImmediate(r));
        throwIfAborted(signal);
        throwIfWorkerFailed();
        const len = spanLength(nextHash);
        const recordsLen = Math.ceil(len / bl) * stride;
        const span: Span = { out: new Uint8Array(0), length: len, worker: undefined, done: false };
        let worker: SpanWorker | undefined;
        for (const w of workers) if (w.online && w.load < WORKER_DEPTH && (!worker || w.load < worker.load)) worker = w;
        if (worker) {
          const whole = worker.strong.has(p.strong);
          stats.workerSpans++;
          if (whole) stats.workerStrongSpans++;
          else span.out = new Uint8Array(recordsLen);
          span.worker = worker.hashSpan(buf, len, p, whole).then((records) => {
            if (whole) span.out = records;
            else for (let at = 0; at < recordsLen; at += stride) span.out.set(records.subarray(at, at + 4), at);
            span.done = true;
            free.push(buf);
          });
          span.worker.catch(() => {}); // a failure is thrown by throwIfWorkerFailed or the await below
          if (!whole) strongRecords(summer, strongLen, buf, len, bl, span.out, stride);
        } else {
          span.out = new Uint8Array(recordsLen);
          weakRecords(weak, buf, len, bl, span.out, stride);
          strongRecords(summer, strongLen, buf, len, bl, span.out, stride);
          span.done = true;
          free.push(buf);
        }
        ready.push(span);
        nextHash++;
      } else {
        // Every buffer waits for a worker, MAX_AHEAD spans wait for the oldest, or only worker spans are left.
        await abortable(ready[0]!.worker!, signal);
      }
      while (ready.length > 0 && ready[0]!.done) {
        throwIfAborted(signal);
        const s = ready.shift()!;
        check?.update(s.out);
        emitted++;
        bytesDone += s.length;
        onProgress?.(bytesDone);
        yield s.out;
      }
    }
    if (check) {
      const trailer = new Uint8Array(NATIVE_SIG_TRAILER_LEN);
      writeUint(trailer, 0, size, 8);
      check.update(trailer.subarray(0, 8));
      trailer.set(check.digest(), 8);
      yield trailer;
    }
    return stats;
  } finally {
    // Reads still in flight finish before the caller may close the file.
    await Promise.allSettled(reads.values());
  }
}
