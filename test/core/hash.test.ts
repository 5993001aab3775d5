// The hash adapter: known-answer vectors, WASM/native against pure-JS on every
// prefix and on large random inputs, split invariance of the incremental hashes,
// and backend selection (CLAWBACK_HASH=js, no WebAssembly).
// Vectors come from outside this code: RFC 1320 (MD4), NIST FIPS 180-2 examples
// (SHA-256), b2sum -l 256 from coreutils (the BLAKE2 reference code), xxhsum's
// sanity check and libxxhash 0.8.1 through ctypes (XXH64).
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSha256, sha256, toHex } from '../../src/core/hash.js';
import { bestHashes, blake2b256, createXxh64, hashBackend, jsHashes, md4, xxh64, xxh64Raw, type HashSet } from '../../src/core/strong-hash.js';
import { Md4, md4Js } from '../../src/core/hash-md4.js';
import { Xxh64, xxh64Js } from '../../src/core/hash-xxh64.js';

const enc = (s: string) => new TextEncoder().encode(s);
const millionA = new Uint8Array(1_000_000).fill(0x61);
const range256 = Uint8Array.from({ length: 256 }, (_, i) => i);

const MD4_VECTORS: [Uint8Array, string][] = [
  [enc(''), '31d6cfe0d16ae931b73c59d7e0c089c0'],
  [enc('a'), 'bde52cb31de33e46245e05fbdbd6fb24'],
  [enc('abc'), 'a448017aaf21d8525fc10ae87aa6729d'],
  [enc('message digest'), 'd9130a8164549fe818874806e1c7014b'],
  [enc('abcdefghijklmnopqrstuvwxyz'), 'd79e1c308aa5bbcdeea8ed63df412da9'],
  [enc('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'), '043f8582f241db351ce627e153e7f0e4'],
  [enc('12345678901234567890123456789012345678901234567890123456789012345678901234567890'), 'e33b4ddc9c38f2199c3e7b164fcc0536'],
  [range256, '298a05bc506e1ecd5a47fd41f874f1d2'], // openssl dgst -md4 -provider legacy
];

const BLAKE2B_VECTORS: [Uint8Array, string][] = [
  [enc(''), '0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8'],
  [enc('abc'), 'bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319'],
  [enc('The quick brown fox jumps over the lazy dog'), '01718cec35cd3d796dd00020e0bfecb473ad23457d063b75eff29c0ffa2e58a9'],
  [range256, '39a7eb9fedc19aabc83425c6755dd90e6f9d0c804964a1f4aaeea3b9fb599835'],
  [millionA, '0741850f36cba4259628355d1073e24ddb9ca0e1bfac36fd39ae5dc2101e23a4'],
];

const SHA256_VECTORS: [Uint8Array, string][] = [
  [enc(''), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
  [enc('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
  [enc('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'), '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1'],
  [
    enc('abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu'),
    'cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1',
  ],
  [millionA, 'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0'],
];

/** xxhsum's sanity buffer: byteGen = PRIME32, each byte the top 8 bits, byteGen *= PRIME64. */
function sanityBuffer(n: number): Uint8Array {
  const out = new Uint8Array(n);
  let g = 2654435761n;
  for (let i = 0; i < n; i++) {
    out[i] = Number(g >> 56n);
    g = (g * 11400714785074694797n) & 0xffffffffffffffffn;
  }
  return out;
}
const PRIME32 = 2654435761n;
const sanity = sanityBuffer(222);

const XXH64_VECTORS: [Uint8Array, bigint, bigint][] = [
  // xxhsum BMK_sanityCheck
  [sanity.subarray(0, 0), 0n, 0xef46db3751d8e999n],
  [sanity.subarray(0, 0), PRIME32, 0xac75fda2929b17efn],
  [sanity.subarray(0, 1), 0n, 0xe934a84adb052768n],
  [sanity.subarray(0, 1), PRIME32, 0x5014607643a9b4c3n],
  [sanity.subarray(0, 4), 0n, 0x9136a0dca57457een],
  [sanity.subarray(0, 14), 0n, 0x8282dcc4994e35c8n],
  [sanity.subarray(0, 14), PRIME32, 0xc3bd6bf63deb6df0n],
  [sanity, 0n, 0xb641ae8cb691c174n],
  [sanity, PRIME32, 0x20cb8ab7ae10c14an],
  // libxxhash 0.8.1 XXH64()
  [sanity.subarray(0, 4), PRIME32, 0xcaab286bd8e9fdb5n],
  [enc('a'), 0n, 0xd24ec4f1a98c6e5bn],
  [enc('abc'), 0n, 0x44bc2cf5ad770999n],
  [enc('abc'), 0x0123456789abcdefn, 0x1fc03ef74cebaa7dn],
  [enc('message digest'), 0n, 0x066ed728fceeb3ben],
  [enc('The quick brown fox jumps over the lazy dog'), 0n, 0x0b242d361fda71bcn],
  [enc('The quick brown fox jumps over the lazy dog'), PRIME32, 0xb31b9019ec176b0cn],
  [enc('12345678901234567890123456789012345678901234567890123456789012345678901234567890'), 0x0123456789abcdefn, 0x9af70c4de1711521n],
  [range256, 0n, 0x1facbe8406cd904bn],
  [range256, 0xffffffffffffffffn, 0x9fd2bfcee8985e7fn],
  [millionA, 0n, 0xdc483aaa9b4fdc40n],
  [millionA, 0x0123456789abcdefn, 0x0c8b0c710fac1c85n],
];

const hex64 = (v: bigint) => v.toString(16).padStart(16, '0');
const sets: [string, HashSet][] = [
  ['best', bestHashes],
  ['js', jsHashes],
];

describe('known-answer vectors', () => {
  for (const [name, h] of sets) {
    it(`${name}: MD4 (RFC 1320)`, () => {
      for (const [data, want] of MD4_VECTORS) expect(toHex(h.md4(data))).toBe(want);
    });
    it(`${name}: BLAKE2b-256`, () => {
      for (const [data, want] of BLAKE2B_VECTORS) expect(toHex(h.blake2b256(data))).toBe(want);
    });
    it(`${name}: SHA-256 (NIST)`, () => {
      for (const [data, want] of SHA256_VECTORS) {
        expect(toHex(h.sha256(data))).toBe(want);
        const inc = h.createSha256();
        inc.update(data);
        expect(toHex(inc.digest())).toBe(want);
      }
    });
    it(`${name}: XXH64, seed 0 and nonzero seeds`, () => {
      for (const [data, seed, want] of XXH64_VECTORS) {
        expect(hex64(h.xxh64Raw(data, seed))).toBe(hex64(want));
        const inc = h.createXxh64(seed);
        inc.update(data);
        expect(toHex(inc.digest())).toBe(hex64(want));
      }
    });
  }

  it('the exported functions give the same answers', () => {
    expect(toHex(md4(enc('abc')))).toBe('a448017aaf21d8525fc10ae87aa6729d');
    expect(toHex(blake2b256(enc('abc')))).toBe('bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319');
    expect(toHex(sha256(enc('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(toHex(xxh64(sanity, PRIME32))).toBe('20cb8ab7ae10c14a');
    expect(hex64(xxh64Raw(enc('abc')))).toBe('44bc2cf5ad770999');
    const x = createXxh64();
    x.update(enc('ab'));
    x.update(enc('c'));
    expect(toHex(x.digest())).toBe('44bc2cf5ad770999');
    const s = createSha256();
    s.update(enc('a'));
    s.update(enc('bc'));
    expect(toHex(s.digest())).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(toHex(Uint8Array.of(0, 1, 0xab, 0xff))).toBe('0001abff');
  });

  it('seeds are taken mod 2^64 by both backends', () => {
    const d = enc('seed wrapping');
    for (const [, h] of sets) {
      expect(h.xxh64Raw(d, -1n)).toBe(h.xxh64Raw(d, 0xffffffffffffffffn));
      expect(h.xxh64Raw(d, (1n << 64n) + 5n)).toBe(h.xxh64Raw(d, 5n));
    }
    expect(jsHashes.xxh64Raw(d, -1n)).toBe(bestHashes.xxh64Raw(d, -1n));
  });
});

describe('WASM/native against pure JS', () => {
  it('the fast backends loaded on this Node (so the cross-checks compare two implementations)', () => {
    expect(bestHashes.backend).toEqual({ blake2b: 'wasm', md4: 'wasm', xxh64: 'wasm', sha256: 'native' });
    expect(jsHashes.backend).toEqual({ blake2b: 'js', md4: 'js', xxh64: 'js', sha256: 'js' });
  });

  it('every prefix of a random 300-byte buffer, at every alignment', () => {
    const base = randomBytes(303);
    for (let off = 0; off < 4; off++) {
      const buf = new Uint8Array(base.buffer, base.byteOffset + off, 300 - off);
      for (let n = 0; n <= buf.length; n++) {
        const d = buf.subarray(0, n);
        expect(toHex(jsHashes.md4(d)), `md4 len ${n}`).toBe(toHex(bestHashes.md4(d)));
        expect(toHex(jsHashes.blake2b256(d)), `blake2b len ${n}`).toBe(toHex(bestHashes.blake2b256(d)));
        expect(toHex(jsHashes.sha256(d)), `sha256 len ${n}`).toBe(toHex(bestHashes.sha256(d)));
        expect(jsHashes.xxh64Raw(d, 0n), `xxh64 len ${n}`).toBe(bestHashes.xxh64Raw(d, 0n));
        expect(jsHashes.xxh64Raw(d, 0x9e3779b97f4a7c15n), `xxh64 seeded len ${n}`).toBe(bestHashes.xxh64Raw(d, 0x9e3779b97f4a7c15n));
      }
    }
  });

  it('random large inputs', () => {
    for (const n of [65_536 + 7, 1_000_003, (4 << 20) + 13]) {
      const d = randomBytes(n);
      expect(toHex(jsHashes.md4(d)), `md4 ${n}`).toBe(toHex(bestHashes.md4(d)));
      expect(toHex(jsHashes.blake2b256(d)), `blake2b ${n}`).toBe(toHex(bestHashes.blake2b256(d)));
      expect(toHex(jsHashes.sha256(d)), `sha256 ${n}`).toBe(toHex(bestHashes.sha256(d)));
      const seed = BigInt(`0x${randomBytes(8).toString('hex')}`);
      expect(jsHashes.xxh64Raw(d, seed), `xxh64 ${n}`).toBe(bestHashes.xxh64Raw(d, seed));
    }
  });

  it('the JS modules match their adapter entries', () => {
    const d = randomBytes(1000);
    expect(toHex(md4Js(d))).toBe(toHex(bestHashes.md4(d)));
    expect(xxh64Js(d, 7n)).toBe(bestHashes.xxh64Raw(d, 7n));
    expect(new Xxh64(7n).update(d).digestBigInt()).toBe(bestHashes.xxh64Raw(d, 7n));
  });
});

describe('incremental hashing: every 3-way split equals one-shot', () => {
  const data = randomBytes(140); // crosses the 32-byte XXH64 stripe and 64-byte MD4/SHA-256 blocks
  function everySplit(make: () => { update(d: Uint8Array): unknown; digest(): Uint8Array }, want: string): void {
    for (let i = 0; i <= data.length; i++) {
      for (let j = i; j <= data.length; j++) {
        const h = make();
        h.update(data.subarray(0, i));
        h.update(data.subarray(i, j));
        h.update(data.subarray(j));
        const got = toHex(h.digest());
        if (got !== want) expect(got, `split at ${i}, ${j}`).toBe(want);
      }
    }
  }
  for (const [name, h] of sets) {
    it(`${name}: XXH64, seeds 0 and 2^64 - 1`, () => {
      everySplit(() => h.createXxh64(0n), hex64(h.xxh64Raw(data, 0n)));
      everySplit(() => h.createXxh64(-1n), hex64(h.xxh64Raw(data, -1n)));
      expect(hex64(h.xxh64Raw(data, 0n))).toBe(hex64(bestHashes.xxh64Raw(data, 0n)));
    });
    it(`${name}: SHA-256`, () => {
      everySplit(() => h.createSha256(), toHex(bestHashes.sha256(data)));
    });
  }
  it('js: MD4', () => {
    everySplit(() => new Md4(), toHex(bestHashes.md4(data)));
  });
  it('js: XXH64 digest() leaves the state usable', () => {
    const h = new Xxh64();
    h.update(data.subarray(0, 50));
    expect(h.digestBigInt()).toBe(bestHashes.xxh64Raw(data.subarray(0, 50), 0n));
    h.update(data.subarray(50));
    expect(h.digestBigInt()).toBe(bestHashes.xxh64Raw(data, 0n));
  });
  it('js: MD4 refuses update() after digest()', () => {
    const h = new Md4();
    h.digest();
    expect(() => h.update(data)).toThrow(/after digest/);
    expect(() => h.digest()).toThrow(/twice/);
  });
});

describe('backend selection', () => {
  const g = globalThis as { WebAssembly?: unknown };
  const savedWasm = g.WebAssembly;
  afterEach(() => {
    vi.unstubAllEnvs();
    g.WebAssembly = savedWasm;
    vi.resetModules();
  });

  it('this process (no CLAWBACK_HASH) uses the fast backends', () => {
    if (process.env['CLAWBACK_HASH'] === 'js') expect(hashBackend).toEqual(jsHashes.backend);
    else expect(hashBackend).toEqual(bestHashes.backend);
  });

  it('CLAWBACK_HASH=js at import selects JS for every hash', async () => {
    vi.stubEnv('CLAWBACK_HASH', 'js');
    vi.resetModules();
    const m = await import('../../src/core/strong-hash.js');
    expect(m.hashBackend).toEqual({ blake2b: 'js', md4: 'js', xxh64: 'js', sha256: 'js' });
    expect(toHex(m.md4(enc('abc')))).toBe('a448017aaf21d8525fc10ae87aa6729d');
    expect(toHex(m.blake2b256(enc('abc')))).toBe('bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319');
    expect(toHex(m.xxh64(sanity, PRIME32))).toBe('20cb8ab7ae10c14a');
    expect(toHex((await import('../../src/core/hash.js')).sha256(millionA))).toBe('cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0');
  });

  it('without WebAssembly the WASM hashes fall back to JS silently', async () => {
    vi.stubEnv('CLAWBACK_HASH', '');
    delete g.WebAssembly; // a runtime without WebAssembly
    vi.resetModules();
    const m = await import('../../src/core/strong-hash.js');
    expect(m.hashBackend).toEqual({ blake2b: 'js', md4: 'js', xxh64: 'js', sha256: 'native' });
    expect(toHex(m.createXxh64().digest())).toBe('ef46db3751d8e999');
    expect(toHex(m.blake2b256(enc('')))).toBe('0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8');
  });
});
