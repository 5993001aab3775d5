/*
 * Seeded mutations of a basis into a "new" file: inserts, deletes, appends,
 * truncation, aligned and unaligned overwrites, copies and moves of ranges.
 * Each mutation says what it did, so a failing case names its edits.
 */
import { concat } from './bytes.js';
import type { Rng } from './prng.js';

/** The kinds of edit the generator applies. */
export type EditKind = 'insert' | 'delete' | 'append' | 'prepend' | 'truncate' | 'overwrite' | 'overwrite-aligned' | 'duplicate' | 'move' | 'flip';

export const EDIT_KINDS: readonly EditKind[] = ['insert', 'delete', 'append', 'prepend', 'truncate', 'overwrite', 'overwrite-aligned', 'duplicate', 'move', 'flip'];

/** A mutated copy and the edits that made it. */
export interface Mutation {
  data: Uint8Array;
  edits: string[];
}

/** Applies one edit of `kind` to `data`; `align` is the block length for aligned edits. */
export function applyEdit(data: Uint8Array, kind: EditKind, rng: Rng, align: number, maxLen: number): { data: Uint8Array; edit: string } {
  const n = data.length;
  const len = rng.range(1, Math.max(1, maxLen));
  const pos = rng.int(n + 1);
  switch (kind) {
    case 'insert':
      return { data: concat(data.subarray(0, pos), rng.bytes(len), data.subarray(pos)), edit: `insert ${len}@${pos}` };
    case 'delete': {
      const l = Math.min(len, n - pos);
      return { data: concat(data.subarray(0, pos), data.subarray(pos + l)), edit: `delete ${l}@${pos}` };
    }
    case 'append':
      return { data: concat(data, rng.bytes(len)), edit: `append ${len}` };
    case 'prepend':
      return { data: concat(rng.bytes(len), data), edit: `prepend ${len}` };
    case 'truncate': {
      const to = rng.int(n + 1);
      return { data: data.slice(0, to), edit: `truncate to ${to}` };
    }
    case 'overwrite': {
      const l = Math.min(len, n - pos);
      const out = data.slice();
      out.set(rng.bytes(l), pos);
      return { data: out, edit: `overwrite ${l}@${pos}` };
    }
    case 'overwrite-aligned': {
      const blocks = Math.floor(n / align);
      if (blocks === 0) return { data: data.slice(), edit: 'overwrite-aligned (no full block)' };
      const b = rng.int(blocks);
      const k = Math.min(blocks - b, rng.range(1, 3));
      const out = data.slice();
      out.set(rng.bytes(k * align), b * align);
      return { data: out, edit: `overwrite-aligned ${k}x${align}@${b * align}` };
    }
    case 'duplicate': {
      const from = rng.int(n + 1);
      const l = Math.min(len * 4, n - from);
      return { data: concat(data.subarray(0, pos), data.subarray(from, from + l), data.subarray(pos)), edit: `duplicate ${l} from ${from} to ${pos}` };
    }
    case 'move': {
      const l = Math.min(len * 4, n - pos);
      const rest = concat(data.subarray(0, pos), data.subarray(pos + l));
      const to = rng.int(rest.length + 1);
      return { data: concat(rest.subarray(0, to), data.subarray(pos, pos + l), rest.subarray(to)), edit: `move ${l} from ${pos} to ${to}` };
    }
    case 'flip': {
      if (n === 0) return { data: data.slice(), edit: 'flip (empty)' };
      const at = rng.int(n);
      const out = data.slice();
      out[at] = out[at]! ^ (1 + rng.int(255));
      return { data: out, edit: `flip @${at}` };
    }
  }
}

/**
 * A seeded mutation of `basis`: 1..maxEdits edits of random kinds.
 * @example const { data, edits } = mutate(basis, new Rng(7), { align: 256 });
 */
export function mutate(basis: Uint8Array, rng: Rng, opts: { align?: number; maxEdits?: number; maxLen?: number; kinds?: readonly EditKind[] } = {}): Mutation {
  const align = opts.align ?? 256;
  const maxEdits = opts.maxEdits ?? 4;
  const kinds = opts.kinds ?? EDIT_KINDS;
  let data = basis;
  const edits: string[] = [];
  const count = rng.range(1, maxEdits);
  for (let i = 0; i < count; i++) {
    const kind = rng.pick(kinds);
    const r = applyEdit(data, kind, rng, align, opts.maxLen ?? Math.max(1, Math.min(4096, Math.floor(basis.length / 8) + 1)));
    data = r.data;
    edits.push(r.edit);
  }
  return { data, edits };
}
