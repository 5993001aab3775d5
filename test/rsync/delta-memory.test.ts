// The delta window grows with the data: a signature header declaring a huge block
// length costs no large allocation until that much data actually arrives.
import { describe, expect, it } from 'vitest';
import { DeltaEncoder, readSignature, signature } from '../../src/rsync/index.js';

describe('DeltaEncoder memory', () => {
  it('does not allocate a window for a hostile block length up front', () => {
    // A valid native-less librsync header: RK+BLAKE2, block_len 2^26, strong_len 32, no blocks.
    const sig = readSignature(Uint8Array.of(0x72, 0x73, 0x01, 0x47, 0x04, 0, 0, 0, 0, 0, 0, 32));
    const before = process.memoryUsage().arrayBuffers;
    const encoders = Array.from({ length: 20 }, () => new DeltaEncoder(sig));
    const grown = process.memoryUsage().arrayBuffers - before;
    // 20 eager windows would be 20 × 135 MB; lazily they are 20 × 64 KiB plus sinks.
    expect(grown).toBeLessThan(20 * 1024 * 1024);
    const out = encoders[0]!.push(new Uint8Array(1000).fill(7));
    expect(out.length + encoders[0]!.finish().length).toBeGreaterThan(1000);
  });

  it('still matches blocks larger than the initial window', () => {
    const basis = Uint8Array.from({ length: 600_000 }, (_, i) => (i * 2654435761) >>> 24);
    const sig = readSignature(signature(basis, { blockLen: 200_000 }));
    const enc = new DeltaEncoder(sig);
    for (let o = 0; o < basis.length; o += 1000) enc.push(basis.subarray(o, o + 1000));
    enc.finish();
    expect(enc.stats.copyBytes).toBe(basis.length);
    expect(enc.stats.literalBytes).toBe(0);
  });
});
