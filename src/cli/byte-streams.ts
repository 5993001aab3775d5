/*
 * Byte sources and sinks for commands that take `-` for stdin/stdout: reading
 * stdin so that an abort (SIGINT) interrupts a blocked read, writing stdout
 * with backpressure and broken-pipe detection, and writing a file atomically
 * from an async iterable (nothing is left behind on error or abort).
 */
import { fstatSync } from 'node:fs';
import { access, constants } from 'node:fs/promises';
import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { writeChunksAtomic } from '../rsync/files.js';
import { AbortError, throwIfAborted } from '../core/errors.js';
import { HintedError } from './command.js';

/**
 * The chunks of a readable stream (stdin); an abort destroys the stream so a blocked read ends at once.
 * @throws AbortError when `signal` fires; the stream's own errors
 * @example for await (const c of readStream(io.stdin, signal)) n += c.length;
 */
export async function* readStream(stream: Readable, signal: AbortSignal): AsyncGenerator<Uint8Array> {
  throwIfAborted(signal);
  const onAbort = () => stream.destroy(new AbortError(signal.reason));
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const chunk of stream) {
      throwIfAborted(signal);
      yield typeof chunk === 'string' ? new TextEncoder().encode(chunk) : (chunk as Uint8Array);
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/**
 * The size of `stream` when it is a redirected regular file (`< file`), else undefined.
 * rdiff does the same, so `signature - < file` picks the same block length as `signature file`.
 * @throws never
 * @example regularFileSize(process.stdin) // 300000 under `< old.db`, undefined for a pipe
 */
export function regularFileSize(stream: Readable): number | undefined {
  const fd = (stream as { fd?: unknown }).fd;
  if (typeof fd !== 'number') return undefined;
  try {
    const st = fstatSync(fd);
    return st.isFile() ? st.size : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Writes chunks to a stream that stays open (stdout), honouring backpressure; resolves once all is flushed.
 * @throws the stream's error (EPIPE when the reader went away); AbortError
 * @example const n = await writeStream(io.stdout, signatureStream(chunks), signal);
 */
export async function writeStream(out: Writable, chunks: AsyncIterable<Uint8Array>, signal: AbortSignal): Promise<number> {
  let failed: Error | undefined;
  const onError = (e: Error) => {
    failed ??= e;
  };
  out.on('error', onError);
  try {
    let n = 0;
    for await (const c of chunks) {
      if (failed) throw failed;
      throwIfAborted(signal);
      n += c.length;
      if (!out.write(c)) await once(out, 'drain', { signal });
    }
    await new Promise<void>((resolve, reject) => out.write(new Uint8Array(0), (e) => (e ? reject(e) : resolve())));
    if (failed) throw failed;
    return n;
  } finally {
    out.off('error', onError);
  }
}

/**
 * Refuses an existing output before any work is done (the file helpers check again when they write).
 * @throws HintedError EXISTS
 * @example await refuseExisting('new.sig', opts.force, 'signature file');
 */
export async function refuseExisting(path: string, force: boolean, role: string): Promise<void> {
  if (force) return;
  const exists = await access(path, constants.F_OK).then(
    () => true,
    () => false,
  );
  if (exists) throw new HintedError('EXISTS', `${role} "${path}" already exists`, 'pass -f/--force to overwrite it, or choose another name');
}

/**
 * Writes chunks to `path` atomically (the library's writeChunksAtomic), after
 * refusing an existing output with a hint for the command line.
 * @throws HintedError EXISTS (without `force`); AbortError; I/O errors
 * @example await writeFileAtomic('out.sig', signatureStream(readStream(io.stdin, signal)), { force: false, signal, role: 'signature' });
 */
export async function writeFileAtomic(path: string, chunks: AsyncIterable<Uint8Array>, opts: { force: boolean; signal: AbortSignal; role: string; durable?: boolean }): Promise<number> {
  await refuseExisting(path, opts.force, opts.role);
  return writeChunksAtomic(path, chunks, { overwrite: true, signal: opts.signal, durable: opts.durable ?? true });
}
