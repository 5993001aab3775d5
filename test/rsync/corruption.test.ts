/*
 * Corrupt and truncated signatures and deltas: every prefix and every
 * single-byte change of small inputs in every format gives a typed RsyncError
 * with a code from a fixed set, or (librsync formats only, where literal data
 * and sums are unprotected) a result; the native formats never return wrong
 * output. Hand-made hostile deltas fail fast with a stable code.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { RsyncError, type ErrorCode } from '../../src/core/errors.js';
import { applyDelta, delta, patch, PatchDecoder, readSignature, signature } from '../../src/rsync/index.js';
import { concat, firstDiff } from '../helpers/bytes.js';
import { randomBytes, textBytes } from '../helpers/prng.js';
import { Rdiff } from '../helpers/rdiff.js';
import { SIG_KINDS, kindName } from '../helpers/sig-kinds.js';

const rdiff = new Rdiff();
afterAll(() => rdiff.remove());


/** The codes bad signature or delta data may raise. */
const DATA_CODES: readonly ErrorCode[] = ['BAD_MAGIC', 'TRUNCATED', 'CORRUPT', 'INTEGRITY', 'LIMIT'];
const FLIPS = [0x01, 0x10, 0x80, 0xff];

type Outcome<T> = { ok: true; value: T } | { ok: false; code: ErrorCode };

/** Runs `f`; an RsyncError becomes its code, anything else (TypeError, RangeError from a typed array...) is rethrown. */
function outcome<T>(f: () => T): Outcome<T> {
  try {
    return { ok: true, value: f() };
  } catch (e) {
    if (e instanceof RsyncError) return { ok: false, code: e.code };
    throw e;
  }
}

function codeOf(f: () => unknown): ErrorCode | 'no error' {
  const r = outcome(f);
  return r.ok ? 'no error' : r.code;
}

// A basis and new file whose delta uses every command shape: short and long literals, 1-, 2- and 4-byte copy fields.
const basis = concat(textBytes(1500, 1), randomBytes(1000, 2));
const data = concat(basis.subarray(0, 500), randomBytes(70, 3), basis.subarray(600, 1500), randomBytes(300, 4), basis.subarray(1600), randomBytes(5, 5));
const blockLen = 64;

const u8 = (...b: number[]) => Uint8Array.from(b);
const LIBRSYNC_DELTA_MAGIC = u8(0x72, 0x73, 0x02, 0x36);

describe('truncated signatures', () => {
  for (const kind of SIG_KINDS) {
    it(`${kindName(kind)}: every prefix`, () => {
      const full = signature(basis, { ...kind, blockLen, strongLen: 8 });
      const sig = readSignature(full);
      const rec = 4 + sig.strongLen;
      for (let cut = 0; cut < full.length; cut++) {
        const r = outcome(() => readSignature(full.subarray(0, cut)));
        const where = `cut at ${cut} of ${full.length}`;
        if (kind.format === 'native') {
          // The trailer (length + XXH64 of everything) makes every prefix invalid.
          expect(r.ok, where).toBe(false);
          if (!r.ok) expect(['TRUNCATED', 'INTEGRITY'], where).toContain(r.code);
          if (!r.ok && cut < 12 + 16) expect(r.code, where).toBe('TRUNCATED');
        } else if (cut < 12 || (cut - 12) % rec !== 0) {
          expect(r, where).toEqual({ ok: false, code: 'TRUNCATED' });
        } else {
          // librsync signatures have no length field: a cut on a record boundary is a valid, shorter signature.
          expect(r.ok, where).toBe(true);
          if (r.ok) {
            const n = (cut - 12) / rec;
            expect(r.value.blockCount, where).toBe(n);
            expect(Array.from(r.value.weakSums)).toEqual(Array.from(sig.weakSums.subarray(0, n)));
            expect(firstDiff(r.value.strongSums, sig.strongSums.subarray(0, n * sig.strongLen))).toBeUndefined();
          }
        }
      }
    });
  }
});

describe('truncated deltas', () => {
  for (const kind of [SIG_KINDS[0]!, SIG_KINDS[4]!]) {
    it(`${kindName(kind)} delta: every prefix is TRUNCATED`, () => {
      const d = delta(signature(basis, { ...kind, blockLen }), data);
      const ops = new PatchDecoder().push(d);
      expect(new Set(ops.map((o) => o.op))).toEqual(new Set(['copy', 'literal']));
      expect(firstDiff(patch(basis, d), data)).toBeUndefined();
      for (let cut = 0; cut < d.length; cut++) {
        expect(codeOf(() => patch(basis, d.subarray(0, cut))), `cut at ${cut} of ${d.length}`).toBe('TRUNCATED');
      }
    });
  }
});

describe('single-byte corruption', () => {
  for (const kind of SIG_KINDS) {
    it(`${kindName(kind)} signature: every byte, ${FLIPS.length} flips`, () => {
      const full = signature(basis, { ...kind, blockLen: 256, strongLen: 8 });
      const codes = new Set<string>();
      let parsed = 0;
      for (let at = 0; at < full.length; at++) {
        for (const x of FLIPS) {
          const bad = full.slice();
          bad[at]! ^= x;
          const where = `byte ${at} ^ 0x${x.toString(16)}`;
          const r = outcome(() => readSignature(bad));
          if (!r.ok) {
            expect(DATA_CODES, where).toContain(r.code);
            codes.add(r.code);
            continue;
          }
          expect(kind.format, `native signature corruption went undetected: ${where}`).not.toBe('native');
          parsed++;
          // Unprotected sums may be wrong, but a delta made from them still patches to the right output.
          const d = delta(r.value, data, { maxLiteral: 4096 });
          expect(firstDiff(patch(basis, d), data), where).toBeUndefined();
        }
      }
      if (kind.format === 'native') expect(parsed).toBe(0);
      else expect(parsed).toBeGreaterThan(0);
      expect(codes.size).toBeGreaterThan(0);
    });
  }

  for (const kind of [SIG_KINDS[0]!, SIG_KINDS[4]!]) {
    it(`${kindName(kind)} delta: every byte, ${FLIPS.length} flips`, () => {
      const d = delta(signature(basis, { ...kind, blockLen }), data);
      const codes = new Set<string>();
      let wrongOutput = 0;
      for (let at = 0; at < d.length; at++) {
        for (const x of FLIPS) {
          const bad = d.slice();
          bad[at]! ^= x;
          const where = `byte ${at} ^ 0x${x.toString(16)}`;
          const r = outcome(() => patch(basis, bad));
          if (!r.ok) {
            expect(DATA_CODES, where).toContain(r.code);
            codes.add(r.code);
          } else if (firstDiff(r.value, data) !== undefined) {
            // Only librsync deltas, which carry no checksum, may yield different output.
            expect(kind.format, `native delta corruption went undetected: ${where}`).not.toBe('native');
            wrongOutput++;
          }
        }
      }
      if (kind.format === 'native') expect(codes.has('INTEGRITY')).toBe(true);
      else expect(wrongOutput).toBeGreaterThan(0); // literal bytes are unprotected in librsync's format
      expect(codes.has('CORRUPT') || codes.has('TRUNCATED')).toBe(true);
    });
  }

  it('random garbage after a valid magic: typed errors or a result, never anything else', () => {
    const sigMagics = [0x72730147, 0x72730146, 0x72730137, 0x72730136, 0x636c7331];
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.constantFrom(...sigMagics), (tail, magic) => {
        const head = new Uint8Array(4);
        new DataView(head.buffer).setUint32(0, magic);
        const s = outcome(() => readSignature(concat(head, tail)));
        if (!s.ok) expect(DATA_CODES).toContain(s.code);
        const d = outcome(() => patch(basis, concat(LIBRSYNC_DELTA_MAGIC, tail)));
        if (!d.ok) expect(DATA_CODES).toContain(d.code);
        const n = outcome(() => patch(basis, concat(u8(0x63, 0x6c, 0x64, 0x31), tail)));
        if (n.ok) expect.unreachable('a random native delta passed its XXH64 check');
        else expect(DATA_CODES).toContain(n.code);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('hostile deltas fail fast with a stable code', () => {
  const lit = (n: number) => randomBytes(n, n);
  const d = (...parts: Uint8Array[]) => concat(LIBRSYNC_DELTA_MAGIC, ...parts);
  const small = randomBytes(100, 6);

  it('a 2^60-byte literal or copy is refused without allocating', () => {
    // LITERAL_N8 len 2^60
    expect(codeOf(() => patch(small, d(u8(0x44, 0x10, 0, 0, 0, 0, 0, 0, 0), lit(10), u8(0))))).toBe('LIMIT');
    // COPY_N1_N8 where 0 len 2^60
    expect(codeOf(() => patch(small, d(u8(0x48, 0, 0x10, 0, 0, 0, 0, 0, 0, 0), u8(0))))).toBe('LIMIT');
    // LITERAL_N8 len 2^52 (a safe integer) with 10 bytes of data: truncated, not a 4 PiB allocation.
    expect(codeOf(() => patch(small, d(u8(0x44, 0, 0x10, 0, 0, 0, 0, 0, 0), lit(10))))).toBe('TRUNCATED');
    // COPY_N8_N1 at 2^60: beyond any basis.
    expect(codeOf(() => patch(small, d(u8(0x51, 0x10, 0, 0, 0, 0, 0, 0, 0, 5), u8(0))))).toBe('LIMIT');
  });

  it('output beyond maxOutput is LIMIT, before the output is allocated', () => {
    const copyAll = u8(0x45, 0, 100); // COPY_N1_N1 where 0 len 100
    expect(firstDiff(patch(small, d(copyAll, copyAll, u8(0))), concat(small, small))).toBeUndefined();
    expect(codeOf(() => applyDelta(small, d(copyAll, copyAll, u8(0)), { maxOutput: 199 }))).toBe('LIMIT');
    expect(applyDelta(small, d(copyAll, copyAll, u8(0)), { maxOutput: 200 }).length).toBe(200);
    // 1100 copies of a 1 MiB basis declare 1.07 GiB: over the default 1 GiB limit, refused up front.
    const mib = new Uint8Array(1 << 20);
    const copyMib = u8(0x47, 0, 0x00, 0x10, 0x00, 0x00); // COPY_N1_N4 where 0 len 2^20
    const many = concat(...Array.from({ length: 1100 }, () => copyMib));
    expect(codeOf(() => applyDelta(mib, d(many, u8(0))))).toBe('LIMIT');
    expect(applyDelta(mib, d(many.subarray(0, 6 * 3), u8(0))).length).toBe(3 << 20);
  });

  it('COPY beyond the basis is CORRUPT', () => {
    expect(codeOf(() => patch(small, d(u8(0x45, 90, 20), u8(0))))).toBe('CORRUPT');
    expect(codeOf(() => patch(small, d(u8(0x45, 100, 1), u8(0))))).toBe('CORRUPT');
    expect(codeOf(() => patch(new Uint8Array(0), d(u8(0x45, 0, 1), u8(0))))).toBe('CORRUPT');
    expect(firstDiff(patch(small, d(u8(0x45, 90, 10), u8(0))), small.subarray(90))).toBeUndefined();
  });

  it('zero-length commands and COPY beyond the basis: CORRUPT here, and rdiff refuses them too', () => {
    const hostile = [d(u8(0x41, 0), u8(0)), d(u8(0x45, 0, 0), u8(0)), d(u8(0x45, 90, 20), u8(0))];
    for (const h of hostile) {
      expect(codeOf(() => patch(small, h))).toBe('CORRUPT');
      const r = rdiff.run(['patch', rdiff.dir.write('small', small), rdiff.dir.write('hostile.delta', h), '-']);
      expect(r.status, r.stderr).not.toBe(0);
    }
  });

  it('data after END is CORRUPT, in both formats', () => {
    const good = delta(signature(small), small);
    expect(codeOf(() => patch(small, concat(good, u8(0))))).toBe('CORRUPT');
    const native = delta(signature(small, { format: 'native' }), small);
    expect(firstDiff(patch(small, native), small)).toBeUndefined();
    expect(codeOf(() => patch(small, concat(native, u8(0))))).toBe('CORRUPT');
    expect(codeOf(() => patch(small, d(u8(0), u8(1, 2, 3))))).toBe('CORRUPT');
  });

  it('every reserved opcode (0x55..0xff) is CORRUPT', () => {
    for (let op = 0x55; op <= 0xff; op++) {
      expect(codeOf(() => patch(small, d(u8(op, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), u8(0)))), `opcode 0x${op.toString(16)}`).toBe('CORRUPT');
    }
  });

  it('bad magic is BAD_MAGIC: a signature given as a delta and the other way round', () => {
    const sig = signature(small);
    const dl = delta(sig, concat(small, small));
    expect(codeOf(() => patch(small, sig))).toBe('BAD_MAGIC');
    expect(codeOf(() => readSignature(dl))).toBe('BAD_MAGIC');
    expect(codeOf(() => patch(small, u8(0, 0, 0, 0, 0)))).toBe('BAD_MAGIC');
    expect(codeOf(() => readSignature(new Uint8Array(12)))).toBe('BAD_MAGIC');
    // A file too short for a signature header but with a foreign magic is still BAD_MAGIC, not TRUNCATED.
    expect(codeOf(() => readSignature(delta(sig, small)))).toBe('BAD_MAGIC');
    expect(codeOf(() => readSignature(u8(1, 2, 3, 4)))).toBe('BAD_MAGIC');
    expect(codeOf(() => readSignature(u8(0x72, 0x73, 0x01)))).toBe('TRUNCATED');
  });

  it('bad signature headers: block length 0 or huge, strong length 0 or too long, too many blocks', () => {
    const sigHeader = (magic: number, bl: number, sl: number) => {
      const h = new Uint8Array(12);
      const v = new DataView(h.buffer);
      v.setUint32(0, magic);
      v.setUint32(4, bl);
      v.setUint32(8, sl);
      return h;
    };
    expect(codeOf(() => readSignature(sigHeader(0x72730147, 0, 8)))).toBe('CORRUPT');
    expect(codeOf(() => readSignature(sigHeader(0x72730147, 0xffffffff, 8)))).toBe('LIMIT');
    expect(codeOf(() => readSignature(sigHeader(0x72730147, 2048, 0)))).toBe('CORRUPT');
    expect(codeOf(() => readSignature(sigHeader(0x72730147, 2048, 33)))).toBe('CORRUPT');
    expect(codeOf(() => readSignature(sigHeader(0x72730146, 2048, 17)))).toBe('CORRUPT');
    expect(codeOf(() => readSignature(sigHeader(0x636c7331, 2048, 9)))).toBe('CORRUPT');
    expect(readSignature(sigHeader(0x72730147, 2048, 32)).blockCount).toBe(0);
    const three = signature(randomBytes(300, 7), { blockLen: 100 });
    expect(readSignature(three, { maxBlocks: 3 }).blockCount).toBe(3);
    expect(codeOf(() => readSignature(three, { maxBlocks: 2 }))).toBe('LIMIT');
  });

  it('the wrong basis for a native delta is INTEGRITY; for a librsync delta it silently gives other bytes', () => {
    const b = randomBytes(20_000, 8);
    const n = concat(b.subarray(0, 9000), randomBytes(50, 9), b.subarray(9000));
    const wrong = b.slice();
    wrong[100]! ^= 1;
    const nd = delta(signature(b, { format: 'native' }), n);
    expect(firstDiff(patch(b, nd), n)).toBeUndefined();
    expect(codeOf(() => patch(wrong, nd))).toBe('INTEGRITY');
    expect(codeOf(() => patch(b.subarray(0, 19_999), nd))).toBe('CORRUPT'); // a COPY now reaches past the end
    const ld = delta(signature(b), n);
    expect(firstDiff(patch(wrong, ld), n)).toMatch(/first difference at byte 100/);
  });
});

