/*
 * forget: apply a retention policy to the repository's snapshots and delete
 * the snapshot objects it does not keep (their data stays until prune), or
 * delete snapshots named by id. Refuses an empty policy, as restic does, and
 * supports a dry run.
 */
import { ClawbackError } from '../core/errors.js';
import { deleteIfExists } from './backend.js';
import { withLock, type LockWait } from './lock.js';
import type { Repository, SnapshotRecord } from './repository.js';
import { applyPolicy, emptiedGroups, formatGroupKey, policyIsEmpty, type PolicyGroup, type PolicyOptions, type RetentionPolicy } from './retention.js';

/** A snapshot as the policy sees it, with the record it came from. */
interface PolicySnapshot {
  id: string;
  time: string;
  host: string;
  paths: string[];
  tags: string[];
  record: SnapshotRecord;
}

/** Options of forget. */
export interface ForgetOptions extends PolicyOptions, LockWait {
  dryRun?: boolean;
  /** Only consider snapshots with this host / these tags. */
  host?: string;
  tag?: string;
}

/** What forget did (or would do), per group. */
export interface ForgetResult {
  groups: PolicyGroup<PolicySnapshot>[];
  removed: string[];
  kept: number;
  dryRun: boolean;
}

/**
 * Forgets snapshots not kept by `policy`.
 * @throws ClawbackError UNSUPPORTED for an empty policy, or a tags-only policy that would empty a group; LOCKED
 * @example await forget(repo, { daily: 7, weekly: 4 }, { now: Date.now() });
 */
export async function forget(repo: Repository, policy: RetentionPolicy, opts: ForgetOptions = {}): Promise<ForgetResult> {
  if (policyIsEmpty(policy)) throw new ClawbackError('UNSUPPORTED', 'no policy was specified, no snapshots will be removed (give --keep-* options)');
  return withLock(repo, true, opts, async () => {
    await repo.refreshIndex();
    return forgetLocked(repo, policy, opts);
  });
}

async function forgetLocked(repo: Repository, policy: RetentionPolicy, opts: ForgetOptions): Promise<ForgetResult> {
  const records = (await repo.snapshots()).filter((r) => (!opts.host || r.snapshot.host === opts.host) && (!opts.tag || r.snapshot.tags.includes(opts.tag)));
  const snaps: PolicySnapshot[] = records.map((record) => ({ id: record.id, time: record.snapshot.time, host: record.snapshot.host, paths: record.snapshot.paths, tags: record.snapshot.tags, record }));
  const result = applyPolicy(snaps, policy, { now: opts.now ?? Date.now(), ...(opts.groupBy !== undefined ? { groupBy: opts.groupBy } : {}) });
  const emptied = emptiedGroups(result);
  if (emptied.length > 0) throw new ClawbackError('UNSUPPORTED', `refusing to delete last snapshot of snapshot group "${formatGroupKey(emptied[0]!.key)}"`);
  const removed = result.groups.flatMap((g) => g.remove.map((s) => s.id));
  if (!opts.dryRun) for (const id of removed) await deleteIfExists(repo.backend, 'snapshots', id);
  return { groups: result.groups, removed, kept: snaps.length - removed.length, dryRun: opts.dryRun ?? false };
}

/**
 * Forgets the snapshots named by `refs` (ids, unique prefixes or 'latest'), as
 * `restic forget ID...`. Every name is resolved before anything is deleted.
 * @throws ClawbackError NOT_FOUND (naming the first ref that matches no snapshot, or several); LOCKED
 * @example await forgetSnapshots(repo, ['1a2b3c4d']);
 */
export async function forgetSnapshots(repo: Repository, refs: readonly string[], opts: LockWait & { dryRun?: boolean } = {}): Promise<{ removed: string[]; kept: number; dryRun: boolean }> {
  return withLock(repo, true, opts, async () => {
    await repo.refreshIndex();
    const ids = new Set<string>();
    for (const ref of refs) ids.add((await repo.findSnapshot(ref)).id);
    const removed = [...ids];
    if (!opts.dryRun) for (const id of removed) await deleteIfExists(repo.backend, 'snapshots', id);
    const total = (await repo.snapshots(() => {})).length;
    return { removed, kept: opts.dryRun ? total - removed.length : total, dryRun: opts.dryRun ?? false };
  });
}
