/*
 * Which snapshot a rollback goes back to: the latest backup of this OpenClaw
 * state (same host, same path list, not a safety snapshot), the latest one
 * before a time, a named one, or the latest safety snapshot (undo). With a
 * path, any snapshot that holds that path qualifies.
 */
import { ClawbackError } from '../core/errors.js';
import type { Id } from '../store/ids.js';
import type { Repository, SnapshotRecord } from '../store/repository.js';
import type { TreeNode } from '../store/tree.js';
import { NodeFinder, pathWithin } from '../store/versions.js';

/** The tag of the snapshots a rollback takes before it writes anything. */
export const SAFETY_TAG = 'safety';
/** Prefix of the tag naming the snapshot a rollback went to (`rollback-to:<8 hex>`). */
export const ROLLBACK_TO_TAG = 'rollback-to:';

/** What to select. */
export interface SelectOptions {
  /** The source paths of the OpenClaw scope. */
  scopePaths: readonly string[];
  host: string;
  snapshot?: string;
  before?: Date;
  undo?: boolean;
  /** Absolute path: only snapshots holding it. */
  path?: string;
}

/** The chosen snapshot, and the node at `path` in it when a path was given. */
export interface Selected {
  record: SnapshotRecord;
  node?: TreeNode;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const s = new Set(a);
  return b.every((x) => s.has(x));
}

const isSafety = (r: SnapshotRecord) => r.snapshot.tags.includes(SAFETY_TAG);

/**
 * Picks the snapshot to roll back to.
 * @throws ClawbackError NOT_FOUND when no snapshot qualifies (the message says what was looked for)
 * @throws RangeError when a named snapshot backs up paths outside the scope
 * @example const { record } = await selectSnapshot(repo, { scopePaths: scope.paths, host: 'me', before: new Date('2026-03-25') });
 */
export async function selectSnapshot(repo: Repository, opts: SelectOptions): Promise<Selected> {
  const finder = new NodeFinder(repo);
  const all = await repo.snapshots(() => {});
  const what = opts.path !== undefined ? `${opts.path}` : `this OpenClaw state (${opts.scopePaths.join(', ')})`;
  const holds = async (r: SnapshotRecord): Promise<TreeNode | undefined> => {
    if (opts.path === undefined) return undefined;
    if (!r.snapshot.paths.some((p) => pathWithin(opts.path!, p))) return undefined;
    return finder.find(r.snapshot.tree, opts.path);
  };
  // Newest first among `candidates`, the first that qualifies.
  const newest = async (candidates: SnapshotRecord[]): Promise<Selected | undefined> => {
    for (let i = candidates.length - 1; i >= 0; i--) {
      const r = candidates[i]!;
      if (opts.path === undefined) return { record: r };
      const node = await holds(r);
      if (node) return { record: r, node };
    }
    return undefined;
  };
  const sameHost = all.filter((r) => r.snapshot.host === opts.host && (opts.path !== undefined || sameSet(r.snapshot.paths, opts.scopePaths)));

  if (opts.undo) {
    const hit = await newest(sameHost.filter(isSafety));
    if (!hit) throw new ClawbackError('NOT_FOUND', `there is no safety snapshot of ${what} on host ${opts.host} to undo to (one is taken by every rollback)`);
    return hit;
  }
  if (opts.snapshot !== undefined && opts.snapshot !== 'latest') {
    const r = await repo.findSnapshot(opts.snapshot);
    if (opts.path !== undefined) {
      const node = await holds(r);
      if (!node) throw new ClawbackError('NOT_FOUND', `snapshot ${r.id.slice(0, 8)} does not hold ${opts.path}`);
      return { record: r, node };
    }
    const outside = r.snapshot.paths.filter((p) => !opts.scopePaths.some((s) => pathWithin(p, s)));
    if (outside.length > 0) {
      throw new RangeError(`"snapshot" expected a snapshot of ${opts.scopePaths.join(', ')}, got ${r.id.slice(0, 8)}, which backs up ${outside.join(', ')}`);
    }
    return { record: r };
  }
  const backups = sameHost.filter((r) => !isSafety(r));
  if (opts.before !== undefined) {
    const t = opts.before.getTime();
    const hit = await newest(backups.filter((r) => Date.parse(r.snapshot.time) < t));
    if (!hit) throw new ClawbackError('NOT_FOUND', `no snapshot of ${what} on host ${opts.host} was taken before ${opts.before.toISOString()}`);
    return hit;
  }
  const hit = await newest(backups);
  if (!hit) throw new ClawbackError('NOT_FOUND', `no snapshot of ${what} on host ${opts.host}; back it up first, or name a snapshot`);
  return hit;
}

/**
 * The tags of the safety snapshot taken before rolling back to `target`.
 * @throws never
 * @example safetyTags('1a2b3c4d5e6f...') // ['safety', 'rollback-to:1a2b3c4d']
 */
export function safetyTags(target: Id): string[] {
  return [SAFETY_TAG, `${ROLLBACK_TO_TAG}${target.slice(0, 8)}`];
}
