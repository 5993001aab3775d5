/*
 * The delta of a file with the candidate scan on other cores: the main thread
 * reads the new file in chunks into shared buffers, worker threads list the
 * windows of each chunk that can match (scanCandidates), and the matcher
 * skips everything else. Where the data mostly matches, the matcher is
 * faster than the scan would be (it jumps a block at a time), so chunks are
 * sent to the workers (started at the first such chunk) only while the last
 * chunk was mostly literal. The
 * output is byte-identical to the single-threaded DeltaEncoder's.
 */
import type { FileHandle } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { throwIfAborted } from '../core/errors.js';
import { DeltaEncoder, type CandidateSegment, type DeltaOptions, type DeltaStats } from './delta.js';
import { ScanPool } from './scan-pool.js';
import { SignatureIndex } from './signature-index.js';
import type { Signature } from './signature.js';

/** Options of deltaChunksFromFile. */
export interface ParallelDeltaOptions extends DeltaOptions {
  signal?: AbortSignal;
  onProgress?: (bytesIn: number) => void;
  stats?: (s: DeltaStats) => void;
  /** Scan workers (default: defaultScanThreads(); 0 scans on the main thread only). */
  threads?: number;
  /** Scan with the WebAssembly loop where it loads (default true; false: the JavaScript loop). */
  wasm?: boolean;
  /** Bytes per chunk read (default 1 MiB). */
  chunkSize?: number;
  /**
   * Reuse each yielded chunk's memory once the consumer asks for the next one
   * (for a consumer that writes each chunk before pulling the next; default false).
   */
  reuseOutput?: boolean;
  /** Called at the end with how many chunks there were and how many the workers scanned. */
  scanReport?: (r: { chunks: number; scanned: number }) => void;
}

/** Smallest new file worth starting workers for. */
export const PARALLEL_DELTA_MIN = 16 << 20;
/** Longest block the parallel path takes (its buffers hold two blocks each). */
const PARALLEL_MAX_BLOCK = 1 << 20;
/** Chunks read ahead of the matcher (each may be scanning meanwhile). */
const DEPTH = 4;

/**
 * Default number of scan workers here: one per core beside the main thread, at least one, at
 * most 4 (the main thread reads, matches and writes; on 2 cores one worker beat two: 0.96-0.99 s
 * against 1.07-1.12 s for a 256 MiB all-literal delta; docs/benchmarks.md).
 */
export function defaultScanThreads(): number {
  return Math.max(1, Math.min(4, availableParallelism() - 1));
}

interface Slot {
  sab: SharedArrayBuffer;
  /** Chunk data (after the prefix) as pushed to the matcher. */
  data: Uint8Array;
  /** The scan of this chunk, when one was started. */
  seg: Promise<CandidateSegment> | undefined;
  start: number;
  /** The read came back short: the data ends with this chunk. */
  last: boolean;
}

/**
 * Streams the delta of the file `h` against `sig`, reading it to its end. `size` (its length
 * when it was opened; 0 for a pipe) picks the path: worker threads for regular files of 16 MiB
 * or more with a RabinKarp signature and blocks of at most 1 MiB, else the single-threaded
 * matcher (rollsum signatures, small files, pipes, threads: 0). A read that comes back short
 * ends the data there, even if the file changes afterwards.
 */
export async function* deltaChunksFromFile(sig: Signature | SignatureIndex, h: FileHandle, size: number, opts: ParallelDeltaOptions = {}): AsyncGenerator<Uint8Array> {
  const index = sig instanceof SignatureIndex ? sig : new SignatureIndex(sig);
  const enc = new DeltaEncoder(index, opts);
  const bl = index.sig.blockLen;
  const threads = opts.threads ?? defaultScanThreads();
  const parallel = threads > 0 && index.sig.weak === 'rabinkarp' && index.sig.blockCount > 0 && bl <= PARALLEL_MAX_BLOCK && size >= PARALLEL_DELTA_MIN;
  const seekable = size > 0; // a pipe reports 0 and is read from its current position
  // Parallel chunks hold at least two blocks and at most 4 MiB (beside the prefix), whatever -I says.
  const chunk = parallel ? Math.max(Math.min(opts.chunkSize ?? 1 << 20, 4 << 20), 2 * bl) : Math.max(1 << 16, Math.min(opts.chunkSize ?? 1 << 20, seekable ? size : Infinity));
  const prefix = parallel ? bl - 1 : 0; // each chunk's buffer starts with the bytes before it, so windows across the seam are scanned
  // Workers start at the first chunk that is mostly literal: data that matches never pays for them.
  let pool: ScanPool | undefined;
  let readPos = 0;
  let scanning = false; // while the last chunk was mostly literal
  try {
    // Reads the next chunk (with its prefix) into `slot` and starts its scan if wanted.
    const fill = async (slot: Slot): Promise<Slot | undefined> => {
      const start = readPos;
      readPos += chunk;
      const pre = Math.min(prefix, start);
      const buf = new Uint8Array(slot.sab, prefix - pre, pre + chunk);
      let got = 0;
      while (got < buf.length) {
        const { bytesRead } = await h.read(buf, got, buf.length - got, seekable ? start - pre + got : null);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      if (got <= pre) return undefined; // the end of the data
      slot.start = start;
      slot.data = new Uint8Array(slot.sab, prefix, got - pre);
      slot.last = got < buf.length;
      slot.seg = undefined;
      // Window starts whose windows end inside this chunk: [start - pre, start + data - bl + 1).
      const from = start - pre;
      const to = start + slot.data.length - bl + 1;
      if (pool && scanning && to > from) {
        const base = start - prefix;
        slot.seg = pool.scan(slot.sab, prefix + slot.data.length, from - base, to - base).then((l) => ({ ...l, base, from, to }));
        slot.seg.catch(() => {}); // surfaced where awaited; a scan still running at the end is dropped
      }
      return slot;
    };
    const queue: Promise<Slot | undefined>[] = [];
    const ring = parallel ? DEPTH : 1;
    const enqueue = (slot: Slot) => {
      const p = fill(slot);
      p.catch(() => {}); // surfaced where awaited; a read still running at the end is dropped
      queue.push(p);
    };
    for (let i = 0; i < ring; i++) enqueue({ sab: new SharedArrayBuffer(prefix + chunk), data: new Uint8Array(0), seg: undefined, start: 0, last: false });
    let done = 0;
    let chunks = 0;
    let scanned = 0;
    for (;;) {
      throwIfAborted(opts.signal);
      const slot = await queue.shift()!;
      if (!slot) break;
      chunks++;
      if (slot.seg) {
        enc.addCandidates(await slot.seg);
        scanned++;
      }
      const matchedBefore = enc.matchedBytes;
      const out = enc.push(slot.data);
      done += slot.data.length;
      opts.onProgress?.(done);
      // Mostly literal lately: worth scanning ahead.
      scanning = parallel && enc.matchedBytes - matchedBefore < slot.data.length / 2;
      if (scanning) pool ??= new ScanPool(index, threads, opts.wasm === false ? { wasm: false } : {});
      if (out.length > 0) {
        yield out;
        if (opts.reuseOutput) enc.recycle(out);
      }
      // A short read is the end (a later chunk read before the file shrank must not be spliced on).
      if (slot.last) break;
      enqueue(slot);
    }
    yield enc.finish();
    opts.stats?.(enc.stats);
    opts.scanReport?.({ chunks, scanned });
  } finally {
    await pool?.close();
  }
}
