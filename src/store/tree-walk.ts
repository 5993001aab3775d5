/*
 * Walking every tree reachable from a set of snapshots, each tree once:
 * the basis of check (are all blobs there?) and prune (which blobs are used?).
 * Memory is the set of tree ids seen, bounded by the index.
 */
import type { Id } from './ids.js';
import type { Repository } from './repository.js';
import type { Tree } from './tree.js';

/**
 * Calls `visit` for every tree reachable from `roots`, each once. A tree that
 * cannot be loaded goes to `onError` and its subtrees are not visited.
 */
export async function walkTrees(repo: Repository, roots: readonly Id[], visit: (id: Id, tree: Tree) => void, onError: (id: Id, e: unknown) => void, opts: { fresh?: boolean } = {}): Promise<Set<Id>> {
  const seen = new Set<Id>();
  const stack = [...roots];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    let tree: Tree;
    try {
      tree = await repo.loadTree(id, opts);
    } catch (e) {
      onError(id, e);
      continue;
    }
    visit(id, tree);
    for (const n of tree.nodes) if (n.type === 'dir' && n.subtree) stack.push(n.subtree);
  }
  return seen;
}
