/*
 * patchFile's pipeline (src/rsync/patch-pipeline.ts): outputs equal rdiff's
 * and the buffer API's across buffer boundaries and with many tiny commands;
 * a bad delta, a wrong basis, an I/O error or an abort midway leaves neither
 * the target nor a temp file, and the pipeline never returns while one of its
 * reads or writes is still running. Also AtomicFile's writeAt and writeback.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAtomic } from '../../src/core/atomic-file.js';
import { ByteSink } from '../../src/core/byte-sink.js';
import { xxh64 } from '../../src/core/strong-hash.js';
import { bufferSource, type RandomAccessSource } from '../../src/rsync/apply.js';
import { delta, patch, signature } from '../../src/rsync/buffers.js';
import { OP_END, writeCopy, writeLiteralHeader } from '../../src/rsync/delta-commands.js';
import { NATIVE_DELTA_MAGIC, RS_DELTA_MAGIC, type FormatKind } from '../../src/rsync/magic.js';
import { writeUint } from '../../src/rsync/netint.js';
import { patchFile } from '../../src/rsync/files.js';
import { patchPipeline, type PatchPipelineOptions, type PositionalSink } from '../../src/rsync/patch-pipeline.js';
import { concat, firstDiff } from '../helpers/bytes.js';
import { Rng, randomBytes, textBytes } from '../helpers/prng.js';
import { Rdiff } from '../helpers/rdiff.js';
import { codeOf } from '../helpers/errors.js';
import { makeTempDir, type TempDir } from '../helpers/temp-dir.js';

const MiB = 1 << 20;
let dir: TempDir;
const rdiff = new Rdiff();
/** Files made on purpose; anything else in the directory is a leftover (a temp file). */
const expected = new Set<string>();

beforeAll(() => {
  dir = makeTempDir('patch-pipeline');
});
afterAll(() => {
  dir.remove();
  rdiff.remove();
});

const read = (p: string) => new Uint8Array(readFileSync(p));
function put(name: string, data: Uint8Array): string {
  expected.add(name);
  return dir.write(name, data);
}
function target(name: string): string {
  expected.add(name);
  return dir.file(name);
}
const leftovers = () => dir.list().filter((f) => !expected.has(f));


type Cmd = { lit: Uint8Array } | { copy: number; len: number };

/** A delta from explicit commands (either format), and the output it describes. */
function buildDelta(format: FormatKind, basis: Uint8Array, cmds: readonly Cmd[]): { delta: Uint8Array; output: Uint8Array } {
  const sink = new ByteSink();
  const magic = new Uint8Array(4);
  writeUint(magic, 0, format === 'native' ? NATIVE_DELTA_MAGIC : RS_DELTA_MAGIC, 4);
  sink.append(magic);
  const parts: Uint8Array[] = [];
  for (const c of cmds) {
    if ('lit' in c) {
      writeLiteralHeader(sink, c.lit.length);
      sink.append(c.lit);
      parts.push(c.lit);
    } else {
      writeCopy(sink, c.copy, c.len);
      parts.push(basis.subarray(c.copy, c.copy + c.len));
    }
  }
  sink.appendByte(OP_END);
  const output = concat(...parts);
  if (format === 'native') {
    const t = new Uint8Array(16);
    writeUint(t, 0, output.length, 8);
    t.set(xxh64(output), 8);
    sink.append(t);
  }
  return { delta: sink.take().slice(), output };
}

/** Thousands of tiny literals and copies (scattered and in runs), with a few around the pipeline's thresholds. */
function tinyCommands(basis: Uint8Array, seed: number): Cmd[] {
  const rng = new Rng(seed);
  const cmds: Cmd[] = [];
  let run = rng.int(basis.length - 1000);
  for (let i = 0; i < 20_000; i++) {
    const r = rng.int(1000);
    if (r < 400) cmds.push({ lit: rng.bytes(rng.range(1, 70)) });
    else if (r < 700) {
      const len = rng.range(1, 300);
      cmds.push({ copy: rng.int(basis.length - len), len });
    } else if (r < 998) {
      // Consecutive copies of the basis, as from an edited file with a small block length.
      const len = rng.range(1, 700);
      if (run + len > basis.length) run = 0;
      cmds.push({ copy: run, len });
      run += len;
    } else {
      const len = rng.pick([65_535, 65_536, 65_537, 200_000]);
      cmds.push({ copy: rng.int(basis.length - len + 1), len });
    }
  }
  cmds.push({ copy: basis.length - 1, len: 1 }, { copy: 0, len: basis.length });
  return cmds;
}

/** A sink in memory that counts its running writes, and can be told to fail. */
class MemorySink implements PositionalSink {
  private buf = new Uint8Array(0);
  private length = 0;
  running = 0;
  maxRunning = 0;
  writes = 0;
  writebacks = 0;
  /** Write number `failAt` fails at once; write n takes delay(n) ms. */
  constructor(
    private readonly failAt = Infinity,
    private readonly delay = (n: number) => n % 3,
  ) {}
  async writeAt(chunk: Uint8Array, position: number): Promise<void> {
    const n = ++this.writes;
    this.maxRunning = Math.max(this.maxRunning, ++this.running);
    try {
      if (n === this.failAt) throw new Error(`write ${n} failed`);
      await new Promise((r) => setTimeout(r, this.delay(n)));
      if (this.buf.length < position + chunk.length) {
        const grown = new Uint8Array(Math.max(2 * this.buf.length, position + chunk.length));
        grown.set(this.buf);
        this.buf = grown;
      }
      this.buf.set(chunk, position);
      this.length = Math.max(this.length, position + chunk.length);
    } finally {
      this.running--;
    }
  }
  get data(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
  writeback(): boolean {
    this.writebacks++;
    return true;
  }
}

/** A basis in memory whose reads take delay(offset) ms, count themselves, and fail (after the delay) beyond `failFrom`. */
function slowSource(data: Uint8Array, failFrom = Infinity, delay = (_offset: number) => 5): RandomAccessSource & { running: number } {
  const s = {
    length: data.length,
    running: 0,
    read: async (offset: number, n: number) => {
      const out = new Uint8Array(n);
      await s.readInto(out, offset);
      return out;
    },
    async readInto(dst: Uint8Array, offset: number) {
      s.running++;
      try {
        await new Promise((r) => setTimeout(r, delay(offset)));
        if (offset + dst.length > failFrom) throw new Error(`read at ${offset} failed`);
        dst.set(data.subarray(offset, offset + dst.length));
      } finally {
        s.running--;
      }
    },
  };
  return s;
}

/** The delta fed to the pipeline in `chunkSize` reads. */
function memoryDelta(d: Uint8Array) {
  let pos = 0;
  return {
    read: async (dst: Uint8Array) => {
      const n = Math.min(dst.length, d.length - pos);
      dst.set(d.subarray(pos, pos + n));
      pos += n;
      return n;
    },
  };
}

const small: PatchPipelineOptions = { bufferSize: 50_000 + 3, buffers: 3, deltaChunkSize: 4096 + 1, writebackEvery: 100_000 };

describe('outputs', () => {
  const basis = concat(randomBytes(600_000, 11), textBytes(400_000, 12));

  for (const format of ['native', 'librsync'] as const) {
    it(`${format}: many tiny commands, through small buffers and through patchFile, equal the buffer API${format === 'librsync' ? ' and rdiff' : ''}`, async () => {
      const { delta: d, output } = buildDelta(format, basis, tinyCommands(basis, format === 'native' ? 1 : 2));
      expect(firstDiff(patch(basis, d, { maxOutput: 1 << 30 }), output)).toBeUndefined();
      if (format === 'librsync') expect(firstDiff(rdiff.patch(basis, d), output)).toBeUndefined();

      const sink = new MemorySink();
      expect(await patchPipeline(bufferSource(basis), memoryDelta(d), sink, small)).toBe(output.length);
      expect(firstDiff(sink.data, output)).toBeUndefined();
      expect(sink.writebacks).toBeGreaterThan(5);
      expect(sink.maxRunning).toBe(1); // one write at a time
      // A source without readInto (the RandomAccessSource minimum) works too.
      const sink2 = new MemorySink();
      const plain: RandomAccessSource = { length: basis.length, read: async (o, n) => basis.slice(o, o + n) };
      await patchPipeline(plain, memoryDelta(d), sink2, { ...small, buffers: 1 });
      expect(firstDiff(sink2.data, output)).toBeUndefined();

      const basisPath = put(`tiny-basis-${format}.bin`, basis);
      const deltaPath = put(`tiny-${format}.delta`, d);
      const res = await patchFile(basisPath, deltaPath, target(`tiny-out-${format}.bin`));
      expect(res.outputLength).toBe(output.length);
      expect(firstDiff(read(dir.file(`tiny-out-${format}.bin`)), output)).toBeUndefined();
      expect(leftovers()).toEqual([]);
    });
  }

  it('patchFile over many output buffers applies an rdiff delta exactly as rdiff does, and its own native delta', async () => {
    const big = concat(randomBytes(14 * MiB, 21), textBytes(6 * MiB, 22));
    const rng = new Rng(23);
    const edited = concat(big.subarray(0, 3 * MiB), rng.bytes(100_000), big.subarray(3 * MiB + 5000, 12 * MiB), textBytes(3 * MiB, 24), big.subarray(13 * MiB));
    const basisPath = put('big-basis.bin', big);
    const newPath = put('big-new.bin', edited);
    const sigPath = target('big.sig');
    const rdDelta = target('big-rdiff.delta');
    for (const args of [['signature', basisPath, sigPath], ['delta', sigPath, newPath, rdDelta], ['patch', basisPath, rdDelta, target('big-rdiff-out.bin')]]) {
      const r = rdiff.run(['-f', ...args]);
      expect(r.status, r.stderr).toBe(0);
    }
    await patchFile(basisPath, rdDelta, target('big-out.bin'));
    expect(firstDiff(read(dir.file('big-out.bin')), read(dir.file('big-rdiff-out.bin')))).toBeUndefined();
    expect(firstDiff(read(dir.file('big-out.bin')), edited)).toBeUndefined();

    const nd = put('big-native.delta', delta(signature(big, { format: 'native' }), edited));
    await patchFile(basisPath, nd, target('big-native-out.bin'), { chunkSize: 100_000 });
    expect(firstDiff(read(dir.file('big-native-out.bin')), edited)).toBeUndefined();
    expect(leftovers()).toEqual([]);
  });
});

describe('a delta on a pipe', () => {
  it('is read sequentially (its size is 0) and applies', async () => {
    const basis = randomBytes(3 * MiB, 61);
    const next = concat(basis.subarray(0, MiB), randomBytes(1000, 62), basis.subarray(MiB));
    const basisPath = put('pipe-basis.bin', basis);
    const deltaPath = put('pipe.delta', delta(signature(basis, { format: 'native' }), next));
    const fifo = target('pipe.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const writer = spawn('sh', ['-c', 'cat "$1" > "$2"', 'sh', deltaPath, fifo]);
    const exited = new Promise((resolve) => writer.on('exit', resolve));
    await patchFile(basisPath, fifo, target('pipe-out.bin'), { chunkSize: 4096 });
    expect(await exited).toBe(0);
    expect(firstDiff(read(dir.file('pipe-out.bin')), next)).toBeUndefined();
    expect(leftovers()).toEqual([]);
  });
});

describe('failures leave nothing behind', () => {
  // 20 MiB of output in three buffers' worth of writes, so writes are in flight when things go wrong.
  const basis = concat(randomBytes(12 * MiB, 31), textBytes(8 * MiB, 32));
  const next = concat(basis.subarray(0, 5 * MiB), randomBytes(2 * MiB, 33), basis.subarray(5 * MiB));
  let basisPath: string;
  let good: Uint8Array;
  beforeAll(() => {
    basisPath = put('f-basis.bin', basis);
    good = delta(signature(basis, { format: 'native' }), next);
  });

  async function expectNothing(run: (out: string) => Promise<unknown>, code: string): Promise<void> {
    expect(await codeOf(run(dir.file('f-out.bin')))).toBe(code);
    expect(dir.list()).not.toContain('f-out.bin');
    expect(leftovers()).toEqual([]);
    // With overwrite the old file stays as it was.
    writeFileSync(target('f-victim.bin'), 'old');
    expect(await codeOf(run(dir.file('f-victim.bin')))).toBe(code);
    expect(readFileSync(dir.file('f-victim.bin'), 'utf8')).toBe('old');
    expect(leftovers()).toEqual([]);
  }

  it('a delta truncated after megabytes of output: TRUNCATED', async () => {
    const d = put('f-trunc.delta', good.subarray(0, good.length - 20));
    await expectNothing((out) => patchFile(basisPath, d, out, { overwrite: true }), 'TRUNCATED');
  });

  it('a reserved opcode after megabytes of output: CORRUPT', async () => {
    const { delta: d } = buildDelta('native', basis, [{ copy: 0, len: 18 * MiB }, { lit: new Uint8Array(100) }]);
    const bad = d.slice();
    bad[bad.length - 17] = 0x60; // END becomes a reserved opcode
    await expectNothing((out) => patchFile(basisPath, put('f-corrupt.delta', bad), out, { overwrite: true }), 'CORRUPT');
  });

  it('the wrong basis: INTEGRITY', async () => {
    const wrong = basis.slice();
    wrong[15 * MiB]! ^= 1;
    const wrongPath = put('f-wrong-basis.bin', wrong);
    const d = put('f-good.delta', good);
    await expectNothing((out) => patchFile(wrongPath, d, out, { overwrite: true }), 'INTEGRITY');
  });

  it('the basis shrinking under the patch (a read error midway): TRUNCATED', async () => {
    const d = put('f-good2.delta', good);
    const shrinking = put('f-shrinking.bin', basis);
    await expectNothing(async (out) => {
      writeFileSync(shrinking, basis);
      let calls = 0;
      // Reads of the delta go ahead of the output: the first progress report comes before most of the basis is read.
      return patchFile(shrinking, d, out, { overwrite: true, chunkSize: 1000, onProgress: () => ++calls === 1 && truncateSync(shrinking, 2 * MiB) });
    }, 'TRUNCATED');
  });

  it('an abort midway: ABORTED', async () => {
    const d = put('f-good3.delta', good);
    await expectNothing((out) => {
      const ac = new AbortController();
      let calls = 0;
      return patchFile(basisPath, d, out, { overwrite: true, signal: ac.signal, chunkSize: 2000, onProgress: () => ++calls === 20 && ac.abort() });
    }, 'ABORTED');
  });
});

describe('the pipeline settles its I/O before it rejects', () => {
  const basis = randomBytes(400_000, 41);
  // Copies of 100 kB, each filling one 100 kB buffer with one read straight into it (no basis cache).
  const copies = (...blocks: number[]) => memoryDelta(buildDelta('native', basis, blocks.map((i) => ({ copy: i * 100_000, len: 100_000 }))).delta);
  const opts = { ...small, bufferSize: 100_000 };

  it('a failing write: rejects with it, no write or read still running', async () => {
    // Read 1 takes 1 ms and write 1 fails at once, while reads 2 and 3 take 30 ms.
    const src = slowSource(basis, Infinity, (offset) => (offset === 0 ? 1 : 30));
    const sink = new MemorySink(1);
    await expect(patchPipeline(src, copies(0, 1, 2, 3), sink, opts)).rejects.toThrow('write 1 failed');
    expect(sink.running).toBe(0);
    expect(src.running).toBe(0);
  });

  it('a failing basis read: rejects with it, no write or read still running', async () => {
    // Reads 1-3 succeed after 5 ms, their writes take 20 ms each, read 4 fails after 5 ms.
    const src = slowSource(basis, 350_000);
    const sink = new MemorySink(Infinity, () => 20);
    await expect(patchPipeline(src, copies(0, 1, 2, 3, 0, 1), sink, opts)).rejects.toThrow('read at 300000 failed');
    expect(sink.running).toBe(0);
    expect(src.running).toBe(0);
  });

  it('a read failing while the pipeline waits for a buffer to be written: no write still running', async () => {
    // Two buffers: the first written in 50 ms; the second's read fails after 5 ms, while the pipeline waits for the first.
    const src = slowSource(basis, 350_000);
    const sink = new MemorySink(Infinity, () => 50);
    await expect(patchPipeline(src, copies(0, 3, 0, 1), sink, { ...opts, buffers: 2 })).rejects.toThrow('read at 300000 failed');
    expect(sink.running).toBe(0);
    expect(src.running).toBe(0);
  });

  it('an abort during one long COPY: ABORTED before the end of it', async () => {
    const ac = new AbortController();
    const sink = new MemorySink();
    const copy = buildDelta('native', basis, [{ copy: 0, len: basis.length }]).delta;
    const writeAt = sink.writeAt.bind(sink);
    sink.writeAt = (data, at) => {
      ac.abort();
      return writeAt(data, at);
    };
    expect(await codeOf(patchPipeline(bufferSource(basis), memoryDelta(copy), sink, { ...small, bufferSize: 10_000, signal: ac.signal }))).toBe('ABORTED');
    expect(sink.writes).toBeLessThan(10);
    expect(sink.running).toBe(0);
  });

  it('bad options: RangeError', async () => {
    await expect(patchPipeline(bufferSource(basis), copies(0), new MemorySink(), { buffers: 0 })).rejects.toThrow(RangeError);
  });
});

describe('AtomicFile writeAt and writeback', () => {
  it('writes at positions in any order, with writeback running, and commits the whole', async () => {
    const data = randomBytes(3 * MiB + 17, 51);
    const f = await openAtomic(target('atomic.bin'));
    const parts = [2, 0, 3, 1].map((i) => f.writeAt(data.subarray(i * MiB, Math.min(data.length, (i + 1) * MiB)), i * MiB));
    expect(f.writeback()).toBe(true);
    expect(f.writeback()).toBe(false); // one at a time
    await Promise.all(parts);
    await f.commit();
    expect(firstDiff(read(dir.file('atomic.bin')), data)).toBeUndefined();
    expect(leftovers()).toEqual([]);
  });

  it('abort during a writeback removes the temp file', async () => {
    const f = await openAtomic(dir.file('atomic-aborted.bin'));
    await f.writeAt(randomBytes(MiB, 52), 0);
    f.writeback();
    await f.abort();
    expect(dir.list()).not.toContain('atomic-aborted.bin');
    expect(leftovers()).toEqual([]);
  });
});
