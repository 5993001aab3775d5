// The compression adapter: the entropy sample that decides "store raw" matches a plain
// reference computation, random bytes are stored raw, text is deflated, and every blob
// round-trips through compress/decompress.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import type { Worker } from 'node:worker_threads';
import { CompressionPool, deflateOptions } from '../../src/core/compress-pool.js';
import { compress, compressSync, decompress, looksIncompressible, sampleEntropy, CODEC_DEFLATE, CODEC_NONE } from '../../src/core/compress.js';
import { Rng } from '../helpers/prng.js';

/** The textbook definition over the same three samples. */
function referenceEntropy(data: Uint8Array, sample = 4096): number {
  const picked: number[] = [];
  if (data.length <= sample) picked.push(...data);
  else {
    const third = Math.floor(sample / 3);
    const mid = Math.floor(data.length / 2);
    picked.push(...data.subarray(0, third), ...data.subarray(mid, mid + third), ...data.subarray(data.length - third));
  }
  if (picked.length === 0) return 0;
  const counts = new Map<number, number>();
  for (const b of picked) counts.set(b, (counts.get(b) ?? 0) + 1);
  let h = 0;
  for (const c of counts.values()) h -= (c / picked.length) * Math.log2(c / picked.length);
  return h;
}

describe('compress', () => {
  it('sampleEntropy agrees with the definition on random, text, skewed and tiny inputs', () => {
    const rng = new Rng(3);
    const inputs: Uint8Array[] = [
      new Uint8Array(0),
      Uint8Array.of(7),
      new Uint8Array(4096).fill(9),
      randomBytes(100),
      randomBytes(4096),
      randomBytes(65536),
      new TextEncoder().encode('{"type":"message","role":"assistant"}\n'.repeat(500)),
      Uint8Array.from({ length: 20000 }, () => (rng.u32() % 7 === 0 ? rng.u32() & 255 : 32)),
    ];
    for (const d of inputs) {
      for (const sample of [4096, 3000, 64]) expect(sampleEntropy(d, sample)).toBeCloseTo(referenceEntropy(d, sample), 9);
    }
  });

  it('stores random bytes raw and deflates text; every blob round-trips', async () => {
    const random = randomBytes(20000);
    const text = new TextEncoder().encode('hello openclaw '.repeat(2000));
    expect(looksIncompressible(random)).toBe(true);
    expect(looksIncompressible(text)).toBe(false);
    const r = await compress(random);
    expect(r.codec).toBe(CODEC_NONE);
    const t = await compress(text);
    expect(t.codec).toBe(CODEC_DEFLATE);
    expect(t.data.length).toBeLessThan(text.length / 10);
    for (const c of [r, t, compressSync(text, 9), compressSync(random, 1)]) {
      const raw = c === r || c.data === random ? random : text;
      expect(Buffer.from(await decompress(c.codec, c.data, raw.length)).equals(Buffer.from(raw))).toBe(true);
    }
  });

  it('a blob handed over (give) moves to the worker without a copy; one deflate cannot shrink comes back raw, byte for byte', async () => {
    // Low entropy where the sample looks (so deflate is tried), random everywhere else (so it saves < 1/32).
    const data = new Uint8Array(randomBytes(1 << 20));
    const third = Math.floor(4096 / 3);
    const mid = data.length / 2;
    for (const [a, b] of [[0, third], [mid, mid + third], [data.length - third, data.length]] as const) data.fill(32, a, b);
    expect(looksIncompressible(data)).toBe(false);
    const expected = data.slice();
    const given = data.slice();
    const r = await compress(given, 3, true);
    expect(given.byteLength).toBe(0); // detached: transferred to the worker
    expect(r.codec).toBe(CODEC_NONE);
    expect(Buffer.from(r.data).equals(Buffer.from(expected))).toBe(true);
    // Without give the caller keeps its bytes; text is deflated either way and round-trips.
    const text = new TextEncoder().encode('{"role":"user","content":"hello"}\n'.repeat(2000));
    const kept = await compress(text, 3);
    expect(text.byteLength).toBeGreaterThan(0);
    const t2 = text.slice();
    const moved = await compress(t2, 3, true);
    expect(kept.codec).toBe(CODEC_DEFLATE);
    expect(moved.codec).toBe(CODEC_DEFLATE);
    expect(Buffer.from(await decompress(moved.codec, moved.data, text.length)).equals(Buffer.from(text))).toBe(true);
  });

  it('the deflate window fits the blob, and blobs of every size class round-trip through the workers and inline', async () => {
    expect(deflateOptions(3, 100).windowBits).toBe(9);
    expect(deflateOptions(3, 4096).windowBits).toBe(12);
    expect(deflateOptions(3, 4097).windowBits).toBe(13);
    expect(deflateOptions(3, 1 << 20).windowBits).toBe(15);
    const rng = new Rng(11);
    const words = ['{"role":"user",', '"content":"', 'hello ', 'world ', '\n', 'SELECT ', '42, '];
    for (const n of [65, 511, 512, 513, 4096, 5000, 16384, 40000, 65536, 300_000]) {
      let text = '';
      while (text.length < n) text += words[rng.u32() % words.length];
      const data = new TextEncoder().encode(text.slice(0, n));
      for (const c of [await compress(data, 3), compressSync(data, 6)]) {
        expect(c.codec, `${n} bytes`).toBe(CODEC_DEFLATE);
        expect(Buffer.from(await decompress(c.codec, c.data, n)).equals(Buffer.from(data)), `${n} bytes`).toBe(true);
      }
    }
  });

  it('a compression worker that dies fails only the jobs it held; later jobs run on this thread; nothing hangs', async () => {
    const pool = new CompressionPool(1);
    const slot = (pool as unknown as { workers: { w: Worker }[] }).workers[0]!;
    const text = new TextEncoder().encode('{"role":"assistant","content":"ok"}\n'.repeat(3000));
    const first = pool.deflate(text, 3);
    await new Promise((r) => setImmediate(r)); // posted to the worker by now
    await slot.w.terminate();
    const outcome = await first.then(
      () => 'done',
      (e: Error) => e.message,
    );
    expect(outcome === 'done' || /exited/.test(outcome)).toBe(true);
    const later = await pool.deflate(text, 3); // no worker left: deflated on this thread
    expect(later.raw).toBe(false);
    expect(Buffer.from(await decompress(CODEC_DEFLATE, later.data, text.length)).equals(Buffer.from(text))).toBe(true);
  });

  it('the workers start when the parent runs as an ES module from the command line (--input-type=module)', () => {
    // An eval'd worker inherits the parent's execArgv: under --input-type=module its code is an ES module.
    const pool = JSON.stringify(join(inject('buildRoot'), 'src/core/compress-pool.js'));
    const script = `
      const { CompressionPool } = await import(${pool});
      const p = new CompressionPool(1);
      const d = await p.deflate(new TextEncoder().encode('abc'.repeat(5000)), 3);
      console.log(d.raw, d.data.length);
      process.exit(0);
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const [raw, len] = r.stdout.trim().split(' ');
    expect(raw).toBe('false');
    expect(Number(len)).toBeLessThan(200);
  });
});
