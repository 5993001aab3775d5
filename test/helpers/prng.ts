/*
 * Seeded, deterministic test data: a small PRNG (sfc32 seeded by splitmix32)
 * and generators for random, low-entropy text and repetitive byte content.
 * Every failing case can be replayed from its seed.
 */

/** A seeded pseudo-random generator (sfc32). Not for cryptography. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(readonly seed: number) {
    let s = seed >>> 0;
    const next = () => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.u32();
  }

  /** A uniform 32-bit unsigned integer. */
  u32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor((this.u32() / 4294967296) * n);
  }

  /** A uniform integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.u32() / 4294967296 < p;
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  /** `n` uniform random bytes. */
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const v = this.u32();
      out[i] = v;
      out[i + 1] = v >>> 8;
      out[i + 2] = v >>> 16;
      out[i + 3] = v >>> 24;
    }
    for (; i < n; i++) out[i] = this.u32();
    return out;
  }
}

/** `n` uniform random bytes from `seed`. */
export function randomBytes(n: number, seed: number): Uint8Array {
  return new Rng(seed).bytes(n);
}

const WORDS = ['the', 'agent', 'session', 'tool', 'call', '{"role":"user",', '"content":', 'memory', 'of', 'and', '\n', '  ', 'error', 'ok', '0', '1', 'config', '=', 'true', 'false', 'path', '/home/', '.json', '\t'];

/** `n` bytes of low-entropy text (a small vocabulary of words), seeded. */
export function textBytes(n: number, seed: number): Uint8Array {
  const rng = new Rng(seed);
  const out = new Uint8Array(n);
  let at = 0;
  while (at < n) {
    const w = rng.pick(WORDS);
    for (let k = 0; k < w.length && at < n; k++) out[at++] = w.charCodeAt(k);
    if (at < n && rng.chance(0.7)) out[at++] = 0x20;
  }
  return out;
}

/** `n` bytes repeating `pattern` from its start. */
export function repeatBytes(pattern: Uint8Array, n: number): Uint8Array {
  const out = new Uint8Array(n);
  if (pattern.length === 0) return out;
  for (let at = 0; at < n; at += pattern.length) out.set(pattern.subarray(0, Math.min(pattern.length, n - at)), at);
  return out;
}
