/*
 * The parallel file signature (signatureFileParallel): byte-identical to
 * SignatureEncoder for every magic, block and strong length, at sizes around
 * block and span boundaries, with and without a worker; the same as the real
 * `rdiff signature`; aborts, a worker that goes away, a file shorter than its
 * size, bad arguments; and a process that used it still exits by itself.
 */
import { spawnSync } from 'node:child_process';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ClawbackError } from '../../src/core/errors.js';
import { writeChunksAtomic } from '../../src/rsync/files.js';
import { resolveSignatureParams, type SignatureOptions, type SignatureParams } from '../../src/rsync/signature-params.js';
import {
  closeSignatureWorkers,
  defaultSignatureWorkers,
  PARALLEL_SIGNATURE_MAX_BLOCK_LEN,
  PARALLEL_SIGNATURE_MIN_BYTES,
  PARALLEL_SIGNATURE_WARM_MIN_BYTES,
  signatureFileParallel,
  signatureWorkersRunning,
  useParallelSignature,
  type ParallelSignatureOptions,
  type ParallelSignatureStats,
} from '../../src/rsync/signature-parallel.js';
import { SignatureEncoder } from '../../src/rsync/signature.js';
import { concat, firstDiff } from '../helpers/bytes.js';
import { randomBytes, textBytes } from '../helpers/prng.js';
import { Rdiff } from '../helpers/rdiff.js';
import { kindName, SIG_KINDS } from '../helpers/sig-kinds.js';
import { makeTempDir, type TempDir } from '../helpers/temp-dir.js';

const BUILD = inject('buildRoot');
const MiB = 1 << 20;

let dir: TempDir;
let bigPath: string;
let big: FileHandle;
const rdiff = new Rdiff();
/** Random bytes, then text (so weak sums repeat and strong sums decide), 3 MiB + 1234 in all. */
const bigData = concat(randomBytes(2 * MiB, 11), textBytes(MiB + 1234, 12));

beforeAll(async () => {
  dir = makeTempDir('sigpar');
  bigPath = dir.write('big.bin', bigData);
  big = await open(bigPath, 'r');
});
afterAll(async () => {
  await big.close();
  await closeSignatureWorkers();
  dir.remove();
  rdiff.remove();
});

/** SignatureEncoder's signature of `data`: the reference. */
function reference(data: Uint8Array, opts: SignatureOptions): Uint8Array {
  const enc = new SignatureEncoder(opts);
  return concat(enc.push(data), enc.finish());
}

/** Runs signatureFileParallel to the end: the signature bytes and the statistics. */
async function runParallel(h: FileHandle, size: number, params: SignatureParams, opts: ParallelSignatureOptions = {}): Promise<{ sig: Uint8Array; stats: ParallelSignatureStats }> {
  const parts: Uint8Array[] = [];
  const gen = signatureFileParallel(h, size, params, opts);
  for (;;) {
    const r = await gen.next();
    if (r.done) return { sig: concat(...parts), stats: r.value };
    parts.push(r.value);
  }
}

/** Signs the first `size` bytes of the big file both ways and expects the same bytes. */
async function expectSame(size: number, opts: SignatureOptions, par: ParallelSignatureOptions = {}): Promise<ParallelSignatureStats> {
  const sigOpts = { ...opts, basisLength: size };
  const { sig, stats } = await runParallel(big, size, resolveSignatureParams(sigOpts), par);
  const want = reference(bigData.subarray(0, size), sigOpts);
  expect(firstDiff(sig, want), `${kindName(opts)} size ${size} blockLen ${opts.blockLen} strongLen ${opts.strongLen}`).toBeUndefined();
  return stats;
}

describe('signatureFileParallel matches SignatureEncoder', () => {
  for (const kind of SIG_KINDS) {
    const name = kindName(kind);

    it(`${name}: files of 0, 1, blockLen-1, blockLen and blockLen+1 bytes`, async () => {
      for (const blockLen of [1, 7, 256, 2048]) {
        for (const size of [0, 1, blockLen - 1, blockLen, blockLen + 1]) {
          if (size < 0) continue;
          // Real files of exactly that size (not a prefix of a longer one).
          const p = dir.write(`small-${name.replace('/', '-')}-${blockLen}-${size}`, bigData.subarray(0, size));
          const h = await open(p, 'r');
          try {
            const opts = { ...kind, blockLen, basisLength: size };
            const { sig, stats } = await runParallel(h, size, resolveSignatureParams(opts));
            expect(firstDiff(sig, reference(bigData.subarray(0, size), opts)), `blockLen ${blockLen} size ${size}`).toBeUndefined();
            expect(stats.spans).toBe(size === 0 ? 0 : 1);
          } finally {
            await h.close();
          }
        }
      }
    });

    it(`${name}: 3 MiB in small spans, block and strong lengths, sizes around the span splits`, async () => {
      const max = kind.format === 'native' ? 8 : kind.strong === 'md4' ? 16 : 32;
      let workerStrongSpans = 0;
      for (const [blockLen, strongLen] of [
        [64, 0],
        [100, 3],
        [1000, max - 1],
        [4096, -1],
        [0, 0], // recommended for the size
      ] as const) {
        const opts = { ...kind, blockLen, strongLen };
        const span = 64 * 1024;
        // With blockLen 100 a span is 65500 bytes, so splits fall at 65500 * k.
        const spanLen = blockLen === 0 ? span : Math.floor(span / blockLen) * blockLen;
        for (const size of [bigData.length, 7 * spanLen, 7 * spanLen + 1, 7 * spanLen - 1, 3 * spanLen + 1]) {
          workerStrongSpans += (await expectSame(size, opts, { spanBytes: span })).workerStrongSpans;
        }
      }
      expect(workerStrongSpans).toBeGreaterThan(0); // the worker hashed whole spans
    });

    it(`${name}: this thread alone (workers: 0) and the default span`, async () => {
      const stats = await expectSame(bigData.length, { ...kind, blockLen: 512 }, { workers: 0, spanBytes: 100_000 });
      expect(stats).toEqual({ spans: Math.ceil(bigData.length / 99_840), workerSpans: 0, workerStrongSpans: 0, workers: 0 });
      await expectSame(bigData.length, { ...kind, blockLen: 300, strongLen: 5 });
    });
  }

  it('two calls at once share the worker and both come out right', async () => {
    const [a, b] = await Promise.all([
      expectSame(bigData.length, { format: 'native', blockLen: 128 }, { spanBytes: 32 * 1024 }),
      expectSame(bigData.length - 5, { weak: 'rollsum', strong: 'blake2', blockLen: 96, strongLen: 7 }, { spanBytes: 48 * 1024 }),
    ]);
    expect(a.workerSpans + b.workerSpans).toBeGreaterThan(0);
  });

  it('spans shorter than a block are a block long', async () => {
    const stats = await expectSame(bigData.length, { format: 'native', blockLen: 300_000 }, { spanBytes: 1000 });
    expect(stats.spans).toBe(Math.ceil(bigData.length / 300_000));
  });

  it('written with writeChunksAtomic, equals the real rdiff signature of the file', async () => {
    const out = dir.file('big.sig');
    for (const opts of [{}, { weak: 'rollsum', strong: 'md4', blockLen: 700, strongLen: 6 }] as const) {
      const params = resolveSignatureParams({ ...opts, basisLength: bigData.length });
      await writeChunksAtomic(out, signatureFileParallel(big, bigData.length, params, { spanBytes: 256 * 1024 }), { overwrite: true });
      const want = rdiff.signatureOfFile(bigPath, opts);
      expect(firstDiff(dir.read('big.sig'), want)).toBeUndefined();
    }
  });

  it('reports progress per span up to the size', async () => {
    const seen: number[] = [];
    const params = resolveSignatureParams({ format: 'native', blockLen: 1024 });
    await runParallel(big, bigData.length, params, { spanBytes: MiB, onProgress: (n) => seen.push(n) });
    expect(seen).toEqual([MiB, 2 * MiB, 3 * MiB, bigData.length]);
  });
});

describe('signatureFileParallel failures', () => {
  const params = resolveSignatureParams({ blockLen: 64 });

  it('an aborted signal rejects with ABORTED before anything is read', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(runParallel(big, bigData.length, params, { signal: ac.signal })).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('aborting mid-way rejects with ABORTED, and the next call works', async () => {
    const ac = new AbortController();
    let progress = 0;
    const run = runParallel(big, bigData.length, params, {
      signal: ac.signal,
      spanBytes: 64 * 1024,
      onProgress: (n) => {
        progress = n;
        ac.abort();
      },
    });
    await expect(run).rejects.toSatisfy((e) => e instanceof ClawbackError && e.code === 'ABORTED');
    expect(progress).toBe(64 * 1024);
    await expectSame(bigData.length, { blockLen: 64 }, { spanBytes: 64 * 1024 });
  });

  it('a worker that goes away mid-way fails the call with RsyncError IO, and the next call starts a new one', async () => {
    const gen = signatureFileParallel(big, bigData.length, params, { spanBytes: 64 * 1024, workers: 1 });
    expect((await gen.next()).value).toHaveLength(12); // the header; the call now holds its worker
    await closeSignatureWorkers();
    await expect(gen.next()).rejects.toMatchObject({ name: 'RsyncError', code: 'IO' });
    // The new worker takes spans once it is running (until then this thread does them all).
    let stats: ParallelSignatureStats | undefined;
    for (let i = 0; i < 50 && !stats?.workerSpans; i++) stats = await expectSame(bigData.length, { blockLen: 64 }, { spanBytes: 64 * 1024, workers: 1 });
    expect(stats!.workers).toBe(1);
    expect(stats!.workerSpans).toBeGreaterThan(0);
  });

  it('a file shorter than the size given rejects with TRUNCATED', async () => {
    await expect(runParallel(big, bigData.length + 1, params, { spanBytes: 64 * 1024 })).rejects.toMatchObject({ name: 'RsyncError', code: 'TRUNCATED' });
    await expect(runParallel(big, bigData.length + 1, params, { spanBytes: 64 * 1024, workers: 0 })).rejects.toMatchObject({ code: 'TRUNCATED' });
  });

  it('bad arguments throw TypeError/RangeError naming them', async () => {
    await expect(runParallel(big, -1, params)).rejects.toThrow(RangeError);
    await expect(runParallel(big, 10, { ...params, blockLen: 0.5 })).rejects.toThrow(/"blockLen" expected integer/);
    await expect(runParallel(big, 10, { ...params, magic: 0x72730136 })).rejects.toThrow(/"magic" expected/);
    await expect(runParallel(big, 10, params, { workers: -1 })).rejects.toThrow(/"workers" expected integer >= 0/);
    await expect(runParallel(big, 10, params, { spanBytes: 0 })).rejects.toThrow(/"spanBytes" expected integer >= 1/);
  });
});

describe('worker threads and the process', () => {
  it('CLAWBACK_SIGNATURE_WORKERS sets the default worker count; useParallelSignature needs a worker, size and short blocks', async () => {
    const saved = process.env['CLAWBACK_SIGNATURE_WORKERS'];
    try {
      for (const [env, n] of [['0', 0], ['1', 1], ['2', 2], ['9', 3], ['x', 0], ['-1', 0]] as const) {
        process.env['CLAWBACK_SIGNATURE_WORKERS'] = env;
        expect(defaultSignatureWorkers(), env).toBe(n);
      }
      process.env['CLAWBACK_SIGNATURE_WORKERS'] = '1';
      // No worker running: the cold threshold.
      await closeSignatureWorkers();
      expect(signatureWorkersRunning()).toBe(false);
      expect(useParallelSignature(PARALLEL_SIGNATURE_WARM_MIN_BYTES, { blockLen: 4096 })).toBe(false);
      expect(useParallelSignature(PARALLEL_SIGNATURE_MIN_BYTES, { blockLen: 4096 })).toBe(true);
      expect(useParallelSignature(PARALLEL_SIGNATURE_MIN_BYTES - 1, { blockLen: 4096 })).toBe(false);
      expect(useParallelSignature(PARALLEL_SIGNATURE_MIN_BYTES, { blockLen: PARALLEL_SIGNATURE_MAX_BLOCK_LEN })).toBe(true);
      expect(useParallelSignature(PARALLEL_SIGNATURE_MIN_BYTES, { blockLen: PARALLEL_SIGNATURE_MAX_BLOCK_LEN + 1 })).toBe(false);
      // A worker running (it took part in a call): the warm threshold.
      for (let i = 0; i < 50 && !signatureWorkersRunning(); i++) await expectSame(MiB, { format: 'native' }, { spanBytes: 64 * 1024, workers: 1 });
      expect(signatureWorkersRunning()).toBe(true);
      expect(useParallelSignature(PARALLEL_SIGNATURE_WARM_MIN_BYTES, { blockLen: 4096 })).toBe(true);
      expect(useParallelSignature(PARALLEL_SIGNATURE_WARM_MIN_BYTES - 1, { blockLen: 4096 })).toBe(false);
      process.env['CLAWBACK_SIGNATURE_WORKERS'] = '0';
      expect(useParallelSignature(1 << 40, { blockLen: 4096 })).toBe(false);
    } finally {
      if (saved === undefined) delete process.env['CLAWBACK_SIGNATURE_WORKERS'];
      else process.env['CLAWBACK_SIGNATURE_WORKERS'] = saved;
    }
  });

  /** Runs `script` (an ES module, after imports of the built library) in a child node; its stdout. */
  function child(script: string, env: Record<string, string>, ...args: string[]): string {
    const head = `
      import { open } from 'node:fs/promises';
      const { signatureFileParallel } = await import(${JSON.stringify(join(BUILD, 'src/rsync/signature-parallel.js'))});
      const { writeChunksAtomic, resolveSignatureParams } = await import(${JSON.stringify(join(BUILD, 'src/rsync/index.js'))});
    `;
    // --input-type=module: the eval'd worker inherits it and must still start.
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', head + script, ...args], { timeout: 30_000, encoding: 'utf8', env: { ...process.env, ...env } });
    expect(r.error).toBeUndefined(); // no timeout: the worker did not keep the process alive
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    return r.stdout;
  }

  it('a process whose worker was started but never got a span exits by itself', () => {
    const one = dir.write('one.bin', bigData.subarray(0, 1));
    const out = dir.file('one.sig');
    const stats = child(
      `
      const h = await open(process.argv[1], 'r');
      const gen = signatureFileParallel(h, 1, resolveSignatureParams({ basisLength: 1 }));
      let stats;
      await writeChunksAtomic(process.argv[2], (async function* () { stats = yield* gen; })(), { overwrite: true });
      await h.close();
      process.stdout.write(JSON.stringify(stats));
    `,
      {},
      one,
      out,
    );
    // workerSpans is 0 unless this thread stalled for the ~45 ms the worker takes to start.
    expect(JSON.parse(stats)).toMatchObject({ spans: 1, workers: 1 });
    expect(firstDiff(dir.read('one.sig'), reference(bigData.subarray(0, 1), { basisLength: 1 }))).toBeUndefined();
  });

  /** Signs the big file (native) in a child with `env` until its worker took part (`until` > 0); the last call's statistics. */
  function childUntilWorker(env: Record<string, string>, until: 'workerSpans' | 'workerStrongSpans'): ParallelSignatureStats {
    const out = dir.file('child.sig');
    const stats = child(
      `
      const h = await open(process.argv[1], 'r');
      const { size } = await h.stat();
      const params = resolveSignatureParams({ basisLength: size, format: 'native' });
      // Again until the worker took part (it takes spans once it is running, whole ones once it loaded the hash).
      let stats;
      for (let i = 0; i < 50 && !stats?.[process.argv[3]]; i++) {
        const gen = signatureFileParallel(h, size, params, { spanBytes: 65536 });
        await writeChunksAtomic(process.argv[2], (async function* () { stats = yield* gen; })(), { overwrite: true });
      }
      await h.close();
      process.stdout.write(JSON.stringify(stats));
    `,
      env,
      bigPath,
      out,
      until,
    );
    expect(firstDiff(dir.read('child.sig'), reference(bigData, { basisLength: bigData.length, format: 'native' }))).toBeUndefined();
    return JSON.parse(stats) as ParallelSignatureStats;
  }

  it('a process whose worker took part exits by itself, with the same bytes as SignatureEncoder', () => {
    const stats = childUntilWorker({}, 'workerStrongSpans');
    expect(stats.workerStrongSpans).toBeGreaterThan(0);
  });

  it('without WebAssembly (CLAWBACK_WASM=0) the worker runs the JavaScript RabinKarp, same bytes', () => {
    const stats = childUntilWorker({ CLAWBACK_WASM: '0' }, 'workerStrongSpans');
    expect(stats.workerStrongSpans).toBeGreaterThan(0);
  });

  it('with CLAWBACK_HASH=js the worker computes only weak sums (strong ones stay on the JS hashes here), same bytes', () => {
    const stats = childUntilWorker({ CLAWBACK_HASH: 'js' }, 'workerSpans');
    expect(stats.workerSpans).toBeGreaterThan(0);
    expect(stats.workerStrongSpans).toBe(0);
  });
});
