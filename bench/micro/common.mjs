/*
 * Shared pieces of the micro-benchmarks: seeded input buffers, a tinybench
 * runner that turns latencies into MB/s per task, and per-size iteration
 * budgets (big inputs get few iterations so the whole suite stays short).
 */
import { Bench } from 'tinybench';
import { keystream } from '../lib/gen-data.mjs';

export const KiB = 1 << 10;
export const MiB = 1 << 20;
/** Input sizes of the per-size benchmarks. */
export const SIZES = [64 * KiB, MiB, 16 * MiB];

/** `n` seeded pseudo-random bytes (AES-CTR keystream, as the whole-process bench). */
export function randomBytes(n, seed) {
  return new Uint8Array(keystream(`micro:${seed}`).next(n));
}

/** A copy of `data` with one 1 KiB edit per MiB (at least one), at seeded offsets. */
export function lightlyEdited(data, seed) {
  const out = new Uint8Array(data);
  const edits = Math.max(1, Math.round(data.length / MiB));
  const noise = randomBytes(edits * KiB, `${seed}:edits`);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(((i + 0.5) * data.length) / edits) - KiB / 2;
    out.set(noise.subarray(i * KiB, (i + 1) * KiB), Math.max(0, Math.min(at, data.length - KiB)));
  }
  return out;
}

/** Human label of a byte count: 64 KiB, 1 MiB, 16 MiB. */
export function bytesLabel(n) {
  return n >= MiB ? `${n / MiB} MiB` : `${n / KiB} KiB`;
}

/** tinybench budget for an input of `bytes`: fewer iterations for bigger inputs. */
export function budget(bytes) {
  if (bytes >= 16 * MiB) return { time: 500, iterations: 6, warmupIterations: 1, warmupTime: 0 };
  if (bytes >= MiB) return { time: 300, iterations: 16, warmupIterations: 4, warmupTime: 50 };
  return { time: 300, iterations: 64, warmupIterations: 16, warmupTime: 100 };
}

/** The clock of the micro-benchmarks: 'wall' (performance.now) or 'cpu' (this process's user+system time). */
let clock = 'wall';
export function setClock(kind) {
  if (kind !== 'wall' && kind !== 'cpu') throw new RangeError(`"clock" expected wall or cpu, got ${kind}`);
  clock = kind;
}
export const clockName = () => clock;

/** Process CPU time in ms (microsecond resolution): immune to other processes on a busy machine. */
function cpuNow() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/**
 * Runs tasks with tinybench and returns rows with MB/s (10^6 bytes per second of mean latency).
 * @param {{name: string, bytes: number, fn: () => unknown, group?: string}[]} tasks
 */
export async function runTasks(suite, tasks) {
  const rows = [];
  for (const t of tasks) {
    const bench = new Bench({ name: suite, throws: true, ...budget(t.bytes), ...(clock === 'cpu' ? { now: cpuNow } : {}) });
    bench.add(t.name, t.fn);
    await bench.run();
    const r = bench.tasks[0].result;
    if (r.state !== 'completed') throw new Error(`${suite}/${t.name}: ${r.state} ${r.error ?? ''}`);
    const meanMs = r.latency.mean;
    rows.push({
      suite,
      name: t.name,
      bytes: t.bytes,
      meanMs,
      p50Ms: r.latency.p50,
      rmePct: r.latency.rme,
      samples: r.latency.samplesCount ?? r.runs ?? NaN,
      mbps: t.bytes / 1e6 / (meanMs / 1000),
    });
  }
  return rows;
}
