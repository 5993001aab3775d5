/*
 * Worker threads that deflate blobs, so compression runs beside the main
 * thread's reading, chunking and hashing (one worker per spare core). Jobs are
 * batched per event-loop turn; workers are unref'd while idle so they never
 * keep a process alive. The worker code is inline (eval) so it runs the same
 * from the TypeScript sources and from dist/.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

const WORKER_CODE = `
const { parentPort } = require('node:worker_threads');
const zlib = require('node:zlib');
parentPort.on('message', (jobs) => {
  const results = [];
  const transfer = [];
  for (const j of jobs) {
    try {
      const c = new Uint8Array(zlib.deflateRawSync(j.data, { level: j.level, memLevel: 7 }));
      // Worth keeping only when it saves at least 1/32 (as compress.ts chooses); else the input goes back.
      if (c.length > j.data.length - (j.data.length >>> 5)) {
        results.push({ id: j.id, raw: true, data: j.data });
        transfer.push(j.data.buffer);
      } else {
        results.push({ id: j.id, data: c });
        transfer.push(c.buffer);
      }
    } catch (e) {
      results.push({ id: j.id, error: String(e && e.message || e) });
    }
  }
  parentPort.postMessage(results, transfer);
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

/** A small pool of deflate workers. */
export class CompressionPool {
  private readonly workers: { w: Worker; inflight: number }[] = [];
  private readonly pending = new Map<number, Pending>();
  private queue: Job[] = [];
  private queuedBytes = 0;
  private scheduled = false;
  private nextId = 1;

  constructor(size: number) {
    for (let i = 0; i < size; i++) {
      const w = new Worker(WORKER_CODE, { eval: true });
      const slot = { w, inflight: 0 };
      w.unref();
      w.on('message', (results: { id: number; data?: Uint8Array; raw?: boolean; error?: string }[]) => {
        slot.inflight -= results.length;
        if (slot.inflight === 0) w.unref();
        for (const r of results) {
          const p = this.pending.get(r.id);
          this.pending.delete(r.id);
          if (!p) continue;
          if (r.data) p.resolve({ data: r.data, raw: r.raw === true });
          else p.reject(new Error(`compression failed: ${r.error}`));
        }
      });
      w.on('error', (e) => {
        for (const p of this.pending.values()) p.reject(e);
        this.pending.clear();
      });
      this.workers.push(slot);
    }
  }

  /**
   * Raw DEFLATE of `data` at `level`, computed in a worker; `raw` when it would not save 1/32.
   * The bytes go to the worker by transfer, never by a structured clone: `data` itself when
   * `give` is set and it is a whole buffer (it is detached: the caller must not use it again),
   * else a copy. A raw answer carries the bytes that went over.
   */
  deflate(data: Uint8Array, level: number, give = false): Promise<Deflated> {
    const id = this.nextId++;
    return new Promise<Deflated>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      const whole = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength && data.buffer instanceof ArrayBuffer;
      const own = give && whole ? data : new Uint8Array(data);
      this.queue.push({ id, data: own, level });
      this.queuedBytes += data.length;
      if (this.queuedBytes >= 256 * 1024) this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    if (this.queue.length === 0) return;
    const jobs = this.queue;
    this.queue = [];
    this.queuedBytes = 0;
    let slot = this.workers[0]!;
    for (const s of this.workers) if (s.inflight < slot.inflight) slot = s;
    if (slot.inflight === 0) slot.w.ref();
    slot.inflight += jobs.length;
    slot.w.postMessage(
      jobs,
      jobs.map((j) => j.data.buffer as ArrayBuffer),
    );
  }
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
