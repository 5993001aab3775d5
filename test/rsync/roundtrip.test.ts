// Round trips through our own signature, delta and patch on hand-made cases.
import { describe, expect, it } from 'vitest';
import { delta, patch, readSignature, signature } from '../../src/rsync/index.js';
import { randomBytes } from '../helpers/prng.js';

const formats = [
  { format: 'librsync', weak: 'rabinkarp', strong: 'blake2' },
  { format: 'librsync', weak: 'rollsum', strong: 'md4' },
  { format: 'native' },
] as const;

describe('round trip', () => {
  for (const f of formats) {
    it(`${JSON.stringify(f)} reproduces edits`, () => {
      const basis = randomBytes(100_000, 1);
      const edited = new Uint8Array([...basis.subarray(0, 30_000), 1, 2, 3, ...basis.subarray(30_010, 90_000), ...randomBytes(5000, 2)]);
      for (const [a, b] of [
        [basis, edited],
        [basis, basis],
        [new Uint8Array(0), edited],
        [basis, new Uint8Array(0)],
        [basis, basis.subarray(7)],
        [basis.subarray(0, 99_999), basis],
      ] as const) {
        const sig = signature(a, f);
        const d = delta(sig, b);
        expect(patch(a, d)).toEqual(b);
      }
      const same = delta(signature(basis, f), basis);
      expect(same.length).toBeLessThan(100);
      expect(readSignature(signature(basis, f)).blockCount).toBeGreaterThan(10);
    });
  }
});
