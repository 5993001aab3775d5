/*
 * Argument checks with one message template, noble-hashes style:
 * `"blockLen" expected integer >= 16, got 7`. Wrong types raise TypeError,
 * wrong ranges RangeError. Data errors are not argument errors: see errors.ts.
 */

function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'bigint') return `${v}n`;
  if (v instanceof Uint8Array) return `Uint8Array(${v.length})`;
  if (v === null) return 'null';
  if (typeof v === 'object') return v.constructor?.name ?? 'object';
  return String(v);
}

/** Asserts `v` is a safe integer in [min, max]. */
export function assertInt(name: string, v: unknown, min = 0, max = Number.MAX_SAFE_INTEGER): asserts v is number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) {
    throw new TypeError(`"${name}" expected integer, got ${show(v)}`);
  }
  if (v < min) throw new RangeError(`"${name}" expected integer >= ${min}, got ${v}`);
  if (v > max) throw new RangeError(`"${name}" expected integer <= ${max}, got ${v}`);
}

/** Asserts `v` is a Uint8Array (Buffer included). */
export function assertBytes(name: string, v: unknown): asserts v is Uint8Array {
  if (!(v instanceof Uint8Array)) throw new TypeError(`"${name}" expected Uint8Array, got ${show(v)}`);
}

/** Asserts `v` is one of `allowed`. */
export function assertOneOf<T extends string | number>(name: string, v: unknown, allowed: readonly T[]): asserts v is T {
  if (!allowed.includes(v as T)) {
    throw new RangeError(`"${name}" expected one of ${allowed.map(show).join(', ')}, got ${show(v)}`);
  }
}

/** Asserts `v` is a non-empty string. */
export function assertString(name: string, v: unknown): asserts v is string {
  if (typeof v !== 'string') throw new TypeError(`"${name}" expected string, got ${show(v)}`);
  if (v.length === 0) throw new RangeError(`"${name}" expected non-empty string, got ""`);
}

/** Asserts `v` is an AbortSignal or undefined. */
export function assertSignal(name: string, v: unknown): asserts v is AbortSignal | undefined {
  if (v !== undefined && !(v instanceof AbortSignal)) {
    throw new TypeError(`"${name}" expected AbortSignal, got ${show(v)}`);
  }
}
