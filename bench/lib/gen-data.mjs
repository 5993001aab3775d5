/*
 * Deterministic bench inputs, written in 1 MiB chunks (memory stays flat at any size):
 * pseudo-random bytes are the AES-256-CTR keystream of a key derived from a seed, so
 * the same seed and size give the same file on every machine. Files are reused when a
 * manifest beside them says they were made by this generator with the same parameters.
 */
import { createCipheriv, createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** Bump when the layout of generated files changes, so old inputs are regenerated. */
export const GENERATOR_VERSION = 1;
export const CHUNK = 1 << 20;
export const EDIT_COUNT = 100;
export const EDIT_LEN = 1024;
export const INSERT_LEN = 1 << 20;

/** A keystream of pseudo-random bytes for `seed`; next(n) returns the next n bytes. */
export function keystream(seed) {
  const key = createHash('sha256').update(`clawback-bench:${seed}`).digest();
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  let zeros = Buffer.alloc(0);
  return {
    next(n) {
      if (zeros.length < n) zeros = Buffer.alloc(n);
      return cipher.update(zeros.subarray(0, n));
    },
  };
}

/** A small seeded PRNG (mulberry32) for positions: returns integers in [0, 2^32). */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/**
 * Where the edited copy differs from a basis of `size` bytes: EDIT_COUNT edits of
 * EDIT_LEN bytes spread over the file (none crosses a 1 MiB chunk), and INSERT_LEN
 * bytes inserted just after the middle (not block aligned).
 */
export function editPlan(size) {
  const rnd = prng(0xc1a3);
  const spread = Math.max(1, Math.floor(size / (EDIT_COUNT * 4)));
  const edits = [];
  for (let i = 0; i < EDIT_COUNT; i++) {
    let pos = Math.floor(((i + 0.5) * size) / EDIT_COUNT) + (rnd() % (2 * spread)) - spread;
    pos = Math.min(Math.max(0, pos), size - EDIT_LEN);
    if ((pos % CHUNK) + EDIT_LEN > CHUNK) pos -= (pos % CHUNK) + EDIT_LEN - CHUNK;
    edits.push(pos);
  }
  edits.sort((a, b) => a - b);
  return { edits, insertAt: Math.floor(size / 2) + 4099 };
}

function writeFileChunks(path, size, produce) {
  const fd = openSync(path, 'w');
  try {
    for (let off = 0; off < size; off += CHUNK) {
      for (const piece of produce(off, Math.min(CHUNK, size - off))) writeSync(fd, piece);
    }
  } finally {
    closeSync(fd);
  }
}

/** Writes `size` keystream bytes of `seed` to `path`. */
export function writeRandomFile(path, size, seed) {
  const ks = keystream(seed);
  writeFileChunks(path, size, (_off, n) => [ks.next(n)]);
}

/** Writes the edited copy of the basis made from `seed` (see editPlan). */
export function writeEditedFile(path, size, seed) {
  const ks = keystream(seed);
  const editBytes = keystream(`${seed}:edits`).next(EDIT_COUNT * EDIT_LEN);
  const insert = keystream(`${seed}:insert`).next(INSERT_LEN);
  const { edits, insertAt } = editPlan(size);
  writeFileChunks(path, size, (off, n) => {
    const data = ks.next(n);
    edits.forEach((pos, i) => {
      if (pos >= off && pos < off + n) editBytes.copy(data, pos - off, i * EDIT_LEN, (i + 1) * EDIT_LEN);
    });
    if (insertAt >= off && insertAt < off + n) {
      const cut = insertAt - off;
      return [data.subarray(0, cut), insert, data.subarray(cut)];
    }
    return [data];
  });
}

/** Parses sizes like 64m, 1g, 256MiB, 1048576. */
export function parseSize(text) {
  const m = /^(\d+(?:\.\d+)?)\s*([kmg]?)(?:i?b)?$/i.exec(String(text).trim());
  if (!m) throw new RangeError(`"size" expected a size like 64m or 1g, got ${text}`);
  const mult = { '': 1, k: 1 << 10, m: 1 << 20, g: 1 << 30 }[m[2].toLowerCase()];
  return Math.round(Number(m[1]) * mult);
}

/** Short label for a size: 1g, 256m, 64k, or bytes. */
export function sizeLabel(n) {
  if (n % (1 << 30) === 0) return `${n / (1 << 30)}g`;
  if (n % (1 << 20) === 0) return `${n / (1 << 20)}m`;
  if (n % (1 << 10) === 0) return `${n / (1 << 10)}k`;
  return String(n);
}

function ensure(dir, name, params, write) {
  const path = join(dir, name);
  const manifest = `${path}.json`;
  const want = JSON.stringify({ version: GENERATOR_VERSION, ...params });
  if (existsSync(path) && existsSync(manifest) && readFileSync(manifest, 'utf8') === want) return { path, reused: true };
  write(path);
  writeFileSync(manifest, want);
  return { path, reused: false, bytes: statSync(path).size };
}

/**
 * The inputs of the edited case: a basis of `size` random bytes and its edited copy.
 * @example const { basis, next } = ensureEditedCase('bench/out/data', 1 << 30);
 */
export function ensureEditedCase(dir, size) {
  mkdirSync(dir, { recursive: true });
  const l = sizeLabel(size);
  const basis = ensure(dir, `edited-basis-${l}.bin`, { kind: 'random', size, seed: 'edited' }, (p) => writeRandomFile(p, size, 'edited'));
  const next = ensure(dir, `edited-new-${l}.bin`, { kind: 'edited', size, seed: 'edited' }, (p) => writeEditedFile(p, size, 'edited'));
  return { basis: basis.path, next: next.path, reused: basis.reused && next.reused };
}

/** The inputs of the all-literal case: two unrelated random files of `size` bytes. */
export function ensureUnrelatedCase(dir, size) {
  mkdirSync(dir, { recursive: true });
  const l = sizeLabel(size);
  const basis = ensure(dir, `unrelated-basis-${l}.bin`, { kind: 'random', size, seed: 'unrelated-a' }, (p) => writeRandomFile(p, size, 'unrelated-a'));
  const next = ensure(dir, `unrelated-new-${l}.bin`, { kind: 'random', size, seed: 'unrelated-b' }, (p) => writeRandomFile(p, size, 'unrelated-b'));
  return { basis: basis.path, next: next.path, reused: basis.reused && next.reused };
}
