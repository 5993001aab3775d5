/*
 * The patch pipeline behind patchFile: applies a delta read in chunks to a
 * random-access basis and writes the output at explicit positions, with
 * reading, hashing and writing overlapped. The output is assembled in a few
 * buffers (copies are read straight into them, literals copied in); each full
 * buffer is hashed in order and written (one write at a time) while the next
 * ones fill, and the sink is asked now and then to start writeback. Memory is
 * the buffer pool, two delta chunks and a small basis cache (about 6 MiB),
 * whatever the file sizes.
 */
import { assertInt } from '../core/assert.js';
import { throwIfAborted } from '../core/errors.js';
import { OutputVerifier, type RandomAccessSource } from './apply.js';
import { PatchDecoder } from './patch.js';

/** Where the delta comes from: sequential reads into the caller's buffer. */
export interface SequentialSource {
  /** Reads the next bytes into `dst`; resolves to how many (0 at the end). */
  read(dst: Uint8Array): Promise<number>;
}

/** Where the output goes: writes at explicit positions, several in flight at once (an AtomicFile). */
export interface PositionalSink {
  /** Writes all of `data` at `position`. */
  writeAt(data: Uint8Array, position: number): Promise<void>;
  /** Asks the sink to start flushing what it holds to disk; false if it could not start now. */
  writeback?(): boolean;
}

/** Options for patchPipeline. Omitted means recommended. */
export interface PatchPipelineOptions {
  signal?: AbortSignal;
  /** Called after each delta read with the delta bytes read so far. */
  onDeltaRead?: (bytesDone: number) => void;
  /** Bytes per delta read (default 1 MiB); two chunks are held, one being read ahead. */
  deltaChunkSize?: number;
  /**
   * Bytes per output buffer, and so per write (default 1 MiB: each buffer is
   * read into, hashed and written while still in the CPU cache; 8 MiB measured slower).
   */
  bufferSize?: number;
  /** Output buffers in the pool (default 4): one filling, the others being read into, hashed or written. */
  buffers?: number;
  /**
   * Ask the sink to start writeback each time this many more bytes are written
   * (default 16 MiB; 0 = never), so the disk works while we do: the final
   * fsync then waits for little more than the tail.
   */
  writebackEvery?: number;
}

/** Copies shorter than this are served from a basis cache instead of a read of their own each. */
const SMALL_COPY = 64 << 10;
/** Bytes of basis read into the cache at once. */
const CACHE_SIZE = 256 << 10;

/** An output buffer handed to the hash-and-write stage. */
interface Sealed {
  buf: Uint8Array;
  /** Settles when the buffer is hashed and written (rejects with the first error of the pipeline). */
  done: Promise<void>;
}

/**
 * Assembles the output in pooled buffers: put literals and copies in order,
 * and each full buffer goes on to be hashed (in order) and written.
 */
class OutputAssembler {
  private allocated = 0;
  private cur: Uint8Array | undefined;
  private fill = 0;
  /** Output offset of cur[0]. */
  private base = 0;
  /** Basis reads into cur. */
  private reads: Promise<void>[] = [];
  /** Every basis read still running, whatever its buffer (a failed Promise.all does not wait for the rest). */
  private readonly reading = new Set<Promise<void>>();
  private readonly sealed: Sealed[] = [];
  /** Settles when the last sealed buffer has been hashed: the next one hashes after it. */
  private hashed: Promise<void> = Promise.resolve();
  private failure: { error: unknown } | undefined;
  /** Rejects with the first failure, so a wait for a buffer ends as soon as anything failed. */
  private readonly failed: Promise<never>;
  private rejectFailed: (error: unknown) => void = () => {};
  /** Settles when the last write issued has: the next one starts after it. */
  private lastWrite: Promise<void> = Promise.resolve();
  private written = 0;
  private lastWriteback = 0;
  private cache: Uint8Array | undefined;
  private cacheStart = 0;
  private cacheLen = 0;

  constructor(
    private readonly basis: RandomAccessSource,
    private readonly sink: PositionalSink,
    private readonly hash: (data: Uint8Array) => void,
    private readonly bufferSize: number,
    private readonly buffers: number,
    private readonly writebackEvery: number,
  ) {
    this.failed = new Promise<never>((_, reject) => {
      this.rejectFailed = reject;
    });
    this.failed.catch(() => {});
  }

  /** Free bytes in the current buffer (0: call acquire() first). */
  get room(): number {
    return this.cur ? this.bufferSize - this.fill : 0;
  }

  /** Makes a current buffer: a new one while under the limit, else the oldest once it is written. */
  async acquire(): Promise<void> {
    if (this.failure) throw this.failure.error;
    if (this.allocated < this.buffers) {
      this.cur = new Uint8Array(this.bufferSize);
      this.allocated++;
    } else {
      // Stays in `sealed` until written, so that settle() still waits for it if something else fails first.
      await Promise.race([this.sealed[0]!.done, this.failed]);
      this.cur = this.sealed.shift()!.buf;
    }
    this.fill = 0;
  }

  /** Copies up to `room` bytes of `data` in; returns how many. */
  putLiteral(data: Uint8Array): number {
    const n = Math.min(data.length, this.room);
    this.cur!.set(n === data.length ? data : data.subarray(0, n), this.fill);
    this.advance(n);
    return n;
  }

  /** True when `putCopy(offset, n)` can go ahead now (a large copy, or a small one in the cache). */
  ready(offset: number, n: number): boolean {
    return n >= SMALL_COPY || (offset >= this.cacheStart && offset + n <= this.cacheStart + this.cacheLen);
  }

  /** Loads the basis from `offset` into the cache (a copy is never beyond the basis: the decoder checked). */
  async loadCache(offset: number): Promise<void> {
    this.cache ??= new Uint8Array(CACHE_SIZE);
    this.cacheLen = 0;
    const len = Math.min(CACHE_SIZE, this.basis.length - offset);
    await readInto(this.basis, this.cache.subarray(0, len), offset);
    this.cacheStart = offset;
    this.cacheLen = len;
  }

  /** Puts `n` <= room bytes of the basis at `offset`: from the cache if small, else a read straight into the buffer. */
  putCopy(offset: number, n: number): void {
    const dst = this.cur!.subarray(this.fill, this.fill + n);
    if (n < SMALL_COPY) dst.set(this.cache!.subarray(offset - this.cacheStart, offset - this.cacheStart + n));
    else {
      const p = readInto(this.basis, dst, offset);
      this.reading.add(p);
      p.then(
        () => this.reading.delete(p),
        (e: unknown) => {
          this.reading.delete(p);
          this.fail(e);
        },
      );
      this.reads.push(p);
    }
    this.advance(n);
  }

  private advance(n: number): void {
    this.fill += n;
    if (this.fill === this.bufferSize) this.seal();
  }

  private fail(error: unknown): void {
    if (this.failure) return;
    this.failure = { error };
    this.rejectFailed(error);
  }

  /** Hands the current buffer on: hashed once its reads and the previous hash are done, then written. */
  private seal(): void {
    const buf = this.cur!;
    const data = buf.subarray(0, this.fill);
    const at = this.base;
    const reads = this.reads;
    const prev = this.hashed;
    this.base += this.fill;
    this.cur = undefined;
    this.fill = 0;
    this.reads = [];
    const hashed = (reads.length ? Promise.all([prev, ...reads]) : prev).then(() => {
      if (this.failure) throw this.failure.error;
      this.hash(data);
    });
    // One write at a time: a file system serializes buffered writes to one file anyway (ext4 on the
    // inode lock), and a second writer only spins on the lock, on a core the reads and the hash could use.
    const done = Promise.all([hashed, this.lastWrite]).then(() => this.sink.writeAt(data, at)).then(() => this.wrote(data.length));
    this.lastWrite = done;
    done.catch((e: unknown) => this.fail(e));
    this.hashed = hashed;
    this.sealed.push({ buf, done });
  }

  private wrote(n: number): void {
    this.written += n;
    if (this.writebackEvery > 0 && this.written - this.lastWriteback >= this.writebackEvery && this.sink.writeback?.()) {
      this.lastWriteback = this.written;
    }
  }

  /** Seals the last buffer and waits until everything is hashed and written; rejects with the first error. */
  async finish(): Promise<void> {
    if (this.cur && this.fill > 0) this.seal();
    await Promise.all(this.sealed.map((s) => s.done));
    if (this.failure) throw this.failure.error;
  }

  /** Waits for every read and write still running (after an error: nothing may touch the files once we return). */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.reading, ...this.sealed.map((s) => s.done)]);
  }
}

/** Reads exactly dst.length bytes of `basis` at `offset` into `dst`. */
async function readInto(basis: RandomAccessSource, dst: Uint8Array, offset: number): Promise<void> {
  if (basis.readInto) await basis.readInto(dst, offset);
  else dst.set(await basis.read(offset, dst.length));
}

/**
 * Applies the delta read from `delta` to `basis`, writing the output to
 * `sink` at positions 0, 1, ... (in no particular order of completion).
 * Resolves with the output length once every byte is written and the native
 * trailer verified; on any error it waits for its reads and writes to stop
 * before rejecting, so the caller may close and delete the output at once.
 * @throws RsyncError BAD_MAGIC, TRUNCATED, CORRUPT, LIMIT, INTEGRITY; ClawbackError ABORTED; the sink's and sources' errors
 * @example const n = await patchPipeline(fileSource(bh, size), { read: (b) => dh.read(b).then((r) => r.bytesRead) }, atomicFile);
 */
export async function patchPipeline(basis: RandomAccessSource, delta: SequentialSource, sink: PositionalSink, opts: PatchPipelineOptions = {}): Promise<number> {
  const chunkSize = opts.deltaChunkSize ?? 1 << 20;
  const bufferSize = opts.bufferSize ?? 1 << 20;
  const buffers = opts.buffers ?? 4;
  const writebackEvery = opts.writebackEvery ?? 16 << 20;
  assertInt('deltaChunkSize', chunkSize, 1);
  assertInt('bufferSize', bufferSize, 1);
  assertInt('buffers', buffers, 1);
  assertInt('writebackEvery', writebackEvery, 0);
  throwIfAborted(opts.signal);
  const dec = new PatchDecoder({ basisLength: basis.length });
  let verifier: OutputVerifier | undefined;
  const out = new OutputAssembler(basis, sink, (data) => verifier!.update(data), bufferSize, buffers, writebackEvery);
  // Two delta buffers: one being parsed (literals view it until copied out), the next being read into the other.
  const chunks = [new Uint8Array(chunkSize), new Uint8Array(chunkSize)];
  let turn = 0;
  let bytesDone = 0;
  const readNext = () => {
    const p = delta.read(chunks[turn]!);
    p.catch(() => {}); // surfaced when awaited
    return p;
  };
  // A single COPY can be gigabytes: look at the signal at each buffer, not only at each delta chunk.
  const acquire = async () => {
    await out.acquire();
    throwIfAborted(opts.signal);
  };
  let next: Promise<number> | undefined = readNext();
  try {
    for (;;) {
      const n = await next;
      next = undefined;
      if (n === 0) break;
      const chunk = chunks[turn]!.subarray(0, n);
      turn ^= 1;
      next = readNext();
      bytesDone += n;
      opts.onDeltaRead?.(bytesDone);
      throwIfAborted(opts.signal);
      const ops = dec.push(chunk);
      verifier ??= new OutputVerifier(dec.format === 'native');
      for (const op of ops) {
        if (op.op === 'literal') {
          for (let data = op.data; data.length > 0; ) {
            if (out.room === 0) await acquire();
            data = data.subarray(out.putLiteral(data));
          }
        } else {
          for (let offset = op.offset, left = op.length; left > 0; ) {
            if (out.room === 0) await acquire();
            const take = Math.min(left, out.room);
            if (!out.ready(offset, take)) await out.loadCache(offset);
            out.putCopy(offset, take);
            offset += take;
            left -= take;
          }
        }
      }
    }
    dec.finish();
    await out.finish();
    (verifier ?? new OutputVerifier(dec.format === 'native')).verify(dec.trailer);
    return dec.outputLength;
  } catch (e) {
    await Promise.allSettled([next, out.settle()]);
    throw e;
  }
}
