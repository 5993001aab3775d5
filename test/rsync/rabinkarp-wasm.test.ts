/*
 * The WebAssembly RabinKarp block sum (rabinkarp-wasm.ts) against the
 * JavaScript rabinKarp: the module validates and runs here, and both give the
 * same sum for every length around the WebAssembly threshold and the 4-byte
 * step, at any offset, and for ranges larger than the module's first page.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rabinKarp } from '../../src/rsync/rabinkarp.js';
import { rabinKarpBlock, rabinKarpModuleBytes, rabinKarpWasm } from '../../src/rsync/rabinkarp-wasm.js';
import { randomBytes } from '../helpers/prng.js';

const validate = (b: Uint8Array) => (globalThis as unknown as { WebAssembly: { validate(b: Uint8Array): boolean } }).WebAssembly.validate(b);

describe('RabinKarp in WebAssembly', () => {
  it('assembles a valid module that loads here', () => {
    expect(validate(rabinKarpModuleBytes())).toBe(true);
    expect(rabinKarpWasm).toBe(true);
  });

  it('equals rabinKarp for every length from 0 to 600 at several offsets', () => {
    const data = randomBytes(700, 3);
    for (let n = 0; n <= 600; n++) for (const s of [0, 1, 2, 3, 50]) expect(rabinKarpBlock(data, s, s + n)).toBe(rabinKarp(data, s, s + n));
  });

  it('equals rabinKarp for ranges larger than one memory page, and after it grew', () => {
    const data = randomBytes(1_500_000, 4);
    for (const [s, e] of [[0, 1_500_000], [7, 70_003], [1, 1_000], [65_535, 1_400_001]] as const) expect(rabinKarpBlock(data, s, e)).toBe(rabinKarp(data, s, e));
  });

  it('equals rabinKarp for arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 5000 }), fc.nat(), (d, k) => {
        const s = d.length ? k % d.length : 0;
        expect(rabinKarpBlock(d, s)).toBe(rabinKarp(d, s));
      }),
    );
  });
});
