/*
 * Worker threads that run scanCandidates ahead of the delta matcher: each job
 * is one chunk of new data in a SharedArrayBuffer, and the answer is the list
 * of windows in it that can match. The worker's code is scanCandidates' own
 * source text (evaluated with `eval: true`, as compress-pool does), so it runs
 * the same from the TypeScript sources and from dist/, and the loop exists once.
 */
import { Worker } from 'node:worker_threads';
import { addIfIndexed, scanCandidates, scanCandidatesWasm, scanSetup, type CandidateList } from './scan-candidates.js';
import { wasmApi } from '../core/wasm-asm.js';
import { createWasmScanner, scanModuleBytes, WASM_FILTER, WASM_LEAVE } from './scan-wasm.js';
import type { SignatureIndex } from './signature-index.js';

// The worker runs scanCandidatesWasm when WebAssembly works there, else scanCandidates: both are
// their functions' own source text. import() rather than require(): an eval worker inherits the
// parent's execArgv, and under --input-type=module it runs as an ES module (messages wait in the
// port until the listener is on).
const WORKER_CODE = `
const addIfIndexed = ${addIfIndexed.toString()};
const scanCandidates = ${scanCandidates.toString()};
const scanCandidatesWasm = ${scanCandidatesWasm.toString()};
const createWasmScanner = ${createWasmScanner.toString()};
import('node:worker_threads').then(({ parentPort, workerData: d }) => {
  const w = d.wasm ? createWasmScanner(d.wasm) : undefined;
  parentPort.on('message', (j) => {
    try {
      const b = new Uint8Array(j.sab, 0, j.length);
      const r = w
        ? scanCandidatesWasm(w, b, j.from, j.to, d.setup, d.leaveAt, d.filterAt)
        : scanCandidates(b, j.from, j.to, d.setup);
      parentPort.postMessage({ id: j.id, pos: r.pos, weak: r.weak, count: r.count }, [r.pos.buffer, r.weak.buffer]);
    } catch (e) {
      parentPort.postMessage({ id: j.id, error: String((e && e.message) || e) });
    }
  });
});
`;

interface Reply {
  id: number;
  pos?: Int32Array;
  weak?: Int32Array;
  count?: number;
  error?: string;
}

/** A few workers scanning chunks for one signature; close() when done. */
export class ScanPool {
  private readonly workers: Worker[] = [];
  private readonly load: number[] = [];
  private readonly pending = new Map<number, { w: number; resolve: (l: CandidateList) => void; reject: (e: Error) => void }>();
  private nextId = 0;
  private failure: Error | undefined;

  /** Starts `threads` workers over the RabinKarp signature `index` (`wasm: false`, or CLAWBACK_WASM=0: the JavaScript loop only). */
  constructor(index: SignatureIndex, threads: number, opts: { wasm?: boolean } = {}) {
    const bl = index.sig.blockLen;
    const workerData = { setup: scanSetup(index), wasm: opts.wasm === false || !wasmApi() ? undefined : scanModuleBytes(), leaveAt: WASM_LEAVE, filterAt: WASM_FILTER };
    for (let i = 0; i < threads; i++) {
      let w: Worker;
      try {
        w = new Worker(WORKER_CODE, { eval: true, workerData });
      } catch (e) {
        for (const started of this.workers) void started.terminate();
        throw e;
      }
      w.on('message', (r: Reply) => this.settle(r));
      w.on('error', (e) => this.fail(e));
      w.on('exit', (code) => {
        if (code !== 0) this.fail(new Error(`scan worker exited with code ${code}`));
      });
      w.unref();
      this.workers.push(w);
      this.load.push(0);
    }
  }

  private settle(r: Reply): void {
    const p = this.pending.get(r.id);
    if (!p) return;
    this.pending.delete(r.id);
    if (--this.load[p.w]! === 0) this.workers[p.w]!.unref(); // idle workers never keep the process alive
    if (r.error !== undefined || !r.pos || !r.weak || r.count === undefined) p.reject(new Error(`candidate scan failed: ${r.error ?? 'no result'}`));
    else p.resolve({ pos: r.pos, weak: r.weak, count: r.count });
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  /**
   * Lists the candidate window starts in [from, to) of the first `length` bytes of `sab`
   * (positions relative to the buffer). The buffer must not change until the promise settles.
   */
  scan(sab: SharedArrayBuffer, length: number, from: number, to: number): Promise<CandidateList> {
    if (this.failure) return Promise.reject(this.failure);
    let w = 0;
    for (let i = 1; i < this.workers.length; i++) if (this.load[i]! < this.load[w]!) w = i;
    const id = this.nextId++;
    const p = new Promise<CandidateList>((resolve, reject) => this.pending.set(id, { w, resolve, reject }));
    p.catch(() => {}); // surfaced where awaited
    if (this.load[w]!++ === 0) this.workers[w]!.ref();
    this.workers[w]!.postMessage({ id, sab, length, from, to });
    return p;
  }

  /** Stops the workers (pending scans are rejected). */
  async close(): Promise<void> {
    this.fail(new Error('scan pool closed'));
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
