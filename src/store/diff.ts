/*
 * diff: what changed between two snapshots — entries added, removed, and
 * modified (content or type or mode). Identical subtrees (same id) are
 * skipped without loading them, so the cost follows the change, not the size.
 */
import type { Id } from './ids.js';
import type { Repository } from './repository.js';
import type { TreeNode } from './tree.js';

/** One difference. */
export interface DiffEntry {
  path: string;
  change: 'added' | 'removed' | 'modified';
  /** For modified entries: what differs. */
  what?: ('content' | 'type' | 'mode' | 'target' | 'mtime')[];
  type: TreeNode['type'];
  /** Content size after the change (files). */
  size?: number;
}

/** Totals of a diff. */
export interface DiffStats {
  added: number;
  removed: number;
  modified: number;
}

function differences(a: TreeNode, b: TreeNode): DiffEntry['what'] {
  const w: NonNullable<DiffEntry['what']> = [];
  if (a.type !== b.type) w.push('type');
  if (a.mode !== b.mode) w.push('mode');
  if (a.type === 'file' && b.type === 'file' && (a.size !== b.size || (a.content ?? []).join() !== (b.content ?? []).join())) w.push('content');
  if (a.type === 'symlink' && a.target !== b.target) w.push('target');
  if (a.mtimeNs !== b.mtimeNs && a.type !== 'dir') w.push('mtime');
  return w;
}

/**
 * Yields the differences from tree `a` to tree `b`, in path order.
 * @example for await (const d of diffTrees(repo, s1.tree, s2.tree)) console.log(d.change, d.path);
 */
export async function* diffTrees(repo: Repository, a: Id | undefined, b: Id | undefined, prefix = ''): AsyncGenerator<DiffEntry> {
  if (a === b) return;
  const ta = a ? (await repo.loadTree(a)).nodes : [];
  const tb = b ? (await repo.loadTree(b)).nodes : [];
  const mb = new Map(tb.map((n) => [n.name, n]));
  const ma = new Map(ta.map((n) => [n.name, n]));
  const names = [...new Set([...ma.keys(), ...mb.keys()])].sort();
  for (const name of names) {
    const x = ma.get(name);
    const y = mb.get(name);
    const path = `${prefix}/${name}`;
    if (x && !y) {
      yield { path, change: 'removed', type: x.type };
      if (x.type === 'dir') yield* diffTrees(repo, x.subtree, undefined, path);
    } else if (!x && y) {
      yield { path, change: 'added', type: y.type, ...(y.size !== undefined ? { size: y.size } : {}) };
      if (y.type === 'dir') yield* diffTrees(repo, undefined, y.subtree, path);
    } else if (x && y) {
      const what = differences(x, y)!;
      if (what.length > 0 && !(x.type === 'dir' && y.type === 'dir' && what.every((w) => w === 'mtime'))) {
        yield { path, change: 'modified', what, type: y.type, ...(y.size !== undefined ? { size: y.size } : {}) };
      }
      if (x.type === 'dir' || y.type === 'dir') yield* diffTrees(repo, x.type === 'dir' ? x.subtree : undefined, y.type === 'dir' ? y.subtree : undefined, path);
    }
  }
}
