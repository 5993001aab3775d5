// Gear tables: the standard table re-derived from MD5 as fastcdc-rs's
// examples/table64.rs does (node:crypto, not our code), the shifted GEAR_LS, and
// keyed tables: derived from SHA-256 as documented, deterministic, key-dependent.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { keyedGear, standardGear } from '../../src/chunker/index.js';

const U64 = (1n << 64n) - 1n;
const be64 = (bytes: Uint8Array): bigint => new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0);

describe('standard gear table', () => {
  it('entry i is the first 8 bytes (big-endian) of MD5 of 64 bytes of value i', () => {
    const g = standardGear();
    for (let i = 0; i < 256; i++) {
      const md5 = createHash('md5').update(new Uint8Array(64).fill(i)).digest();
      expect(g.entry(i)).toBe(be64(md5));
    }
  });

  it('spells the reference first and last entries', () => {
    expect(standardGear().entry(0)).toBe(0x3b5d3c7d207e37dcn);
    expect(standardGear().entry(255)).toBe(0xaabd2b2a451504e1n);
  });

  it('the shifted halves hold entry << 1 mod 2^64 (GEAR_LS; reference first entry 0x76ba78fa40fc6fb8)', () => {
    for (const g of [standardGear(), keyedGear(new Uint8Array(32))]) {
      for (let i = 0; i < 256; i++) {
        const ls = (BigInt(g.lsHi[i]! >>> 0) << 32n) | BigInt(g.lsLo[i]! >>> 0);
        expect(ls).toBe((g.entry(i) << 1n) & U64);
      }
    }
    const g = standardGear();
    expect((BigInt(g.lsHi[0]! >>> 0) << 32n) | BigInt(g.lsLo[0]! >>> 0)).toBe(0x76ba78fa40fc6fb8n);
  });

  it('entry() rejects indexes outside 0..255', () => {
    expect(() => standardGear().entry(256)).toThrow(RangeError);
  });
});

describe('keyed gear table', () => {
  const key = Uint8Array.from({ length: 32 }, (_, i) => i * 7);

  it('entry i = first 8 bytes of SHA-256("clawback/fastcdc-gear/v1\\0" || key || i)', () => {
    const g = keyedGear(key);
    expect(g.keyed).toBe(true);
    for (let i = 0; i < 256; i++) {
      const d = createHash('sha256').update('clawback/fastcdc-gear/v1\0').update(key).update(Uint8Array.of(i)).digest();
      expect(g.entry(i)).toBe(be64(d));
    }
  });

  it('is deterministic and differs per key and from the standard table', () => {
    const a = keyedGear(key);
    const b = keyedGear(Uint8Array.from(key));
    const other = Uint8Array.from(key);
    other[31] = other[31]! ^ 1;
    const c = keyedGear(other);
    let same = 0;
    let sameStd = 0;
    for (let i = 0; i < 256; i++) {
      expect(b.entry(i)).toBe(a.entry(i));
      if (c.entry(i) === a.entry(i)) same++;
      if (standardGear().entry(i) === a.entry(i)) sameStd++;
    }
    expect(same).toBe(0);
    expect(sameStd).toBe(0);
    expect(standardGear().keyed).toBe(false);
  });

  it('rejects keys that are not 32 bytes', () => {
    expect(() => keyedGear(new Uint8Array(31))).toThrow(RangeError);
    expect(() => keyedGear(new Uint8Array(31))).toThrow(/^"key.length" expected integer 32, got 31$/);
    expect(() => keyedGear('k' as unknown as Uint8Array)).toThrow(TypeError);
  });
});
