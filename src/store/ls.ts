/*
 * ls: list the entries of a snapshot (or of one directory in it) with their
 * paths, walking trees depth-first in name order.
 */
import { ClawbackError } from '../core/errors.js';
import type { Id } from './ids.js';
import type { Repository } from './repository.js';
import type { TreeNode } from './tree.js';

/** One listed entry with its path from the snapshot root ('/'-separated, leading '/'). */
export interface ListedNode {
  path: string;
  node: TreeNode;
}

/** Finds the tree id and node at `path` (absolute, '/'-separated) below `root`. */
export async function lookupPath(repo: Repository, root: Id, path: string): Promise<{ tree?: Id; node?: TreeNode }> {
  const parts = path.split(/[\\/]+/).filter((p) => p.length > 0 && p !== '.');
  let tree: Id | undefined = root;
  let node: TreeNode | undefined;
  for (const part of parts) {
    const name = /^[A-Za-z]:$/.test(part) ? part[0]! : part;
    if (!tree) throw new ClawbackError('NOT_FOUND', `${path} is not in the snapshot`);
    const t = await repo.loadTree(tree);
    node = t.nodes.find((n) => n.name === name);
    if (!node) throw new ClawbackError('NOT_FOUND', `${path} is not in the snapshot`);
    tree = node.type === 'dir' ? node.subtree : undefined;
  }
  return { ...(tree ? { tree } : {}), ...(node ? { node } : {}) };
}

/**
 * Lists a snapshot's entries under `path` (default: all), recursively unless `recursive` is false.
 * @example for await (const { path, node } of ls(repo, snap.tree, '/home/me/.openclaw')) console.log(path);
 */
export async function* ls(repo: Repository, root: Id, path = '/', recursive = true): AsyncGenerator<ListedNode> {
  const { tree, node } = await lookupPath(repo, root, path);
  const base = '/' + path.split(/[\\/]+/).filter((p) => p.length > 0 && p !== '.').join('/');
  if (node && !tree) {
    yield { path: base, node };
    return;
  }
  const walk = async function* (id: Id, prefix: string): AsyncGenerator<ListedNode> {
    const t = await repo.loadTree(id);
    for (const n of t.nodes) {
      const p = prefix === '/' ? `/${n.name}` : `${prefix}/${n.name}`;
      yield { path: p, node: n };
      if (recursive && n.type === 'dir' && n.subtree) yield* walk(n.subtree, p);
    }
  };
  yield* walk(tree!, base);
}
