/*
 * A tiny WebAssembly assembler: just enough to write small hot loops (the
 * rsync candidate scan, the RabinKarp block sum) as readable instruction
 * listings in TypeScript and turn them into a module at load time, so no
 * toolchain and no binary blob is needed. Every function takes and returns
 * i32s; the module imports its memory as `e.m`.
 */

/** Unsigned LEB128. */
export const uleb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
};

/** Signed LEB128 (for i32.const). */
export const sleb = (n: number): number[] => {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
};

const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const name = (s: string): number[] => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];

/** The i32 value type. */
export const I32 = 0x7f;

/** The instructions the listings use (opcodes from the WebAssembly core spec). */
export const op = {
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  if: [0x04, 0x40],
  end: [0x0b],
  br: (depth: number) => [0x0c, ...uleb(depth)],
  brIf: (depth: number) => [0x0d, ...uleb(depth)],
  return: [0x0f],
  get: (local: number) => [0x20, ...uleb(local)],
  set: (local: number) => [0x21, ...uleb(local)],
  tee: (local: number) => [0x22, ...uleb(local)],
  /** i32.load; `align` is log2 of the alignment hint (0 for unaligned data). */
  load: (offset: number, align = 2) => [0x28, align, ...uleb(offset)],
  load8u: (offset: number) => [0x2d, 0, ...uleb(offset)],
  store: (offset: number) => [0x36, 2, ...uleb(offset)],
  const: (n: number) => [0x41, ...sleb(n)],
  eq: [0x46],
  ltU: [0x49],
  geU: [0x4f],
  add: [0x6a],
  sub: [0x6b],
  mul: [0x6c],
  and: [0x71],
  shl: [0x74],
  shrU: [0x76],
};

/** One exported function: `params` i32 parameters, `locals` more i32 locals, one i32 result. */
export interface WasmFunction {
  name: string;
  params: number;
  locals: number;
  body: number[];
}

/** A module of `fns` over an imported memory `e.m` (at least one page). */
export function wasmModule(...fns: WasmFunction[]): Uint8Array {
  const types = section(1, vec(fns.map((f) => [0x60, ...vec(Array.from({ length: f.params }, () => [I32])), ...vec([[I32]])])));
  const imports = section(2, vec([[...name('e'), ...name('m'), 0x02, 0x00, ...uleb(1)]]));
  const funcs = section(3, vec(fns.map((_, i) => uleb(i))));
  const exports = section(7, vec(fns.map((f, i) => [...name(f.name), 0x00, ...uleb(i)])));
  const code = section(
    10,
    vec(
      fns.map((f) => {
        const body = [...(f.locals > 0 ? vec([[...uleb(f.locals), I32]]) : vec([])), ...f.body, ...op.end];
        return [...uleb(body.length), ...body];
      }),
    ),
  );
  return Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...types, ...imports, ...funcs, ...exports, ...code]);
}

/** The parts of WebAssembly used here (the project's TypeScript lib has no DOM types). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
/** The WebAssembly namespace, as far as it is used. */
export interface WasmApi {
  Memory: new (d: { initial: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (m: object, imports: object) => { exports: Record<string, unknown> };
}

/**
 * The WebAssembly namespace, or undefined where it is missing or turned off with
 * CLAWBACK_WASM=0 (read on each call): the one switch for every assembled loop.
 */
export function wasmApi(): WasmApi | undefined {
  if (typeof process === 'object' && process.env?.['CLAWBACK_WASM'] === '0') return undefined;
  return (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
}

/** Instantiates `bytes` over a fresh one-page memory (synchronously: the modules are tiny), or undefined. */
export function instantiateWasm(bytes: Uint8Array): { memory: WasmMemory; exports: Record<string, unknown> } | undefined {
  const W = wasmApi();
  if (!W) return undefined;
  try {
    const memory = new W.Memory({ initial: 1 });
    return { memory, exports: new W.Instance(new W.Module(bytes), { e: { m: memory } }).exports };
  } catch {
    return undefined;
  }
}
