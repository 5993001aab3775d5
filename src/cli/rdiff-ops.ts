/*
 * The three jobs behind `clawback rdiff`: signature, delta and patch. When
 * every name is a file they call the library's file helpers (atomic output,
 * bounded memory); when one is `-` they compose the streaming calls with
 * stdin/stdout. Each returns the figures for --statistics and --json.
 */
import { open, stat, type FileHandle } from 'node:fs/promises';
import { RsyncError } from '../core/errors.js';
import { deltaFile, fileSource, patchFile, readChunks, signatureFile } from '../rsync/files.js';
import { patchStream } from '../rsync/apply.js';
import { deltaStream, readSignatureStream, signatureStream } from '../rsync/stream.js';
import { resolveSignatureParams, type SignatureOptions, type SignatureParams } from '../rsync/signature-params.js';
import { NATIVE_DELTA_MAGIC, RS_DELTA_MAGIC, signatureKindOf, type FormatKind } from '../rsync/magic.js';
import type { DeltaStats } from '../rsync/delta.js';
import { HintedError, type CliContext } from './command.js';
import { fromErrno } from './error-report.js';
import { readStream, refuseExisting, regularFileSize, writeFileAtomic, writeStream } from './byte-streams.js';

/** Options common to the three jobs. */
export interface JobOptions {
  force: boolean;
  /** Bytes per read from an input file (rdiff -I). */
  chunkSize: number;
  /** fsync output files before the rename (false: --no-fsync). Default true. */
  durable?: boolean;
}

/** What a signature job did. */
export interface SignatureResult extends SignatureParams {
  blocks: number;
  bytesIn: number;
  bytesOut: number;
}

/** What a delta job did. */
export interface DeltaResult extends DeltaStats {
  format: FormatKind;
  bytesIn: number;
}

/** What a patch job did. */
export interface PatchResult {
  format: FormatKind | undefined;
  deltaLength: number;
  outputLength: number;
}

/** An input: a file or stdin, with its size when known and a byte count as it is read. */
interface Source {
  chunks: AsyncIterable<Uint8Array>;
  size: number | undefined;
  read(): number;
  close(): Promise<void>;
}

/** Opens an input file with a message that names its role; refuses directories. */
async function openInput(path: string, role: string): Promise<{ h: FileHandle; size: number }> {
  let h: FileHandle;
  try {
    h = await open(path, 'r');
  } catch (e) {
    if ((e as { code?: unknown }).code === 'ENOENT') throw new HintedError('NOT_FOUND', `${role} "${path}" does not exist`, 'check the name and the path', { cause: e });
    throw fromErrno(e as Error & { code: string });
  }
  const st = await h.stat();
  if (st.isDirectory()) {
    await h.close();
    throw new HintedError('IO', `${role} "${path}" is a directory`, 'give the name of a file');
  }
  return { h, size: st.size };
}

/** Checks that an input file exists and is not a directory, before a file helper opens it. */
async function checkInput(path: string, role: string): Promise<number> {
  const { h, size } = await openInput(path, role);
  await h.close();
  return size;
}

async function openSource(path: string, role: string, ctx: CliContext, chunkSize: number): Promise<Source> {
  let n = 0;
  const count = async function* (src: AsyncIterable<Uint8Array>) {
    for await (const c of src) {
      n += c.length;
      yield c;
    }
  };
  if (path === '-') {
    return { chunks: count(readStream(ctx.io.stdin, ctx.signal)), size: regularFileSize(ctx.io.stdin), read: () => n, close: async () => {} };
  }
  const { h, size } = await openInput(path, role);
  return { chunks: count(readChunks(h, chunkSize, false)), size, read: () => n, close: () => h.close() };
}

/** Writes an output: stdout for `-`, else a file written atomically. */
async function writeOutput(path: string, role: string, chunks: AsyncIterable<Uint8Array>, ctx: CliContext, opts: JobOptions): Promise<number> {
  if (path === '-') return writeStream(ctx.io.stdout, chunks, ctx.signal);
  return writeFileAtomic(path, chunks, { force: opts.force, signal: ctx.signal, role, durable: opts.durable ?? true });
}

/** Reads the first four bytes of a file (its magic), or undefined when shorter. */
async function fileMagic(path: string, role: string): Promise<number | undefined> {
  const { h } = await openInput(path, role);
  try {
    const b = new Uint8Array(4);
    const { bytesRead } = await h.read(b, 0, 4, 0);
    return bytesRead === 4 ? new DataView(b.buffer).getUint32(0) : undefined;
  } finally {
    await h.close();
  }
}

function deltaFormatOf(magic: number | undefined): FormatKind | undefined {
  return magic === RS_DELTA_MAGIC ? 'librsync' : magic === NATIVE_DELTA_MAGIC ? 'native' : undefined;
}

function requireDeltaFormat(magic: number | undefined, want: FormatKind | undefined, path: string): void {
  if (want === undefined || magic === undefined) return; // a short delta fails in the decoder with TRUNCATED
  const got = deltaFormatOf(magic);
  if (got !== undefined && got !== want) {
    throw new HintedError('UNSUPPORTED', `delta "${path}" is in ${got} format, but --format ${want} was asked for`, `drop --format, or make the delta with --format ${want}`);
  }
}

/** Passes a delta stream through, calling `onMagic` with its first four bytes once they are in. */
async function* sniffMagic(chunks: AsyncIterable<Uint8Array>, onMagic: (magic: number) => void): AsyncGenerator<Uint8Array> {
  let head = new Uint8Array(0);
  for await (const c of chunks) {
    if (head.length < 4) {
      const h = new Uint8Array(Math.min(4, head.length + c.length));
      h.set(head);
      h.set(c.subarray(0, h.length - head.length), head.length);
      head = h;
      if (head.length === 4) onMagic(new DataView(head.buffer).getUint32(0));
    }
    yield c;
  }
}

/**
 * rdiff signature: BASIS → SIG.
 * @throws HintedError NOT_FOUND/EXISTS; AbortError; I/O errors
 * @example const r = await runSignature('old.db', 'old.sig', { blockLen: 2048 }, { force: false, chunkSize: 1 << 20 }, ctx);
 */
export async function runSignature(basis: string, sig: string, sigOpts: SignatureOptions, opts: JobOptions, ctx: CliContext): Promise<SignatureResult> {
  const blocksOf = (size: number, p: SignatureParams) => Math.ceil(size / p.blockLen);
  if (basis !== '-' && sig !== '-') {
    await checkInput(basis, 'basis file');
    await refuseExisting(sig, opts.force, 'signature file');
    const r = await signatureFile(basis, sig, { ...sigOpts, overwrite: opts.force, signal: ctx.signal, chunkSize: opts.chunkSize, durable: opts.durable ?? true });
    const { basisLength, signatureLength, ...params } = r;
    return { ...params, blocks: blocksOf(basisLength, params), bytesIn: basisLength, bytesOut: signatureLength };
  }
  if (sig !== '-') await refuseExisting(sig, opts.force, 'signature file');
  const src = await openSource(basis, 'basis file', ctx, opts.chunkSize);
  try {
    const full: SignatureOptions = src.size === undefined ? sigOpts : { ...sigOpts, basisLength: src.size };
    const params = resolveSignatureParams(full);
    const bytesOut = await writeOutput(sig, 'signature file', signatureStream(src.chunks, { ...full, signal: ctx.signal }), ctx, opts);
    return { ...params, blocks: blocksOf(src.read(), params), bytesIn: src.read(), bytesOut };
  } finally {
    await src.close();
  }
}

/**
 * rdiff delta: SIG + NEW → DELTA. The delta's format follows the signature unless `format` is given.
 * @throws RsyncError for a bad signature; HintedError NOT_FOUND/EXISTS; AbortError
 * @example const stats = await runDelta('old.sig', '-', 'db.delta', undefined, jobOpts, ctx); // NEW from stdin
 */
export async function runDelta(sigPath: string, newPath: string, deltaPath: string, format: FormatKind | undefined, opts: JobOptions, ctx: CliContext): Promise<DeltaResult> {
  const fmt = format === undefined ? {} : { format };
  if (sigPath !== '-' && newPath !== '-' && deltaPath !== '-') {
    const magic = await fileMagic(sigPath, 'signature file');
    await checkInput(newPath, 'new file');
    await refuseExisting(deltaPath, opts.force, 'delta file');
    const stats = await deltaFile(sigPath, newPath, deltaPath, { ...fmt, overwrite: opts.force, signal: ctx.signal, chunkSize: opts.chunkSize, durable: opts.durable ?? true });
    const sigFormat = magic === undefined ? undefined : signatureKindOf(magic)?.format;
    return { ...stats, format: format ?? sigFormat ?? 'librsync', bytesIn: stats.newLength };
  }
  if (deltaPath !== '-') await refuseExisting(deltaPath, opts.force, 'delta file');
  const sigSrc = await openSource(sigPath, 'signature file', ctx, opts.chunkSize);
  const sig = await readSignatureStream(sigSrc.chunks, { signal: ctx.signal }).finally(() => sigSrc.close());
  const src = await openSource(newPath, 'new file', ctx, opts.chunkSize);
  try {
    let stats: DeltaStats | undefined;
    const gen = deltaStream(sig, src.chunks, { ...fmt, signal: ctx.signal, stats: (s) => (stats = s) });
    await writeOutput(deltaPath, 'delta file', gen, ctx, opts);
    if (!stats) throw new RsyncError('CORRUPT', 'delta finished without statistics');
    return { ...stats, format: format ?? sig.format, bytesIn: src.read() };
  } finally {
    await src.close();
  }
}

/**
 * rdiff patch: BASIS + DELTA → NEW. BASIS is read at random, so it must be a file.
 * With `format`, a delta in the other format is refused before anything is written.
 * @throws RsyncError BAD_MAGIC/TRUNCATED/CORRUPT/INTEGRITY; HintedError NOT_FOUND/EXISTS/UNSUPPORTED; AbortError
 * @example await runPatch('old.db', 'db.delta', '-', 'native', jobOpts, ctx); // NEW to stdout
 */
export async function runPatch(basis: string, deltaPath: string, outPath: string, format: FormatKind | undefined, opts: JobOptions, ctx: CliContext): Promise<PatchResult> {
  if (deltaPath !== '-' && outPath !== '-') {
    await checkInput(basis, 'basis file');
    const magic = await fileMagic(deltaPath, 'delta file');
    requireDeltaFormat(magic, format, deltaPath);
    await refuseExisting(outPath, opts.force, 'output file');
    const { outputLength } = await patchFile(basis, deltaPath, outPath, { overwrite: opts.force, signal: ctx.signal, chunkSize: opts.chunkSize, durable: opts.durable ?? true });
    const { size } = await stat(deltaPath);
    return { format: deltaFormatOf(magic), deltaLength: size, outputLength };
  }
  if (outPath !== '-') await refuseExisting(outPath, opts.force, 'output file');
  const { h, size } = await openInput(basis, 'basis file');
  try {
    const src = await openSource(deltaPath, 'delta file', ctx, opts.chunkSize);
    try {
      let magic: number | undefined;
      const deltaChunks = sniffMagic(src.chunks, (m) => {
        magic = m;
        requireDeltaFormat(m, format, deltaPath);
      });
      const gen = patchStream(fileSource(h, size), deltaChunks, { signal: ctx.signal });
      const outputLength = await writeOutput(outPath, 'output file', gen, ctx, opts);
      return { format: deltaFormatOf(magic), deltaLength: src.read(), outputLength };
    } finally {
      await src.close();
    }
  } finally {
    await h.close();
  }
}
