/*
 * Property tests (fast-check): patch(basis, delta(signature(basis), new)) ==
 * new for arbitrary inputs and edits, every format and small block lengths;
 * and split invariance of the four push-style engines: any chunking of the
 * input (every 3-way split of small inputs, arbitrary splits of larger ones)
 * gives the same bytes as one push.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyDelta,
  bufferSource,
  delta,
  DeltaEncoder,
  patch,
  PatchDecoder,
  patchStream,
  readSignature,
  signature,
  SignatureDecoder,
  SignatureEncoder,
  type DeltaOptions,
  type Signature,
  type SignatureOptions,
} from '../../src/rsync/index.js';
import { concat, firstDiff, sameBytes } from '../helpers/bytes.js';
import { randomBytes, textBytes } from '../helpers/prng.js';
import { applyEdits, editArb } from '../helpers/edit-arb.js';
import { SIG_KINDS as KINDS, kindName } from '../helpers/sig-kinds.js';


// --- generators ---------------------------------------------------------------

/** Basis bytes: random, or low-entropy (few distinct values) so weak sums collide and blocks repeat. */
const basisArb = fc.oneof(
  fc.uint8Array({ maxLength: 3000 }),
  fc.uint8Array({ maxLength: 3000, min: 0, max: 2 }),
  fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 16 }), fc.nat({ max: 2000 })).map(([p, n]) => Uint8Array.from({ length: n }, (_, i) => p[i % p.length]!)),
);

/** A new file: derived from the basis by edits (so blocks match), or unrelated. */
const pairArb = basisArb.chain((basis) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.array(editArb, { maxLength: 6 }).map((edits) => ({ basis, data: applyEdits(basis, edits) })) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 2000 }).map((data) => ({ basis, data })) },
  ),
);

/** Cut points splitting `n` bytes into arbitrary chunks (empty chunks included). */
const cutsArb = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 12 });
function split(data: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const at = cuts.map((c) => Math.floor(c * data.length)).sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const c of at) {
    out.push(data.subarray(prev, c));
    prev = c;
  }
  out.push(data.subarray(prev));
  return out;
}

// --- chunked drivers of the push engines ---------------------------------------

function sigChunked(opts: SignatureOptions, chunks: readonly Uint8Array[]): Uint8Array {
  const enc = new SignatureEncoder(opts);
  return concat(...chunks.map((c) => enc.push(c)), enc.finish());
}
function deltaChunked(sig: Signature, chunks: readonly Uint8Array[], opts: DeltaOptions = {}): Uint8Array {
  const enc = new DeltaEncoder(sig, opts);
  return concat(...chunks.map((c) => enc.push(c)), enc.finish());
}
function readSigChunked(chunks: readonly Uint8Array[]): Signature {
  const dec = new SignatureDecoder();
  for (const c of chunks) dec.push(c);
  return dec.finish();
}
/** Applies a delta pushed in chunks through PatchDecoder (literal data is copied before the next push). */
function patchChunked(basis: Uint8Array, chunks: readonly Uint8Array[]): Uint8Array {
  const dec = new PatchDecoder({ basisLength: basis.length });
  const out: Uint8Array[] = [];
  for (const c of chunks) {
    for (const op of dec.push(c)) out.push(op.op === 'literal' ? op.data.slice() : basis.slice(op.offset, op.offset + op.length));
  }
  dec.finish();
  return concat(...out);
}

/** A canonical text form of a parsed signature, cheap to compare many times. */
function describeSig(s: Signature): string {
  const hex = (a: Uint8Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('hex');
  return JSON.stringify({ ...s, weakSums: Array.from(s.weakSums), strongSums: hex(s.strongSums) });
}

/** Every split of `data` into three consecutive (possibly empty) chunks. */
function* threeWaySplits(data: Uint8Array): Generator<Uint8Array[]> {
  for (let i = 0; i <= data.length; i++) {
    for (let j = i; j <= data.length; j++) yield [data.subarray(0, i), data.subarray(i, j), data.subarray(j)];
  }
}

// --- properties ----------------------------------------------------------------

describe('round trip: patch(basis, delta(signature(basis), new)) == new', () => {
  for (const kind of KINDS) {
    it(`${kindName(kind)}, block lengths 1..64`, () => {
      fc.assert(
        fc.property(pairArb, fc.integer({ min: 1, max: 64 }), ({ basis, data }, blockLen) => {
          const sig = signature(basis, { ...kind, blockLen });
          const d = delta(sig, data);
          expect(firstDiff(patch(basis, d), data)).toBeUndefined();
          // The native delta carries its own length + XXH64: the wrong basis is refused unless it gives the same output.
          if (kind.format === 'native' && basis.length > 0) {
            const other = basis.slice();
            other[0] = other[0]! ^ 0xff;
            try {
              expect(firstDiff(patch(other, d), data)).toBeUndefined();
            } catch (e) {
              expect(e).toMatchObject({ code: 'INTEGRITY' });
            }
          }
        }),
        { numRuns: 100 },
      );
    });
  }

  it('recommended parameters, larger inputs, any signature strength >= 8', () => {
    fc.assert(
      fc.property(fc.constantFrom(...KINDS), fc.nat({ max: 60_000 }), fc.array(editArb, { maxLength: 8 }), fc.boolean(), fc.integer({ min: 8, max: 32 }), (kind, n, edits, text, s) => {
        const basis = text ? textBytes(n, n) : randomBytes(n, n);
        const data = applyEdits(basis, edits);
        const max = kind.format === 'native' ? 8 : kind.strong === 'md4' ? 16 : 32;
        const sig = signature(basis, { ...kind, strongLen: Math.min(s, max) });
        expect(firstDiff(patch(basis, delta(sig, data)), data)).toBeUndefined();
      }),
      { numRuns: 40 },
    );
  });

  it('a small maxLiteral splits literals without changing the output', () => {
    fc.assert(
      fc.property(pairArb, fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 100 }), fc.constantFrom(...KINDS), ({ basis, data }, blockLen, maxLiteral, kind) => {
        const sig = readSignature(signature(basis, { ...kind, blockLen }));
        expect(firstDiff(patch(basis, delta(sig, data, { maxLiteral })), data)).toBeUndefined();
      }),
      { numRuns: 100 },
    );
  });
});

describe('split invariance', () => {
  it('every 3-way split of a small input: SignatureEncoder, DeltaEncoder, SignatureDecoder, PatchDecoder', () => {
    const basis = textBytes(36, 1);
    const data = concat(basis.subarray(0, 10), Uint8Array.of(1, 2, 3), basis.subarray(18));
    // A small maxLiteral keeps each DeltaEncoder cheap to build (its window is sized from it).
    const deltaOpts = { maxLiteral: 16 };
    const bad: string[] = [];
    let splits = 0;
    for (const kind of KINDS) {
      const opts = { ...kind, blockLen: 6, strongLen: 8 };
      const sigBytes = signature(basis, opts);
      const sig = readSignature(sigBytes);
      const sigText = describeSig(sig);
      const d = delta(sig, data, deltaOpts);
      const ops = new PatchDecoder().push(d);
      expect(ops.filter((o) => o.op === 'copy').length, 'some blocks matched').toBeGreaterThan(0);
      const check = (what: string, ok: boolean, chunks: Uint8Array[]) => {
        splits++;
        if (!ok) bad.push(`${kindName(kind)} ${what} split ${chunks.map((c) => c.length).join('+')}`);
      };
      for (const chunks of threeWaySplits(basis)) check('SignatureEncoder', sameBytes(sigChunked({ ...opts, basisLength: basis.length }, chunks), sigBytes), chunks);
      for (const chunks of threeWaySplits(data)) check('DeltaEncoder', sameBytes(deltaChunked(sig, chunks, deltaOpts), d), chunks);
      for (const chunks of threeWaySplits(sigBytes)) check('SignatureDecoder', describeSig(readSigChunked(chunks)) === sigText, chunks);
      for (const chunks of threeWaySplits(d)) check('PatchDecoder', sameBytes(patchChunked(basis, chunks), data), chunks);
    }
    expect(bad.slice(0, 10)).toEqual([]);
    expect(splits).toBeGreaterThan(5000);
  });

  it('arbitrary chunkings of arbitrary inputs give the same bytes as one push', () => {
    fc.assert(
      fc.property(pairArb, fc.integer({ min: 1, max: 64 }), fc.constantFrom(...KINDS), cutsArb, cutsArb, cutsArb, cutsArb, ({ basis, data }, blockLen, kind, c1, c2, c3, c4) => {
        const opts = { ...kind, blockLen, basisLength: basis.length };
        const sigBytes = signature(basis, opts);
        expect(firstDiff(sigChunked(opts, split(basis, c1)), sigBytes)).toBeUndefined();
        const sig = readSignature(sigBytes);
        expect(readSigChunked(split(sigBytes, c2))).toEqual(sig);
        const d = delta(sig, data);
        expect(firstDiff(deltaChunked(sig, split(data, c3)), d)).toBeUndefined();
        expect(firstDiff(patchChunked(basis, split(d, c4)), data)).toBeUndefined();
      }),
      { numRuns: 120 },
    );
  });

  it('DeltaEncoder over inputs larger than its window (buffer compaction) is chunking-invariant', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 70_000, max: 200_000 }),
        fc.array(editArb, { maxLength: 6 }),
        fc.constantFrom(16, 64, 256, 1000),
        fc.integer({ min: 1, max: 5000 }),
        fc.constantFrom(...KINDS),
        cutsArb,
        (n, edits, blockLen, maxLiteral, kind, cuts) => {
          const basis = randomBytes(n, n);
          const data = concat(randomBytes(3000, n + 1), applyEdits(basis, edits));
          const sig = readSignature(signature(basis, { ...kind, blockLen }));
          const one = delta(sig, data, { maxLiteral });
          expect(firstDiff(deltaChunked(sig, split(data, cuts), { maxLiteral }), one)).toBeUndefined();
          expect(firstDiff(applyDelta(basis, one), data)).toBeUndefined();
        },
      ),
      { numRuns: 12 },
    );
  });

  it('patchStream over a chunked delta == applyDelta', async () => {
    await fc.assert(
      fc.asyncProperty(pairArb, fc.integer({ min: 1, max: 64 }), fc.constantFrom(...KINDS), cutsArb, fc.integer({ min: 1, max: 100 }), async ({ basis, data }, blockLen, kind, cuts, readSize) => {
        const d = delta(signature(basis, { ...kind, blockLen }), data);
        const chunks = split(d, cuts);
        const out: Uint8Array[] = [];
        const src = (async function* () {
          yield* chunks;
        })();
        for await (const c of patchStream(bufferSource(basis), src, { readSize })) out.push(c.slice());
        expect(firstDiff(concat(...out), applyDelta(basis, d))).toBeUndefined();
      }),
      { numRuns: 100 },
    );
  });
});
