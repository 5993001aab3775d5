/*
 * The candidate scan's per-byte loop in WebAssembly: roll the RabinKarp window
 * and probe the bit filter, recording every filter hit (position and weak sum);
 * JavaScript then checks the few hits against the hash chains exactly as
 * scanCandidates does. The module is a few dozen instructions, assembled here
 * from the listing below (no toolchain, no binary blob in the repository).
 * scanCandidatesWasm (scan-candidates.ts) drives it; scanCandidates stays the
 * reference and the fallback where WebAssembly is missing; the two are tested
 * to agree.
 *
 * Memory layout (one instance per worker): [0, 8) where a full output stopped,
 * [16, 1040) the leave table (what each byte value takes with it as it leaves
 * the window), [1040, 1040 + filter) the bit filter, then the data, then the
 * output (pairs of i32: position, weak sum).
 */
import { op, wasmModule, type WasmApi, type WasmMemory } from '../core/wasm-asm.js';
import type { ScanTables } from './scan-candidates.js';

/** Byte offset of the leave table in the module's memory. */
export const WASM_LEAVE = 16;
/** Byte offset of the bit filter. */
export const WASM_FILTER = 1040;

// Parameters and locals of scan(), by index.
const P = 0, // window start (first to check)
  TO = 1, // end of window starts (exclusive)
  H = 2, // weak sum of the window at P
  MULT = 3,
  FSHIFT = 4,
  ENTER = 5, // address of data[bl - 1]: the entering byte of the move to p is at ENTER + p
  LEAVE = 6, // address of data[-1]: the leaving byte is at LEAVE + p
  OUT = 7, // address of the output pairs
  CAP = 8, // pairs the output holds
  COUNT = 9, // local
  F = 10; // local

/**
 * scan(p, to, h, mult, fshift, enter, leave, out, cap) -> count. Records (p, h) for every
 * window start in [p, to) whose filter bit is set; stops early when `cap` pairs are
 * recorded, leaving the last recorded start at address 0 and its weak sum at 4.
 */
const SCAN_BODY: number[] = [
  ...op.block,
  ...op.loop,
  // f = h >>> fshift; if (filter[f >>> 5] >>> (f & 31)) & 1
  ...op.get(H), ...op.get(FSHIFT), ...op.shrU, ...op.tee(F),
  ...op.const(5), ...op.shrU, ...op.const(2), ...op.shl, ...op.load(WASM_FILTER),
  ...op.get(F), ...op.shrU, ...op.const(1), ...op.and,
  ...op.if,
  ...op.get(OUT), ...op.get(COUNT), ...op.const(3), ...op.shl, ...op.add, ...op.tee(F), ...op.get(P), ...op.store(0),
  ...op.get(F), ...op.get(H), ...op.store(4),
  ...op.get(COUNT), ...op.const(1), ...op.add, ...op.tee(COUNT), ...op.get(CAP), ...op.eq,
  ...op.if,
  ...op.const(0), ...op.get(P), ...op.store(0),
  ...op.const(0), ...op.get(H), ...op.store(4),
  ...op.get(COUNT), ...op.return,
  ...op.end,
  ...op.end,
  // if (++p >= to) break
  ...op.get(P), ...op.const(1), ...op.add, ...op.tee(P), ...op.get(TO), ...op.geU, ...op.brIf(1),
  // h = h * mult + data[p - 1 + bl] - leave[data[p - 1]]
  ...op.get(H), ...op.get(MULT), ...op.mul,
  ...op.get(ENTER), ...op.get(P), ...op.add, ...op.load8u(0), ...op.add,
  ...op.get(LEAVE), ...op.get(P), ...op.add, ...op.load8u(0), ...op.const(2), ...op.shl, ...op.load(WASM_LEAVE), ...op.sub,
  ...op.set(H),
  ...op.br(0),
  ...op.end,
  ...op.end,
  ...op.get(COUNT),
];

/** The module's bytes: imports memory `e.m`, exports `scan`. */
export function scanModuleBytes(): Uint8Array {
  return wasmModule({ name: 'scan', params: 9, locals: 2, body: SCAN_BODY });
}

/** One compiled scanner: its memory and export. */
export interface WasmScanner {
  memory: WasmMemory;
  scan: (p: number, to: number, h: number, mult: number, fshift: number, enter: number, leave: number, out: number, cap: number) => number;
  /** Bytes of filter loaded, and for which tables. */
  loaded: ScanTables | undefined;
}

/**
 * Instantiates the module synchronously (it is tiny), or undefined without WebAssembly. Self-contained
 * (instantiateWasm's steps written out) because its source text runs in the scan workers.
 */
export function createWasmScanner(bytes: Uint8Array): WasmScanner | undefined {
  const W = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (!W) return undefined;
  try {
    const memory = new W.Memory({ initial: 1 });
    const inst = new W.Instance(new W.Module(bytes), { e: { m: memory } });
    return { memory, scan: inst.exports['scan'] as WasmScanner['scan'], loaded: undefined };
  } catch {
    return undefined;
  }
}
