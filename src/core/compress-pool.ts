/*
 * Worker threads that deflate blobs, so compression runs beside the main
 * thread's reading, chunking and hashing (one worker per spare core). Jobs are
 * posted in batches while a worker has less than 4 MiB in hand; the rest wait in
 * a queue that a thread waiting for compression can work off itself (help(),
 * assistCompression()). Workers are unref'd while idle so they never keep a
 * process alive. The worker code is inline (eval) so it runs the same
 * from the TypeScript sources and from dist/.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { deflateRawSync } from 'node:zlib';

/**
 * zlib options for one blob of `length` bytes. memLevel 7 halves zlib's hash table, about as
 * fast as the default on 16 KiB chunks and lighter (bench/micro/zlib-memlevel.mjs). The window
 * is no larger than the blob: a deflate stream's state is about 6 windows, and a 32 KiB window
 * for a 4 KiB SQLite page made zlib allocate (and the kernel fault in) ~190 KiB per call, about
 * 2x slower with an identical output (bench/micro/page-faults.mjs). The output inflates
 * with any window of at least that size (the default 15 bits).
 */
export function deflateOptions(level: number, length: number): { level: number; memLevel: number; windowBits: number } {
  let windowBits = 9;
  while (windowBits < 15 && 1 << windowBits < length) windowBits++;
  return { level, memLevel: 7, windowBits };
}

/** True when a deflated blob is worth keeping: it saves at least 1/32 of the raw size (else the blob is stored raw). */
export function deflatePays(rawLength: number, deflatedLength: number): boolean {
  return deflatedLength <= rawLength - (rawLength >>> 5);
}

const WORKER_CODE = `
// import(), not require(): an eval worker inherits the parent's execArgv, and under
// --input-type=module it runs as an ES module, where require is not defined.
Promise.all([import('node:worker_threads'), import('node:zlib')]).then(([{ parentPort }, zlib]) => {
// Written out again here (the worker is evaluated from this string): keep in step with deflateOptions().
function deflateOptions(level, length) {
  let windowBits = 9;
  while (windowBits < 15 && 1 << windowBits < length) windowBits++;
  return { level, memLevel: 7, windowBits };
}
parentPort.on('message', (jobs) => {
  const results = [];
  const transfer = [];
  for (const j of jobs) {
    try {
      const c = new Uint8Array(zlib.deflateRawSync(j.data, deflateOptions(j.level, j.data.length)));
      // Worth keeping only when it saves at least 1/32 (deflatePays()); else the input goes back.
      if (c.length > j.data.length - (j.data.length >>> 5)) {
        results.push({ id: j.id, raw: true, data: j.data, bytes: j.data.length });
        transfer.push(j.data.buffer);
      } else {
        results.push({ id: j.id, data: c, bytes: j.data.length });
        transfer.push(c.buffer);
      }
    } catch (e) {
      results.push({ id: j.id, error: String(e && e.message || e), bytes: j.data.length });
    }
  }
  parentPort.postMessage(results, transfer);
});
});
`;

interface Job {
  id: number;
  data: Uint8Array;
  level: number;
}
/** A worker's answer: the deflated bytes, or (raw) the input back because deflate did not pay. */
export interface Deflated {
  data: Uint8Array;
  raw: boolean;
}
interface Pending {
  resolve: (d: Deflated) => void;
  reject: (e: Error) => void;
}
/** One worker: the bytes and the job ids it holds. */
interface Slot {
  w: Worker;
  posted: number;
  held: Set<number>;
}

/** Bytes posted to one worker and not yet answered: more waits in the pool's queue, where help() can take it. */
const MAX_POSTED = 4 << 20;
/** Bytes per message to a worker. */
const BATCH = 256 * 1024;

/**
 * A small pool of deflate workers. Jobs beyond what the workers have in hand wait in a
 * queue, and a thread that is only waiting for compression can take them with help().
 */
export class CompressionPool {
  private readonly workers: Slot[] = [];
  private readonly pending = new Map<number, Pending>();
  private queue: Job[] = [];
  private scheduled = false;
  private nextId = 1;

  constructor(size: number) {
    for (let i = 0; i < size; i++) {
      const w = new Worker(WORKER_CODE, { eval: true });
      const slot: Slot = { w, posted: 0, held: new Set() };
      w.unref();
      w.on('message', (results: { id: number; data?: Uint8Array; raw?: boolean; error?: string; bytes?: number }[]) => {
        for (const r of results) {
          slot.posted -= r.bytes ?? 0;
          slot.held.delete(r.id);
        }
        if (slot.held.size === 0) w.unref();
        for (const r of results) {
          const p = this.pending.get(r.id);
          this.pending.delete(r.id);
          if (!p) continue;
          if (r.data) p.resolve({ data: r.data, raw: r.raw === true });
          else p.reject(new Error(`compression failed: ${r.error}`));
        }
        this.post();
      });
      // A worker that fails or exits leaves the pool: the jobs it held fail, the rest go on
      // (to the other workers, or to this thread when none is left), so nothing waits forever.
      const lost = (e: Error) => {
        const i = this.workers.indexOf(slot);
        if (i < 0) return;
        this.workers.splice(i, 1);
        for (const id of slot.held) {
          this.pending.get(id)?.reject(e);
          this.pending.delete(id);
        }
        slot.held.clear();
        this.post();
      };
      w.on('error', (e) => lost(e));
      w.on('exit', (code) => lost(new Error(`compression worker exited (code ${code})`)));
      this.workers.push(slot);
    }
  }

  /**
   * Raw DEFLATE of `data` at `level`, computed in a worker (or by help()); `raw` when it would
   * not save 1/32. The bytes go to the worker by transfer, never by a structured clone: `data`
   * itself when `give` is set and it is a whole buffer (it is detached: the caller must not use
   * it again, nor give the same buffer twice), else a copy. A raw answer carries the bytes that
   * went over.
   */
  deflate(data: Uint8Array, level: number, give = false): Promise<Deflated> {
    const id = this.nextId++;
    return new Promise<Deflated>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      const whole = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength && data.buffer instanceof ArrayBuffer;
      const own = give && whole ? data : new Uint8Array(data);
      this.queue.push({ id, data: own, level });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.post();
        });
      }
    });
  }

  /** Posts queued jobs to workers with room, in batches; with no worker left, deflates them here. */
  post(): void {
    if (this.workers.length === 0) {
      while (this.help(Infinity));
      return;
    }
    while (this.queue.length > 0) {
      let slot = this.workers[0]!;
      for (const s of this.workers) if (s.posted < slot.posted) slot = s;
      if (slot.posted >= MAX_POSTED) return;
      const jobs: Job[] = [];
      let bytes = 0;
      while (this.queue.length > 0 && bytes < BATCH && slot.posted + bytes < MAX_POSTED) {
        const j = this.queue.shift()!;
        jobs.push(j);
        bytes += j.data.length;
      }
      if (slot.held.size === 0) slot.w.ref();
      for (const j of jobs) slot.held.add(j.id);
      slot.posted += bytes;
      slot.w.postMessage(
        jobs,
        jobs.map((j) => j.data.buffer as ArrayBuffer),
      );
    }
  }

  /**
   * Deflates queued jobs on the calling thread for about `budgetMs`, after giving the workers
   * what they have room for; false when nothing was left for this thread. For a thread that
   * would otherwise wait for the workers.
   */
  help(budgetMs = 2): boolean {
    if (this.workers.length > 0) this.post();
    if (this.queue.length === 0) return false;
    const until = performance.now() + budgetMs;
    do {
      const j = this.queue.pop()!; // from the end: the workers take from the front
      const p = this.pending.get(j.id);
      this.pending.delete(j.id);
      if (!p) continue;
      try {
        const c = new Uint8Array(deflateRawSync(j.data, deflateOptions(j.level, j.data.length)));
        p.resolve(deflatePays(j.data.length, c.length) ? { data: c, raw: false } : { data: j.data, raw: true });
      } catch (e) {
        p.reject(new Error(`compression failed: ${(e as Error).message}`));
      }
    } while (this.queue.length > 0 && performance.now() < until);
    return true;
  }
}

/**
 * Waits for `until`, deflating queued jobs on this thread meanwhile (a backup's main thread
 * waiting for compression at the end of a file or of the run).
 * @example await assistCompression(Promise.all(saves));
 */
export async function assistCompression(until: Promise<unknown>): Promise<void> {
  let settled = false;
  const done = until.then(
    () => (settled = true),
    () => (settled = true),
  );
  const p = pool;
  while (!settled && p && p.help()) await new Promise((r) => setImmediate(r));
  await done;
  await until;
}

let pool: CompressionPool | null | undefined;

/** The shared pool, or null where worker threads are unavailable or disabled (CLAWBACK_COMPRESS_WORKERS=0). */
export function compressionPool(): CompressionPool | null {
  if (pool !== undefined) return pool;
  const env = process.env['CLAWBACK_COMPRESS_WORKERS'];
  const n = env !== undefined ? Number(env) : Math.min(4, Math.max(1, availableParallelism() - 1));
  try {
    pool = n > 0 ? new CompressionPool(n) : null;
  } catch {
    pool = null;
  }
  return pool;
}
