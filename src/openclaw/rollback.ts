/*
 * Rollback: put the OpenClaw state back as a snapshot has it, in place and
 * undoably: refuse while the gateway runs, take a safety snapshot, restore each
 * source in place (deleting what is new, leaving excluded volatile files), then
 * drop the -shm files of replaced SQLite WALs; all under one repository lock.
 */
import { hostname } from 'node:os';
import { posix, win32 } from 'node:path';
import { lstat, rm, utimes } from 'node:fs/promises';
import { dirname } from 'node:path';
import { backup, type BackupProgress, type BackupWarning } from '../backup/backup.js';
import { ClawbackError } from '../core/errors.js';
import { restore, type RestoreOptions, type RestoreSummary } from '../restore/restore.js';
import type { Id } from '../store/ids.js';
import { withLock, type LockWait } from '../store/lock.js';
import type { Repository } from '../store/repository.js';
import { isWindowsPath, NodeFinder, pathWithin } from '../store/versions.js';
import { detectGateway, type DetectGatewayOptions, type GatewayStatus } from './gateway.js';
import { planUnit, restoreUnits, type RestoreUnit, type RollbackPlan } from './rollback-plan.js';
import { safetyTags, selectSnapshot } from './rollback-select.js';
import type { OpenClawScope } from './scope.js';
import { stateBackupOptions } from './state-backup.js';

/** Options of a rollback. */
export interface RollbackOptions extends LockWait {
  /** The OpenClaw state to roll back (resolveScope()). */
  scope: OpenClawScope;
  /** A snapshot id, unique id prefix or 'latest' (default: the latest backup of this state). */
  snapshot?: string;
  /** The latest backup taken strictly before this time. */
  before?: Date;
  /** Restore only this file or directory: absolute, or relative to the state dir. */
  path?: string;
  /** Roll back even while the gateway runs. */
  force?: boolean;
  /** Find the snapshot and say what would change; write nothing. */
  dryRun?: boolean;
  /** Go back to the latest safety snapshot (what the last rollback replaced). */
  undo?: boolean;
  /** Re-read every restored file and check it against the snapshot. */
  verify?: boolean;
  /** The host name snapshots are matched and taken with (default os.hostname()). */
  host?: string;
  /** Host facts for the gateway check (temp dir, /proc, uid): tests and embedders. */
  gateway?: Omit<DetectGatewayOptions, 'scope' | 'signal'>;
  onProgress?: (e: RollbackProgress) => void;
}

/** Progress of a rollback: the steps, the safety backup's events, each restored entry. */
export type RollbackProgress =
  | { type: 'step'; step: 'gateway' | 'select' | 'safety' | 'restore' | 'cleanup'; message: string }
  | { type: 'backup'; event: BackupProgress }
  | { type: 'restore'; path: string; action: 'written' | 'unchanged' | 'deleted' };

/** What a rollback did (or, with dryRun, would do). */
export interface RollbackResult {
  /** The snapshot the state was rolled back to. */
  snapshotId: Id;
  snapshotTime: string;
  /** The snapshot of the state as it was before (undefined for a dry run). */
  safetySnapshotId?: Id;
  dryRun: boolean;
  /** The single path restored, when `path` was given (absolute). */
  path?: string;
  /** The restore figures, summed over the restored sources. */
  restored: RestoreSummary;
  /** Stale `-shm` files removed next to restored SQLite databases. */
  removedShm: string[];
  /** With dryRun: what would be written and deleted. */
  plan?: RollbackPlan;
  gateway: GatewayStatus;
  /** Warnings of the safety backup (files it could not read). */
  warnings: BackupWarning[];
  durationMs: number;
}

const ZERO: RestoreSummary = { filesWritten: 0, filesUnchanged: 0, dirs: 0, symlinks: 0, deleted: 0, bytesWritten: 0, bytesReused: 0, bytesFetched: 0, bytesCompared: 0, verified: 0, durationMs: 0 };

function addSummary(a: RestoreSummary, b: RestoreSummary): RestoreSummary {
  const out = { ...a };
  for (const k of Object.keys(ZERO) as (keyof RestoreSummary)[]) out[k] = a[k] + b[k];
  return out;
}

/**
 * The gateway runs: rollback refused (code BUSY). `evidence` says what was found, one sentence each.
 * @example try { await rollback(repo, { scope }) } catch (e) { if (e instanceof GatewayRunningError) console.log(e.evidence) }
 */
export class GatewayRunningError extends ClawbackError {
  readonly evidence: string[];
  constructor(evidence: string[]) {
    super('BUSY', `the OpenClaw gateway is running (${evidence.join('; ')}); stop the gateway first (openclaw gateway stop), or pass --force to roll back anyway`);
    this.evidence = evidence;
  }
}

/**
 * The absolute form of a rollback path: absolute as given (normalised), or relative to the state dir.
 * @throws RangeError when it is empty or outside the scope's paths
 * @example rollbackPath(scope, 'openclaw.json') // '/home/me/.openclaw/openclaw.json'
 */
export function rollbackPath(scope: Pick<OpenClawScope, 'location' | 'paths'>, path: string): string {
  if (typeof path !== 'string' || path.trim() === '') throw new RangeError(`"path" expected a non-empty path, got ${JSON.stringify(path)}`);
  const api = isWindowsPath(scope.location.stateDir) ? win32 : posix;
  const abs = api.isAbsolute(path) ? api.resolve(path) : api.resolve(scope.location.stateDir, path);
  if (!scope.paths.some((p) => pathWithin(abs, p))) {
    throw new RangeError(`"path" expected a path inside the backed-up OpenClaw state (${scope.paths.join(', ')}), got ${abs}`);
  }
  return abs;
}

/** Removes `X-shm` next to every database X whose file or WAL the restore wrote or deleted: the shared-memory index belongs to the old WAL. */
async function removeStaleShm(touched: Map<string, 'written' | 'unchanged' | 'deleted'>): Promise<string[]> {
  const removed: string[] = [];
  const seen = new Set<string>();
  for (const [p, action] of touched) {
    if (action === 'unchanged') continue;
    const base = p.endsWith('-wal') ? p.slice(0, -4) : p;
    const shm = `${base}-shm`;
    if (seen.has(shm) || touched.has(shm)) continue; // a -shm the snapshot itself holds was restored as such
    seen.add(shm);
    const st = await lstat(shm).catch(() => undefined);
    if (!st?.isFile()) continue;
    // Removing an entry changes its directory's mtime, which the restore has just set as recorded: put it back.
    const parent = await lstat(dirname(shm));
    await rm(shm, { force: true });
    await utimes(dirname(shm), parent.atime, parent.mtime).catch(() => {});
    removed.push(shm);
  }
  return removed.sort();
}

function checkOptions(opts: RollbackOptions): void {
  if (typeof opts !== 'object' || opts === null) throw new TypeError(`"opts" expected object, got ${opts === null ? 'null' : typeof opts}`);
  const s = opts.scope as Partial<OpenClawScope> | undefined;
  if (typeof s !== 'object' || s === null || !Array.isArray(s.paths) || typeof s.location?.stateDir !== 'string') {
    throw new TypeError(`"scope" expected an OpenClawScope (from resolveScope), got ${s === null ? 'null' : typeof s}`);
  }
  if (s.paths.length === 0) throw new RangeError('"scope.paths" expected at least one path, got none');
  const chosen = [opts.snapshot !== undefined && 'snapshot', opts.before !== undefined && 'before', opts.undo === true && 'undo'].filter((x) => x !== false);
  if (chosen.length > 1) throw new RangeError(`"snapshot", "before" and "undo" expected at most one, got ${chosen.join(' and ')}`);
  if (opts.before !== undefined && (!(opts.before instanceof Date) || Number.isNaN(opts.before.getTime()))) {
    throw new TypeError(`"before" expected a valid Date, got ${String(opts.before)}`);
  }
}

/**
 * Rolls the OpenClaw state back to a snapshot, in place.
 * @throws GatewayRunningError (ClawbackError BUSY) when the gateway runs and `force` is not set, naming the evidence;
 *   NOT_FOUND when no snapshot qualifies; LOCKED; ABORTED; restore and backup errors
 * @throws TypeError / RangeError for bad options (several of snapshot/before/undo, a path outside the scope)
 * @example
 * const scope = await resolveScope();
 * const r = await rollback(repo, { scope, before: new Date(Date.now() - 2 * 3600_000) });
 * console.log(`rolled back to ${r.snapshotId.slice(0, 8)}; undo with: clawback rollback --undo`);
 */
export async function rollback(repo: Repository, opts: RollbackOptions): Promise<RollbackResult> {
  checkOptions(opts);
  const t0 = performance.now();
  const { scope } = opts;
  const host = opts.host ?? hostname();
  const progress = opts.onProgress;
  const absPath = opts.path === undefined ? undefined : rollbackPath(scope, opts.path);

  progress?.({ type: 'step', step: 'gateway', message: 'checking whether the OpenClaw gateway is running' });
  const gateway = await detectGateway({ ...opts.gateway, scope, ...(opts.signal ? { signal: opts.signal } : {}) });
  if (gateway.running && !opts.force && !opts.dryRun) {
    throw new GatewayRunningError(gateway.evidence);
  }

  return withLock(repo, false, opts, async () => {
    await repo.refreshIndex();
    const sel = await selectSnapshot(repo, {
      scopePaths: scope.paths,
      host,
      ...(opts.snapshot !== undefined ? { snapshot: opts.snapshot } : {}),
      ...(opts.before !== undefined ? { before: opts.before } : {}),
      ...(opts.undo ? { undo: true } : {}),
      ...(absPath !== undefined ? { path: absPath } : {}),
    });
    const { id, snapshot } = sel.record;
    progress?.({ type: 'step', step: 'select', message: `rolling back to snapshot ${id.slice(0, 8)} of ${snapshot.time}` });
    const finder = new NodeFinder(repo);
    const units = await restoreUnits(finder, snapshot, scope, absPath !== undefined && sel.node ? { abs: absPath, node: sel.node } : undefined);
    const base = { snapshotId: id, snapshotTime: snapshot.time, ...(absPath !== undefined ? { path: absPath } : {}), gateway };

    if (opts.dryRun) {
      const plan: RollbackPlan = { write: [], delete: [], unchanged: 0 };
      for (const u of units) await planUnit(repo, finder, snapshot, u, plan, opts.signal);
      return { ...base, dryRun: true, restored: { ...ZERO }, removedShm: [], plan, warnings: [], durationMs: Math.round(performance.now() - t0) };
    }

    progress?.({ type: 'step', step: 'safety', message: 'taking a safety snapshot of the current state' });
    const safetyOpts = stateBackupOptions(scope, {
      tags: safetyTags(id),
      host,
      noLock: true,
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(progress ? { onProgress: (event: BackupProgress) => progress({ type: 'backup', event }) } : {}),
    });
    const safety = await backup(repo, safetyOpts);

    progress?.({ type: 'step', step: 'restore', message: `restoring ${units.map((u) => u.what).join(', ')}` });
    const touched = new Map<string, 'written' | 'unchanged' | 'deleted'>();
    let restored: RestoreSummary = { ...ZERO };
    for (const u of units) restored = addSummary(restored, await restoreUnit(repo, id, safety.id, u, opts, touched));

    progress?.({ type: 'step', step: 'cleanup', message: 'removing stale SQLite -shm files' });
    const removedShm = await removeStaleShm(touched);
    return { ...base, dryRun: false, safetySnapshotId: safety.id, restored, removedShm, warnings: safety.warnings, durationMs: Math.round(performance.now() - t0) };
  });
}

/** One in-place restore call, deleting what the snapshot lacks within the unit's selection; `safety` describes the files now in place. */
async function restoreUnit(repo: Repository, id: Id, safety: Id, u: RestoreUnit, opts: RollbackOptions, touched: Map<string, 'written' | 'unchanged' | 'deleted'>): Promise<RestoreSummary> {
  const ro: RestoreOptions & { keep?: readonly string[] } = {
    target: u.dir,
    from: u.dir,
    // The safety snapshot just recorded these files: those still as recorded are compared by their chunk ids, not read.
    localSnapshot: safety,
    delete: true,
    include: u.include,
    exclude: u.exclude,
    keep: u.keep,
    verify: opts.verify ?? false,
    noLock: true,
    ...(opts.signal ? { signal: opts.signal } : {}),
    onProgress: (e) => {
      touched.set(e.path, e.action);
      opts.onProgress?.({ type: 'restore', path: e.path, action: e.action });
    },
  };
  return restore(repo, id, ro);
}
