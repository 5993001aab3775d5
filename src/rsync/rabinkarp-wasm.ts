/*
 * The RabinKarp sum of a whole block in WebAssembly (four bytes per step, as
 * rabinKarpUpdate does in JavaScript): the weak sum of every signature block
 * and of the window after every match. The module is assembled at load time
 * (core/wasm-asm.ts); without WebAssembly, or for short ranges where the copy
 * into its memory does not pay, rabinKarp runs instead. Same results either
 * way (tested).
 */
import { instantiateWasm, op, wasmModule, type WasmMemory } from '../core/wasm-asm.js';
import { RK_MULT, RK_SEED, rabinKarp, rkPower } from './rabinkarp.js';

// rk(ptr, len, h) -> h continued over memory[ptr, ptr + len)
const PTR = 0,
  LEN = 1,
  H = 2,
  END4 = 3,
  END = 4,
  X = 5;
const byte = (shift: number) => [...op.get(X), ...(shift ? [...op.const(shift), ...op.shrU] : []), ...(shift < 24 ? [...op.const(255), ...op.and] : [])];
const RK_BODY: number[] = [
  ...op.get(PTR), ...op.get(LEN), ...op.add, ...op.set(END),
  ...op.get(PTR), ...op.get(LEN), ...op.const(-4), ...op.and, ...op.add, ...op.set(END4),
  ...op.block,
  ...op.loop,
  ...op.get(PTR), ...op.get(END4), ...op.geU, ...op.brIf(1),
  ...op.get(PTR), ...op.load(0, 0), ...op.set(X),
  // h = h * M^4 + b0 * M^3 + b1 * M^2 + b2 * M + b3 (bytes in memory order; the load is little-endian)
  ...op.get(H), ...op.const(rkPower(4)), ...op.mul,
  ...byte(0), ...op.const(rkPower(3)), ...op.mul, ...op.add,
  ...byte(8), ...op.const(rkPower(2)), ...op.mul, ...op.add,
  ...byte(16), ...op.const(RK_MULT), ...op.mul, ...op.add,
  ...byte(24), ...op.add,
  ...op.set(H),
  ...op.get(PTR), ...op.const(4), ...op.add, ...op.set(PTR),
  ...op.br(0),
  ...op.end,
  ...op.end,
  ...op.block,
  ...op.loop,
  ...op.get(PTR), ...op.get(END), ...op.geU, ...op.brIf(1),
  ...op.get(H), ...op.const(RK_MULT), ...op.mul, ...op.get(PTR), ...op.load8u(0), ...op.add, ...op.set(H),
  ...op.get(PTR), ...op.const(1), ...op.add, ...op.set(PTR),
  ...op.br(0),
  ...op.end,
  ...op.end,
  ...op.get(H),
];

/** The module's bytes: imports memory `e.m`, exports `rk`. */
export function rabinKarpModuleBytes(): Uint8Array {
  return wasmModule({ name: 'rk', params: 3, locals: 3, body: RK_BODY });
}

interface Loaded {
  memory: WasmMemory;
  rk: (ptr: number, len: number, h: number) => number;
  view: Uint8Array;
}

function load(): Loaded | undefined {
  const inst = instantiateWasm(rabinKarpModuleBytes());
  return inst && { memory: inst.memory, rk: inst.exports['rk'] as Loaded['rk'], view: new Uint8Array(inst.memory.buffer) };
}

const wasm = load();

/** Whether rabinKarpBlock runs in WebAssembly here. */
export const rabinKarpWasm = wasm !== undefined;

/** Shorter ranges stay in JavaScript: the copy and the call cost more than they save. */
const MIN_WASM = 256;

/**
 * RabinKarp hash of `buf[start, end)` (as rabinKarp), in WebAssembly for ranges of 256 bytes or more.
 * @returns the hash as an unsigned 32-bit integer
 */
export function rabinKarpBlock(buf: Uint8Array, start = 0, end = buf.length): number {
  const n = end - start;
  if (!wasm || n < MIN_WASM) return rabinKarp(buf, start, end);
  if (wasm.view.length < n) {
    wasm.memory.grow(Math.ceil((n - wasm.view.length) / 65536));
    wasm.view = new Uint8Array(wasm.memory.buffer);
  }
  wasm.view.set(buf.subarray(start, end), 0);
  return wasm.rk(0, n, RK_SEED) >>> 0;
}
