/*
 * The file tier: signatureFile, deltaFile and patchFile. Inputs are read in
 * chunks (memory does not grow with file size), the basis of a patch is read
 * at random through its file handle, outputs are written atomically (temp
 * file, fsync, rename). Each call takes an AbortSignal and reports progress.
 */
import { constants } from 'node:fs';
import { access, open, type FileHandle } from 'node:fs/promises';
import { ClawbackError, RsyncError, throwIfAborted } from '../core/errors.js';
import { openAtomic, type AtomicFile } from '../core/atomic-file.js';
import type { RandomAccessSource } from './apply.js';
import { patchPipeline } from './patch-pipeline.js';
import type { DeltaOptions, DeltaStats } from './delta.js';
import { resolveSignatureParams, type SignatureOptions, type SignatureParams } from './signature-params.js';
import { deltaChunksFromFile, type ParallelDeltaOptions } from './delta-parallel.js';
import { signatureFileParallel, useParallelSignature } from './signature-parallel.js';
import { readSignatureStream, signatureStream } from './stream.js';

/** Progress of a file operation. */
export interface FileProgress {
  /** Input bytes processed so far. */
  bytesDone: number;
  /** Input bytes in all. */
  bytesTotal: number;
}

/** Options shared by the file calls. */
export interface FileOptions {
  signal?: AbortSignal;
  onProgress?: (p: FileProgress) => void;
  /** Replace an existing output file (rdiff -f). Default false: EXISTS error. */
  overwrite?: boolean;
  /** Mode of a new output file before the umask (default 0o666, as rdiff). */
  mode?: number;
  /** Bytes per read (default 1 MiB). */
  chunkSize?: number;
  /**
   * fsync the output before it is renamed into place (default true). false writes as rdiff
   * does (page cache only; still a temp file renamed when complete): faster, not crash-safe.
   */
  durable?: boolean;
}

/** Reads a file handle in chunks from `start`; `reuse` recycles one buffer (only when the consumer copies). */
export async function* readChunks(h: FileHandle, chunkSize = 1 << 20, reuse = true): AsyncGenerator<Uint8Array> {
  let buf = new Uint8Array(chunkSize);
  let pos = 0;
  for (;;) {
    if (!reuse) buf = new Uint8Array(chunkSize);
    const { bytesRead } = await h.read(buf, 0, chunkSize, pos);
    if (bytesRead === 0) return;
    pos += bytesRead;
    yield buf.subarray(0, bytesRead);
  }
}

/**
 * A RandomAccessSource over an open file handle of known length. With `reuse`,
 * reads alternate between two internal buffers, so a result stays valid until
 * the next-but-one read: for consumers (like patchStream) that finish with each
 * chunk while at most one more read is in flight. readInto() reads into the
 * caller's buffer, any number at once.
 */
export function fileSource(h: FileHandle, length: number, opts: { reuse?: boolean } = {}): RandomAccessSource {
  const scratch = [new Uint8Array(0), new Uint8Array(0)];
  let turn = 0;
  const readInto = async (dst: Uint8Array, offset: number): Promise<void> => {
    let got = 0;
    while (got < dst.length) {
      const { bytesRead } = await h.read(dst, got, dst.length - got, offset + got);
      if (bytesRead === 0) throw new RsyncError('TRUNCATED', `basis shorter than expected: no data at offset ${offset + got}`);
      got += bytesRead;
    }
  };
  return {
    length,
    async read(offset, n) {
      let buf: Uint8Array;
      if (opts.reuse) {
        const k = turn;
        turn ^= 1;
        if (scratch[k]!.length < n) scratch[k] = new Uint8Array(n);
        buf = scratch[k]!.subarray(0, n);
      } else buf = new Uint8Array(n);
      await readInto(buf, offset);
      return buf;
    },
    readInto,
  };
}

async function refuseExisting(path: string, overwrite: boolean | undefined): Promise<void> {
  if (overwrite) return;
  const exists = await access(path, constants.F_OK).then(
    () => true,
    () => false,
  );
  if (exists) throw new ClawbackError('EXISTS', `${path} exists (use overwrite / --force to replace it)`);
}

/**
 * Writes chunks to `target` atomically: temporary file, fsync, rename; on any
 * error or abort the temporary file is removed and `target` is untouched.
 * @throws ClawbackError EXISTS (unless overwrite), ABORTED; I/O errors
 * @example await writeChunksAtomic('out.sig', signatureStream(chunks), { overwrite: true });
 */
export async function writeChunksAtomic(target: string, chunks: AsyncIterable<Uint8Array>, opts: Pick<FileOptions, 'overwrite' | 'mode' | 'signal' | 'durable'> = {}): Promise<number> {
  return atomicOutput(target, opts, async (out) => {
    let n = 0;
    for await (const c of chunks) {
      throwIfAborted(opts.signal);
      await out.write(c);
      n += c.length;
    }
    return n;
  });
}

/**
 * Runs `fill` on a new temporary file for `target` and commits it (fsync unless not durable, rename)
 * when `fill` succeeds and no abort came; otherwise removes it. Refuses an existing target unless overwrite.
 */
async function atomicOutput<T>(target: string, opts: Pick<FileOptions, 'overwrite' | 'mode' | 'signal' | 'durable'>, fill: (out: AtomicFile) => Promise<T>): Promise<T> {
  await refuseExisting(target, opts.overwrite);
  const out = await openAtomic(target, opts.mode ?? 0o666, { durable: opts.durable ?? true });
  try {
    const result = await fill(out);
    throwIfAborted(opts.signal);
    await out.commit();
    return result;
  } catch (e) {
    await out.abort();
    throw e;
  }
}

async function withFile<T>(path: string, fn: (h: FileHandle, size: number) => Promise<T>): Promise<T> {
  const h = await open(path, 'r');
  try {
    const { size } = await h.stat();
    return await fn(h, size);
  } finally {
    await h.close();
  }
}

/**
 * Writes the signature of `basisPath` to `sigPath` (rdiff signature).
 * @throws ClawbackError EXISTS, ABORTED; RangeError for bad options
 * @example await signatureFile('old.db', 'old.sig', { format: 'native' });
 */
export async function signatureFile(basisPath: string, sigPath: string, opts: SignatureOptions & FileOptions = {}): Promise<SignatureParams & { basisLength: number; signatureLength: number }> {
  return withFile(basisPath, async (h, size) => {
    const sigOpts: SignatureOptions = { basisLength: size, ...opts };
    const params = resolveSignatureParams(sigOpts);
    const signal = opts.signal ? { signal: opts.signal } : {};
    const onProgress = (n: number) => opts.onProgress?.({ bytesDone: n, bytesTotal: size });
    // Large files on every core (signature-parallel.ts); the bytes are the same either way.
    const gen = useParallelSignature(size, params)
      ? signatureFileParallel(h, size, params, { ...signal, onProgress })
      : signatureStream(readChunks(h, opts.chunkSize), { ...sigOpts, ...signal, onProgress });
    const signatureLength = await writeChunksAtomic(sigPath, gen, opts);
    return { ...params, basisLength: size, signatureLength };
  });
}

/**
 * Writes the delta from the signature in `sigPath` to the file `newPath` into `deltaPath` (rdiff delta).
 * A large file is scanned for candidate windows on worker threads (`threads`, see deltaChunksFromFile).
 * @throws RsyncError for a bad signature; ClawbackError EXISTS, ABORTED
 * @example const stats = await deltaFile('old.sig', 'new.db', 'db.delta');
 */
export async function deltaFile(sigPath: string, newPath: string, deltaPath: string, opts: DeltaOptions & FileOptions & Pick<ParallelDeltaOptions, 'threads'> = {}): Promise<DeltaStats> {
  const sig = await withFile(sigPath, (h) => readSignatureStream(readChunks(h, opts.chunkSize), opts.signal ? { signal: opts.signal } : {}));
  let stats: DeltaStats | undefined;
  await withFile(newPath, async (h, size) => {
    // writeChunksAtomic writes each chunk before it pulls the next.
    const gen = deltaChunksFromFile(sig, h, size, {
      ...opts,
      reuseOutput: true,
      onProgress: (n) => opts.onProgress?.({ bytesDone: n, bytesTotal: size }),
      stats: (s) => {
        stats = s;
      },
    });
    await writeChunksAtomic(deltaPath, gen, opts);
  });
  return stats!;
}

/**
 * Applies the delta in `deltaPath` to `basisPath`, writing `outPath` atomically (rdiff patch).
 * Nothing is written to `outPath` unless the whole delta applied and verified.
 * Reads of the basis and the delta, hashing and writes overlap (patchPipeline),
 * and the disk starts writing early; memory stays about 6 MiB whatever the sizes.
 * @throws RsyncError BAD_MAGIC, TRUNCATED, CORRUPT, INTEGRITY; ClawbackError EXISTS, ABORTED
 * @example await patchFile('old.db', 'db.delta', 'new.db');
 */
export async function patchFile(basisPath: string, deltaPath: string, outPath: string, opts: FileOptions = {}): Promise<{ outputLength: number }> {
  return withFile(basisPath, (bh, basisSize) =>
    withFile(deltaPath, async (dh, deltaSize) => {
      throwIfAborted(opts.signal);
      return atomicOutput(outPath, opts, async (out) => {
        // Sequential reads from the current position (one at a time), so a pipe works too.
        const delta = { read: async (dst: Uint8Array) => (await dh.read(dst, 0, dst.length, null)).bytesRead };
        const outputLength = await patchPipeline(fileSource(bh, basisSize), delta, out, {
          ...(opts.signal ? { signal: opts.signal } : {}),
          // A small delta file is read in one go, into buffers of its size (size 0: a pipe, or unknown).
          deltaChunkSize: deltaSize > 0 ? Math.min(opts.chunkSize ?? 1 << 20, deltaSize) : (opts.chunkSize ?? 1 << 20),
          onDeltaRead: (n) => opts.onProgress?.({ bytesDone: n, bytesTotal: deltaSize }),
          ...((opts.durable ?? true) ? {} : { writebackEvery: 0 }),
        });
        return { outputLength };
      });
    }),
  );
}
