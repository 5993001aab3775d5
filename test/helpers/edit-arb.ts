/*
 * fast-check arbitraries of edits (insert, delete, replace, duplicate a range)
 * for the rsync property tests, and applying them to a basis.
 */
import fc from 'fast-check';
import { concat } from './bytes.js';

/** One edit; `at` and `len` are reduced modulo the data they are applied to. */
export type Edit = { kind: 'insert' | 'delete' | 'replace' | 'duplicate'; at: number; len: number; bytes: Uint8Array };

export const editArb: fc.Arbitrary<Edit> = fc.record({
  kind: fc.constantFrom('insert', 'delete', 'replace', 'duplicate'),
  at: fc.nat(),
  len: fc.nat({ max: 300 }),
  bytes: fc.uint8Array({ maxLength: 40 }),
});

/** Applies `edits` in order to a copy of `basis`. */
export function applyEdits(basis: Uint8Array, edits: readonly Edit[]): Uint8Array {
  let d = basis;
  for (const e of edits) {
    const at = e.at % (d.length + 1);
    const len = Math.min(e.len, d.length - at);
    if (e.kind === 'insert') d = concat(d.subarray(0, at), e.bytes, d.subarray(at));
    else if (e.kind === 'delete') d = concat(d.subarray(0, at), d.subarray(at + len));
    else if (e.kind === 'replace') d = concat(d.subarray(0, at), e.bytes, d.subarray(at + Math.min(len, e.bytes.length)));
    else d = concat(d.subarray(0, at), d.subarray(at, at + len), d.subarray(at));
  }
  return d;
}

