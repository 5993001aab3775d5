/*
 * "Really changed bytes" of a mutation, and the same bytes compressed. Follows
 * the fixture's own rule (fixtures/tree-diff.ts): every 4 KiB block of a
 * modified file that differs from the block at the same position before, plus
 * every added file whose content did not exist before. Those bytes are read
 * from the mutated tree and deflated at level 3 (clawback's default codec) two
 * ways: per file (a per-blob store cannot do better across files) and as one
 * stream (the tighter bound).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';

const LEVEL = 3;

/**
 * Measures the changed content between two hashed scans (scanTree(root, { hash: true }))
 * of the same root, before and after mutateState.
 * @returns {{raw: number, files: number, deflatePerFile: number, deflateStream: number}}
 */
export function changedContent(before, after, root, BLOCK) {
  const beforeShas = new Set();
  for (const e of before.values()) if (e.type === 'file' && e.sha256) beforeShas.add(e.sha256);
  const all = [];
  let raw = 0;
  let deflatePerFile = 0;
  let files = 0;
  for (const [rel, b] of after) {
    if (b.type !== 'file') continue;
    const a = before.get(rel);
    let parts;
    if (a === undefined) {
      if (beforeShas.has(b.sha256)) continue; // a rename or copy: no new content
      parts = 'all';
    } else if (a.type === 'file' && a.sha256 === b.sha256) continue;
    else {
      const ab = a.type === 'file' ? (a.blocks ?? []) : [];
      parts = [];
      for (let i = 0; i < b.blocks.length; i++) if (ab[i] !== b.blocks[i]) parts.push(i);
    }
    const data = readFileSync(join(root, ...rel.split('/')));
    const bytes = parts === 'all' ? data : Buffer.concat(parts.map((i) => data.subarray(i * BLOCK, (i + 1) * BLOCK)));
    if (bytes.length === 0) continue;
    files++;
    raw += bytes.length;
    deflatePerFile += deflateRawSync(bytes, { level: LEVEL }).length;
    all.push(bytes);
  }
  const deflateStream = deflateRawSync(Buffer.concat(all), { level: LEVEL }).length;
  return { raw, files, deflatePerFile, deflateStream };
}
