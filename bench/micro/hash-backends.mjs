/*
 * Each hash of core/hash.ts on each backend: the fast one (hash-wasm,
 * xxhash-wasm, node:crypto) against the pure-JS fallback (@noble/hashes,
 * hash-md4.ts, hash-xxh64.ts), per 2 KiB and 32 KiB block over 1 MiB and on a
 * whole 16 MiB buffer; plus a BigInt XXH64 to show why hash-xxh64.ts uses 32-bit halves.
 * suite() runs under bench/micro/index.mjs (tinybench, wall clock). Standalone,
 * `npm run build && node bench/micro/hash-backends.mjs` also reports MB per
 * CPU-second of this process, which stays meaningful on a busy shared machine.
 */
import { toHex } from '../../dist/src/core/hash.js';
import { bestHashes, jsHashes } from '../../dist/src/core/strong-hash.js';
import { fix, textTable } from '../lib/measure.mjs';
import { KiB, MiB, randomBytes, runTasks } from './common.mjs';

const M = 0xffffffffffffffffn;
const P1 = 0x9e3779b185ebca87n;
const P2 = 0xc2b2ae3d27d4eb4fn;
const P3 = 0x165667b19e3779f9n;
const P4 = 0x85ebca77c2b2ae63n;
const P5 = 0x27d4eb2f165667c5n;
const rotl = (x, r) => ((x << BigInt(r)) | (x >> BigInt(64 - r))) & M;
const round = (acc, lane) => (rotl((acc + lane * P2) & M, 31) * P1) & M;
const merge = (acc, v) => (((acc ^ round(0n, v)) * P1 + P4) & M);

/** XXH64 written straight from the spec with BigInt: the alternative to 32-bit halves, measured here only. */
function xxh64BigInt(b, seed = 0n) {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const n = b.length;
  let p = 0;
  let acc;
  if (n >= 32) {
    let a1 = (seed + P1 + P2) & M;
    let a2 = (seed + P2) & M;
    let a3 = seed;
    let a4 = (seed - P1) & M;
    for (; p + 32 <= n; p += 32) {
      a1 = round(a1, dv.getBigUint64(p, true));
      a2 = round(a2, dv.getBigUint64(p + 8, true));
      a3 = round(a3, dv.getBigUint64(p + 16, true));
      a4 = round(a4, dv.getBigUint64(p + 24, true));
    }
    acc = (rotl(a1, 1) + rotl(a2, 7) + rotl(a3, 12) + rotl(a4, 18)) & M;
    acc = merge(merge(merge(merge(acc, a1), a2), a3), a4);
  } else acc = (seed + P5) & M;
  acc = (acc + BigInt(n)) & M;
  for (; p + 8 <= n; p += 8) acc = (rotl(acc ^ round(0n, dv.getBigUint64(p, true)), 27) * P1 + P4) & M;
  if (p + 4 <= n) {
    acc = (rotl(acc ^ ((BigInt(dv.getUint32(p, true)) * P1) & M), 23) * P2 + P3) & M;
    p += 4;
  }
  for (; p < n; p++) acc = (rotl(acc ^ ((BigInt(b[p]) * P5) & M), 11) * P1) & M;
  acc = ((acc ^ (acc >> 33n)) * P2) & M;
  acc = ((acc ^ (acc >> 29n)) * P3) & M;
  return acc ^ (acc >> 32n);
}

const HASHES = [
  ['blake2b256', (s) => s.blake2b256],
  ['md4', (s) => s.md4],
  ['xxh64', (s) => (d) => s.xxh64Raw(d, 0n)],
  ['sha256', (s) => s.sha256],
];

/** The checked inputs and the task list shared by both runners. */
function prepare() {
  const small = randomBytes(MiB, 'hash-backends:small');
  const big = randomBytes(16 * MiB, 'hash-backends:big');
  // Measure only what agrees: both backends (and the BigInt variant) on the same inputs.
  for (const [name, pick] of HASHES) {
    for (const d of [small.subarray(0, 2 * KiB + 3), big]) {
      const a = pick(bestHashes)(d);
      const b = pick(jsHashes)(d);
      if ((typeof a === 'bigint' ? a.toString(16) : toHex(a)) !== (typeof b === 'bigint' ? b.toString(16) : toHex(b))) throw new Error(`${name}: backends disagree`);
    }
  }
  if (xxh64BigInt(small, 5n) !== bestHashes.xxh64Raw(small, 5n)) throw new Error('BigInt XXH64 disagrees');

  const tasks = [];
  for (const [name, pick] of HASHES) {
    for (const [label, set] of [
      [bestHashes.backend[name === 'blake2b256' ? 'blake2b' : name], bestHashes],
      ['js', jsHashes],
    ]) {
      const hash = pick(set);
      for (const bs of [2 * KiB, 32 * KiB]) {
        tasks.push({
          name: `${name} ${label} per ${bs / KiB} KiB block`,
          bytes: MiB,
          fn: () => {
            for (let o = 0; o < MiB; o += bs) hash(small.subarray(o, o + bs));
          },
        });
      }
      tasks.push({ name: `${name} ${label} whole 16 MiB`, bytes: 16 * MiB, fn: () => hash(big) });
    }
  }
  tasks.push({
    name: 'xxh64 js-bigint per 32 KiB block',
    bytes: MiB,
    fn: () => {
      for (let o = 0; o < MiB; o += 32 * KiB) xxh64BigInt(small.subarray(o, o + 32 * KiB));
    },
  });
  return tasks;
}

export async function suite() {
  return runTasks('hash backends', prepare());
}

/** Runs `fn` for at least `ms` of wall time after one warm-up call; MB/s by wall clock and by CPU time. */
function measure(fn, bytes, ms) {
  fn();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let runs = 0;
  do {
    fn();
    runs++;
  } while (performance.now() - t0 < ms || runs < 3);
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  const cpu = (c.user + c.system) / 1e6;
  return { runs, wallMBps: (runs * bytes) / 1e6 / wall, cpuMBps: (runs * bytes) / 1e6 / cpu };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = [];
  for (const t of prepare()) {
    const r = measure(t.fn, t.bytes, 1000);
    rows.push([t.name, String(t.bytes), String(r.runs), fix(r.wallMBps, 0), fix(r.cpuMBps, 0)]);
  }
  const load = (await import('node:os')).loadavg()[0];
  process.stdout.write(`${textTable(['task', 'bytes', 'runs', 'MB/s wall', 'MB/s cpu'], rows)}\nload average at the end: ${fix(load, 1)}\n`);
}
