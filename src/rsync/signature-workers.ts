/*
 * The worker threads of the parallel signature (signature-parallel.ts): a
 * small pool shared by every call, started on first use and unreferenced while
 * idle, so it never keeps a process alive. A worker hashes one span of a file
 * at a time from a SharedArrayBuffer and answers with its records; a worker
 * that fails or exits fails the calls using it with RsyncError IO.
 */
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { RsyncError } from '../core/errors.js';
import { hashBackend } from '../core/strong-hash.js';
import type { StrongSumKind } from './magic.js';
import { RK_MULT, RK_SEED, rabinKarpUpdate, rkPower } from './rabinkarp.js';
import { rabinKarpModuleBytes, rabinKarpWasm } from './rabinkarp-wasm.js';
import { ROLLSUM_CHAR_OFFSET, rollsum } from './rollsum.js';
import type { SignatureParams } from './signature-params.js';

/** At most this many workers, whatever the core count. */
const MAX_WORKERS = 3;

/* The worker evaluates this string (eval: true, so it runs the same from the TypeScript sources
 * and from dist/). The weak sums are the real functions: the WebAssembly module's bytes from
 * rabinkarp-wasm.ts, and the JavaScript of rabinKarpUpdate (without WebAssembly) and rollsum as
 * their own text with the constants they read, so each exists once. The strong hashes are the
 * libraries this thread uses (strong-hash.ts), loaded by the paths this thread resolves.
 * import() rather than require(): an eval worker inherits the parent's execArgv, and under
 * --input-type=module it is an ES module. */
const WORKER_SOURCE = `'use strict';
const RK_SEED = ${RK_SEED};
const RK_MULT = ${RK_MULT};
const M2 = ${rkPower(2)};
const M3 = ${rkPower(3)};
const M4 = ${rkPower(4)};
const ROLLSUM_CHAR_OFFSET = ${ROLLSUM_CHAR_OFFSET};
${rabinKarpUpdate.toString()}
${rollsum.toString()}
function put32(out, at, h) {
  out[at] = h >>> 24;
  out[at + 1] = h >>> 16;
  out[at + 2] = h >>> 8;
  out[at + 3] = h;
}
function weakJs(buf, length, blockLen, rk, out, stride) {
  for (let at = 0, s = 0; s < length; at += stride, s += blockLen) {
    const e = Math.min(length, s + blockLen);
    put32(out, at, rk ? rabinKarpUpdate(RK_SEED, buf, s, e) : rollsum(buf, s, e));
  }
}
{
  // Make weakJs hot on a small buffer, so V8 optimizes it with the sums inlined before the first
  // span: else the sums ran on their own, at a third of the speed, for the first ~100 MiB.
  const b = new Uint8Array(4096);
  const r = new Uint8Array(4096);
  for (let i = 0; i < 100; i++) weakJs(b, 4096 - (i & 7), 64, (i & 1) === 0, r, 8);
}
let rkModule = null;
let rk = null;
let rkView = null;
function weakWasm(buf, length, blockLen, out, stride) {
  if (!rkView || rkView.length < length) {
    // A new memory rather than grow(): growing detaches the old buffer (see the note below).
    const m = new WebAssembly.Memory({ initial: Math.ceil(length / 65536) });
    rk = new WebAssembly.Instance(rkModule, { e: { m } }).exports.rk;
    rkView = new Uint8Array(m.buffer);
  }
  rkView.set(buf.subarray(0, length));
  for (let at = 0, s = 0; s < length; at += stride, s += blockLen) put32(out, at, rk(s, Math.min(blockLen, length - s), RK_SEED));
}
import('node:worker_threads').then(async ({ parentPort, workerData: d }) => {
  if (d.rkModule) {
    try {
      rkModule = new WebAssembly.Module(d.rkModule);
    } catch {}
  }
  const strong = {};
  const once = (h) => (b) => {
    h.init();
    h.update(b);
    return h.digest('binary');
  };
  const makers = {
    blake2: async (m) => once(await m.createBLAKE2b(256)),
    md4: async (m) => once(await m.createMD4()),
    xxh64: async (init) => {
      const x = await init();
      const r = new Uint8Array(8);
      const v = new DataView(r.buffer);
      return (b) => {
        v.setBigUint64(0, x.h64Raw(b, 0n));
        return r;
      };
    },
  };
  // A strong hash is loaded when asked for (each takes 10-40 ms), then announced.
  const load = async (kind) => {
    try {
      strong[kind] = await makers[kind]((await import(d[kind])).default);
      parentPort.postMessage({ strong: kind });
    } catch {}
  };
  parentPort.on('message', (t) => {
    if (t.load) {
      load(t.load);
      return;
    }
    let out;
    try {
      const buf = new Uint8Array(t.buffer, 0, t.length);
      out = new Uint8Array(Math.ceil(t.length / t.blockLen) * t.stride);
      if (t.weak === 'rabinkarp' && rkModule) weakWasm(buf, t.length, t.blockLen, out, t.stride);
      else weakJs(buf, t.length, t.blockLen, t.weak === 'rabinkarp', out, t.stride);
      if (t.strong) {
        const hash = strong[t.strong];
        for (let at = 4, s = 0; s < t.length; at += t.stride, s += t.blockLen) {
          out.set(hash(buf.subarray(s, Math.min(t.length, s + t.blockLen))).subarray(0, t.strongLen), at);
        }
      }
    } catch (e) {
      parentPort.postMessage({ id: t.id, error: String((e && e.stack) || e) });
      return;
    }
    // Copied, not transferred: detaching any ArrayBuffer makes V8 throw away the optimized
    // JavaScript sums and recompile them with a detach check on every byte read (~3x slower).
    parentPort.postMessage({ id: t.id, records: out });
  });
  parentPort.postMessage({ ready: true }); // tasks come only after this
});
`;

/** What a worker is given at its start: the sums' code it cannot import by itself. */
interface WorkerData {
  /** The RabinKarp WebAssembly module, or null to use the JavaScript sum. */
  rkModule: Uint8Array | null;
  /** file: URLs of the strong-hash libraries this thread runs in WebAssembly; null for the others. */
  blake2: string | null;
  md4: string | null;
  xxh64: string | null;
}

let workerData: WorkerData | undefined;

/** The worker's start data, built once: a strong hash runs in a worker only where it runs in WebAssembly here (so CLAWBACK_HASH=js holds there too). */
function getWorkerData(): WorkerData {
  if (workerData) return workerData;
  const require = createRequire(import.meta.url);
  const url = (spec: string): string | null => {
    try {
      return pathToFileURL(require.resolve(spec)).href;
    } catch {
      return null;
    }
  };
  workerData = {
    rkModule: rabinKarpWasm ? rabinKarpModuleBytes() : null,
    blake2: hashBackend.blake2b === 'wasm' ? url('hash-wasm/dist/blake2b.umd.min.js') : null,
    md4: hashBackend.md4 === 'wasm' ? url('hash-wasm/dist/md4.umd.min.js') : null,
    xxh64: hashBackend.xxh64 === 'wasm' ? url('xxhash-wasm') : null,
  };
  return workerData;
}

interface Task {
  resolve: (records: Uint8Array) => void;
  reject: (e: Error) => void;
}

/** One worker thread of the shared pool, with the tasks it holds. */
export class SpanWorker {
  private readonly w: Worker;
  private readonly tasks = new Map<number, Task>();
  private nextId = 1;
  /** Why this worker is gone; set once, then every task and every call using it fails with it. */
  failure: RsyncError | undefined;
  /** Listening for tasks: until then (~45 ms after the start) this thread takes every span itself. */
  online = false;
  /** The strong sums this worker has loaded. */
  readonly strong = new Set<StrongSumKind>();
  /** The strong sums asked for (loaded once it is online). */
  private readonly wanted = new Set<StrongSumKind>();

  constructor() {
    this.w = new Worker(WORKER_SOURCE, { eval: true, workerData: getWorkerData() });
    this.w.on('message', (m: { id: number; records?: Uint8Array; error?: string; ready?: true; strong?: StrongSumKind }) => {
      if (m.ready) {
        this.online = true;
        for (const kind of this.wanted) this.w.postMessage({ load: kind });
        return;
      }
      if (m.strong) {
        this.strong.add(m.strong);
        return;
      }
      const t = this.tasks.get(m.id);
      if (!t) return;
      this.tasks.delete(m.id);
      if (this.tasks.size === 0) this.w.unref();
      if (m.records) t.resolve(m.records);
      else t.reject(new RsyncError('IO', `signature worker failed: ${m.error}`));
    });
    this.w.on('error', (e) => this.fail(`failed: ${e.message}`, e));
    this.w.on('messageerror', (e) => this.fail(`sent a message that could not be read: ${e.message}`, e));
    this.w.on('exit', (code) => this.fail(`exited (code ${code})`));
    this.w.unref(); // referenced only while it holds tasks; after the listeners, as adding a 'message' one refs it again
  }

  /** Asks the worker to load a strong hash (if it can: see getWorkerData), so it can take whole spans of that kind. */
  want(kind: StrongSumKind): void {
    if (this.wanted.has(kind) || getWorkerData()[kind] === null) return;
    this.wanted.add(kind);
    if (this.online) this.w.postMessage({ load: kind });
  }

  /** Tasks posted and not answered yet. */
  get load(): number {
    return this.tasks.size;
  }

  /**
   * The records of the blocks of `buf[0, length)` (`buf` backed by a SharedArrayBuffer at offset
   * 0): weak sums, and the strong sums when `strong` is given (else zeros in their place).
   */
  hashSpan(buf: Uint8Array, length: number, p: SignatureParams, strong: boolean): Promise<Uint8Array> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    const done = new Promise<Uint8Array>((resolve, reject) => this.tasks.set(id, { resolve, reject }));
    if (this.tasks.size === 1) this.w.ref();
    const task = { id, buffer: buf.buffer, length, blockLen: p.blockLen, weak: p.weak, strong: strong ? p.strong : null, strongLen: p.strongLen, stride: 4 + p.strongLen };
    this.w.postMessage(task);
    return done;
  }

  /** Marks the worker gone: it leaves the pool and everything it held fails. */
  fail(why: string, cause?: unknown): void {
    if (this.failure) return;
    this.failure = new RsyncError('IO', `signature worker ${why}`, cause === undefined ? undefined : { cause });
    const i = pool.indexOf(this);
    if (i >= 0) pool.splice(i, 1);
    for (const t of this.tasks.values()) t.reject(this.failure);
    this.tasks.clear();
    this.w.unref();
  }

  terminate(): Promise<number> {
    this.fail('was closed (closeSignatureWorkers)');
    return this.w.terminate();
  }
}

/** The shared workers, started on first use and kept (unreferenced while idle) for later calls. */
const pool: SpanWorker[] = [];

/**
 * The default number of workers: one per core beyond this thread's, at most 3; or
 * CLAWBACK_SIGNATURE_WORKERS when set (0 turns the parallel path off).
 * @example defaultSignatureWorkers() // 1 on a 2-core machine
 */
export function defaultSignatureWorkers(): number {
  const env = typeof process === 'object' ? process.env['CLAWBACK_SIGNATURE_WORKERS'] : undefined;
  const n = env !== undefined && env !== '' ? Number(env) : availableParallelism() - 1;
  return Number.isSafeInteger(n) ? Math.min(MAX_WORKERS, Math.max(0, n)) : 0;
}

/** Whether a signature worker has started and is waiting for spans. */
export function signatureWorkersRunning(): boolean {
  return pool.some((w) => w.online && !w.failure);
}

/** The first `n` pool workers, starting any that are missing; fewer where a thread cannot be started. */
export function acquireWorkers(n: number): SpanWorker[] {
  while (pool.length < n) {
    try {
      pool.push(new SpanWorker());
    } catch {
      break; // no threads here: this thread does all the work
    }
  }
  return pool.slice(0, n);
}

/**
 * Terminates the shared signature workers (the next parallel signature starts new ones). They
 * never keep a process alive, so calling this is optional; a signature still running on them
 * fails with RsyncError IO.
 * @example await closeSignatureWorkers();
 */
export async function closeSignatureWorkers(): Promise<void> {
  await Promise.all([...pool].map((w) => w.terminate()));
}
