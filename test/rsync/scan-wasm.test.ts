/*
 * The WebAssembly candidate scan (scan-wasm.ts) against its JavaScript
 * reference, scanCandidates: the assembled module validates, and both list the
 * same window starts and weak sums for arbitrary data, block lengths and
 * ranges, including runs where every window hits the filter (so the module's
 * output fills up and the scan resumes after it).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { signature, readSignature, SignatureIndex } from '../../src/rsync/index.js';
import { scanCandidates, scanCandidatesWasm, scanSetup, type CandidateList } from '../../src/rsync/scan-candidates.js';
import { createWasmScanner, scanModuleBytes, WASM_FILTER, WASM_LEAVE } from '../../src/rsync/scan-wasm.js';
import { Rng } from '../helpers/prng.js';

const wasmApi = (globalThis as unknown as { WebAssembly: { validate(b: Uint8Array): boolean } }).WebAssembly;
const scanner = createWasmScanner(scanModuleBytes())!;

function both(basis: Uint8Array, data: Uint8Array, blockLen: number, from: number, to: number): [CandidateList, CandidateList] {
  const setup = scanSetup(new SignatureIndex(readSignature(signature(basis, { format: 'native', blockLen }))));
  return [scanCandidates(data, from, to, setup), scanCandidatesWasm(scanner, data, from, to, setup, WASM_LEAVE, WASM_FILTER)];
}
const list = (l: CandidateList) => ({ pos: Array.from(l.pos.subarray(0, l.count)), weak: Array.from(l.weak.subarray(0, l.count)) });

describe('WebAssembly candidate scan', () => {
  it('assembles a valid module and instantiates it', () => {
    expect(wasmApi.validate(scanModuleBytes())).toBe(true);
    expect(scanner).toBeDefined();
  });

  it('lists what scanCandidates lists, for arbitrary inputs', () => {
    const bytes = fc.oneof(fc.uint8Array({ maxLength: 3000 }), fc.uint8Array({ maxLength: 3000, min: 0, max: 1 }));
    fc.assert(
      fc.property(bytes, bytes, fc.integer({ min: 1, max: 64 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (basis, data, bl, a, b) => {
        const n = data.length - bl + 1;
        if (n <= 0 || basis.length === 0) return;
        const from = Math.floor(Math.min(a, b) * n);
        const to = Math.floor(Math.max(a, b) * n);
        const [js, wasm] = both(basis, data, bl, from, to);
        expect(list(wasm)).toEqual(list(js));
      }),
      { numRuns: 300 },
    );
  });

  it('resumes after its output fills (every window a candidate)', () => {
    const zeros = new Uint8Array(100_000);
    const [js, wasm] = both(new Uint8Array(64), zeros, 16, 0, zeros.length - 15);
    expect(js.count).toBe(zeros.length - 15);
    expect(list(wasm)).toEqual(list(js));
    // Mostly hits with misses between: a repeating pattern against a basis holding part of it.
    const rng = new Rng(5);
    const pat = rng.bytes(40);
    const data = Uint8Array.from({ length: 250_000 }, (_, i) => (i % 97 < 90 ? pat[i % 40]! : rng.int(256)));
    const [js2, wasm2] = both(pat, data, 8, 3, data.length - 7);
    expect(js2.count).toBeGreaterThan(1 << 14);
    expect(list(wasm2)).toEqual(list(js2));
  });

  it('reuses one instance across signatures and data sizes', () => {
    const rng = new Rng(9);
    for (const [bn, dn, bl] of [[5000, 200_000, 256], [300, 1000, 7], [80_000, 3_000_000, 2048]] as const) {
      const basis = rng.bytes(bn);
      const data = new Uint8Array(dn);
      for (let i = 0; i < dn; i += 1000) data.set(i % 3000 === 0 ? basis.subarray(0, Math.min(1000, bn)) : rng.bytes(1000), i);
      const [js, wasm] = both(basis, data.subarray(0, dn), bl, 0, dn - bl + 1);
      expect(list(wasm)).toEqual(list(js));
    }
  });
});
