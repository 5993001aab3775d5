/*
 * The embedding API for apps such as ClawPal: backup, listBackups, restore,
 * rollback, forget and check, each callable with no arguments on a normal
 * install. The settings file, the OpenClaw state and the repository are found
 * as the CLI finds them; the default repository is created on first use. The
 * library never writes to the console: progress goes to `onProgress`.
 */
import { type BackupWarning } from '../backup/backup.js';
import { ClawbackError } from '../core/errors.js';
import { restore as restoreSnapshot, type RestoreSummary } from '../restore/restore.js';
import { check as checkRepository, type CheckError } from '../store/check.js';
import { forget as forgetByPolicy, forgetSnapshots } from '../store/forget.js';
import { prune } from '../store/prune.js';
import type { Repository, SnapshotRecord } from '../store/repository.js';
import { policyIsEmpty, type RetentionPolicy } from '../store/retention.js';
import { currentHost, pathApi, type HostInfo } from './platform-dirs.js';
import { locateRepository, openOrCreateRepository, type RepositoryLocation } from './repository-location.js';
import { rollback as rollbackState, type RollbackResult } from './rollback.js';
import { SAFETY_TAG } from './rollback-select.js';
import type { OpenClawScope } from './scope.js';
import { loadSettings, mergeSettings, type Settings } from './settings.js';
import { scopeOfSettings } from './settings-scope.js';
import { backupState } from './state-backup.js';

/** Options every call takes; all optional. */
export interface ClawbackOptions {
  /** The repository directory (default: $CLAWBACK_REPO, the settings file's, else clawback's data dir). */
  repository?: string;
  /** A YAML settings file (default: $CLAWBACK_CONFIG, else the platform's config dir). */
  configFile?: string;
  /** The OpenClaw state dir (default: found as OpenClaw finds it). */
  stateDir?: string;
  /** An OpenClaw profile: `~/.openclaw-<profile>`. */
  profile?: string;
  /** Host facts (platform, environment, home): default this process's. */
  host?: HostInfo;
  /** Wait up to this long for another clawback's lock (default 0: fail with LOCKED). */
  lockWaitMs?: number;
  signal?: AbortSignal;
  onProgress?: (e: ClawbackProgress) => void;
}

/** What a long call reports while it runs. */
export type ClawbackProgress =
  | { type: 'step'; step: string; message: string }
  | { type: 'file'; path: string; action: 'new' | 'changed'; filesDone: number; bytesDone: number }
  | { type: 'warning'; path: string; code: string; message: string }
  | { type: 'restore'; path: string; action: 'written' | 'unchanged' | 'deleted' };

/** One backup as a UI lists it. */
export interface BackupInfo {
  id: string;
  /** The first 8 characters of the id, as the CLI shows it. */
  shortId: string;
  /** The backup's name (`name:` tag), else its local date and time. */
  name: string;
  /** ISO 8601. */
  createdAt: string;
  /** `safety`: taken by a rollback before it changed anything (undo returns to it). */
  kind: 'backup' | 'safety';
  host: string;
  paths: string[];
  tags: string[];
  /** Bytes of all files in the backup. */
  sizeBytes: number;
  /** Bytes this backup added to the repository (new data, before compression). */
  addedBytes: number;
  /** Bytes this backup added after compression. */
  storedBytes: number;
  files: { total: number; new: number; changed: number; unchanged: number };
  /** Files holding secrets (credentials, auth profiles, .env, identity, the state database). */
  secrets: number;
  /** Some entries could not be read (see the warnings of the backup call). */
  partial: boolean;
}

/** What backup() returns. */
export interface BackupOutcome extends BackupInfo {
  warnings: BackupWarning[];
  durationMs: number;
  /** True when this call created the repository. */
  repositoryCreated: boolean;
  repository: string;
}

const NAME_TAG = 'name:';

/**
 * The retention policy forget() applies when neither the call nor the settings
 * file gives one: the last 10 backups, plus one a day for a week, one a week
 * for a month and one a month for half a year.
 */
export const DEFAULT_RETENTION: Readonly<RetentionPolicy> = Object.freeze({ last: 10, daily: 7, weekly: 4, monthly: 6 });

/** Everything one call works with. */
interface Context {
  host: HostInfo;
  settings: Settings;
  location: RepositoryLocation;
}

async function context(opts: ClawbackOptions): Promise<Context> {
  if (typeof opts !== 'object' || opts === null) throw new TypeError(`"opts" expected object, got ${opts === null ? 'null' : typeof opts}`);
  const host = opts.host ?? currentHost();
  const { settings } = await loadSettings({ host, ...(opts.configFile !== undefined ? { configFile: opts.configFile } : {}) });
  return { host, settings, location: locateRepository({ explicit: opts.repository, settings, host }) };
}

async function scopeOf(c: Context, opts: ClawbackOptions): Promise<OpenClawScope> {
  const s = opts.stateDir !== undefined || opts.profile !== undefined ? mergeSettings(c.settings, { ...(opts.stateDir !== undefined ? { stateDir: opts.stateDir } : { profile: opts.profile! }) }) : c.settings;
  return scopeOfSettings(s, c.host);
}

/** Opens the repository (creating the default one when `create`), runs `fn`, closes it. */
async function withRepo<T>(c: Context, scope: OpenClawScope | undefined, create: boolean, fn: (repo: Repository, created: boolean) => Promise<T>): Promise<T> {
  const { repo, created } = await openOrCreateRepository(c.location, {
    host: c.host,
    protectedDirs: scope?.paths ?? [],
    compressionLevel: c.settings.compression.level,
    create,
  });
  try {
    return await fn(repo, created);
  } finally {
    await repo.backend.close();
  }
}

function lockOpts(opts: ClawbackOptions) {
  return { ...(opts.signal ? { signal: opts.signal } : {}), ...(opts.lockWaitMs !== undefined ? { lockWaitMs: opts.lockWaitMs } : {}) };
}

/** A snapshot as a UI lists it. */
function info(r: SnapshotRecord): BackupInfo {
  const s = r.snapshot;
  const sum = s.summary;
  const named = s.tags.find((t) => t.startsWith(NAME_TAG));
  const d = new Date(s.time);
  const local = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')} ${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
  const safety = s.tags.includes(SAFETY_TAG);
  return {
    id: r.id,
    shortId: r.id.slice(0, 8),
    name: named ? named.slice(NAME_TAG.length) : `${safety ? 'Before rollback' : 'Backup'} ${local}`,
    createdAt: s.time,
    kind: safety ? 'safety' : 'backup',
    host: s.host,
    paths: [...s.paths],
    tags: [...s.tags],
    sizeBytes: sum?.totalBytes ?? 0,
    addedBytes: sum?.bytesAdded ?? 0,
    storedBytes: sum?.bytesStored ?? 0,
    files: { total: sum?.totalFiles ?? 0, new: sum?.filesNew ?? 0, changed: sum?.filesChanged ?? 0, unchanged: sum?.filesUnchanged ?? 0 },
    secrets: sum?.secrets ?? 0,
    partial: sum?.partial ?? false,
  };
}

/**
 * Backs up the OpenClaw state (the state dir plus the workspaces and agent dirs
 * its config points to) into the repository, creating the default repository
 * on first use.
 * @throws ClawbackError NOT_FOUND (no OpenClaw state, or no repository where one was named), CONFIG (bad settings file), UNSAFE_PATH (repository inside the state), LOCKED, ABORTED
 * @example const b = await backup(); console.log(`${b.name}: ${b.addedBytes} bytes added`);
 */
export async function backup(opts: ClawbackOptions & { tags?: string[]; name?: string } = {}): Promise<BackupOutcome> {
  const c = await context(opts);
  const scope = await scopeOf(c, opts);
  const progress = opts.onProgress;
  progress?.({ type: 'step', step: 'backup', message: `backing up ${scope.paths.join(', ')}` });
  return withRepo(c, scope, true, async (repo, created) => {
    const tags = [...(opts.tags ?? []), ...(opts.name !== undefined ? [`${NAME_TAG}${opts.name}`] : [])];
    const r = await backupState(repo, scope, {
      tags,
      ...lockOpts(opts),
      ...(progress
        ? {
            onProgress: (e) =>
              progress(e.type === 'file' ? { type: 'file', path: e.path, action: e.action, filesDone: e.filesDone, bytesDone: e.bytesDone } : { type: 'warning', path: e.warning.path, code: e.warning.code, message: e.warning.message }),
          }
        : {}),
    });
    return { ...info({ id: r.id, snapshot: r.snapshot }), warnings: r.warnings, durationMs: r.summary.durationMs, repositoryCreated: created, repository: c.location.dir };
  });
}

/**
 * Lists the backups of this OpenClaw state (every backup in the repository when
 * `all` is set, or when there is no state to match), newest first. An absent
 * default repository is an empty list, not an error (and is not created).
 * @throws ClawbackError NOT_FOUND (a named repository that does not exist), CONFIG
 * @example for (const b of await listBackups()) console.log(b.createdAt, b.name, b.sizeBytes);
 */
export async function listBackups(opts: ClawbackOptions & { all?: boolean } = {}): Promise<BackupInfo[]> {
  const c = await context(opts);
  let stateDir: string | undefined;
  if (!opts.all) stateDir = await scopeOf(c, opts).then((s) => s.location.stateDir, () => undefined);
  let records: SnapshotRecord[];
  try {
    records = await withRepo(c, undefined, false, (repo) => repo.snapshots(() => {}));
  } catch (e) {
    if (c.location.source === 'default' && e instanceof ClawbackError && e.code === 'NOT_FOUND') return [];
    throw e;
  }
  const mine = stateDir === undefined ? records : records.filter((r) => r.snapshot.paths.includes(stateDir));
  return mine.map(info).reverse();
}

/** What restore() and rollback() return. */
export interface RestoreOutcome {
  backup: BackupInfo;
  restored: RestoreSummary;
}

/**
 * Restores a backup into a directory (new or existing; existing files the
 * backup lacks are kept), for inspecting it or moving to a new machine. To put
 * the live state back, use rollback().
 * @throws ClawbackError NOT_FOUND (backup or path), INTEGRITY (damaged data: that file is not written), LOCKED, ABORTED
 * @throws TypeError when `target` is missing
 * @example await restore({ backup: 'latest', target: '/tmp/openclaw-copy' });
 */
export async function restore(opts: ClawbackOptions & { backup?: string; target: string; path?: string; verify?: boolean }): Promise<RestoreOutcome> {
  if (typeof opts?.target !== 'string' || opts.target === '') throw new TypeError(`"target" expected a directory, got ${JSON.stringify(opts?.target)}`);
  const c = await context(opts);
  return withRepo(c, undefined, false, async (repo) => {
    const rec = await repo.findSnapshot(opts.backup ?? 'latest');
    const api = pathApi(c.host);
    const summary = await restoreSnapshot(repo, rec.id, {
      target: api.resolve(opts.target),
      ...(opts.path !== undefined ? { from: opts.path } : rec.snapshot.paths.length === 1 ? { from: rec.snapshot.paths[0]! } : {}),
      ...(opts.verify ? { verify: true } : {}),
      ...lockOpts(opts),
      ...(opts.onProgress ? { onProgress: (e) => opts.onProgress!({ type: 'restore', path: e.path, action: e.action }) } : {}),
    });
    return { backup: info(rec), restored: summary };
  });
}

/** What rollback() returns. */
export interface RollbackOutcome extends RestoreOutcome {
  /** The backup of the state as it was just before, which `rollback({ undo: true })` returns to (undefined for a dry run). */
  safety?: BackupInfo;
  dryRun: boolean;
  result: RollbackResult;
}

/**
 * Puts the OpenClaw state back as a backup has it, in place: takes a safety
 * backup first (undo with `rollback({ undo: true })`), refuses while the
 * gateway runs unless `force`, deletes files created since, and rewrites only
 * what differs.
 * @throws ClawbackError BUSY (gateway running), NOT_FOUND (no such backup), LOCKED, ABORTED, INTEGRITY
 * @example await rollback({ before: new Date(Date.now() - 3600_000) });
 */
export async function rollback(
  opts: ClawbackOptions & { backup?: string; before?: Date; path?: string; undo?: boolean; force?: boolean; dryRun?: boolean; verify?: boolean } = {},
): Promise<RollbackOutcome> {
  const c = await context(opts);
  const scope = await scopeOf(c, opts);
  return withRepo(c, scope, false, async (repo) => {
    const progress = opts.onProgress;
    const r = await rollbackState(repo, {
      scope,
      ...(opts.backup !== undefined ? { snapshot: opts.backup } : {}),
      ...(opts.before !== undefined ? { before: opts.before } : {}),
      ...(opts.path !== undefined ? { path: opts.path } : {}),
      ...(opts.undo ? { undo: true } : {}),
      ...(opts.force ? { force: true } : {}),
      ...(opts.dryRun ? { dryRun: true } : {}),
      ...(opts.verify ? { verify: true } : {}),
      ...lockOpts(opts),
      ...(progress
        ? {
            onProgress: (e) => {
              if (e.type === 'step') progress({ type: 'step', step: e.step, message: e.message });
              else if (e.type === 'restore') progress({ type: 'restore', path: e.path, action: e.action });
            },
          }
        : {}),
    });
    const records = new Map((await repo.snapshots(() => {})).map((s) => [s.id, s]));
    const target = records.get(r.snapshotId);
    const safety = r.safetySnapshotId ? records.get(r.safetySnapshotId) : undefined;
    if (!target) throw new ClawbackError('NOT_FOUND', `snapshot ${r.snapshotId.slice(0, 8)} vanished during the rollback`);
    return { backup: info(target), ...(safety ? { safety: info(safety) } : {}), restored: r.restored, dryRun: r.dryRun, result: r };
  });
}

/** What forget() returns. */
export interface ForgetOutcome {
  removed: string[];
  kept: number;
  policy: RetentionPolicy;
  /** Bytes freed by the prune that followed (0 with prune: false or dryRun). */
  bytesFreed: number;
  dryRun: boolean;
}

/**
 * Removes the backups named in `backups` (ids or unique prefixes), or else the
 * backups the retention policy does not keep (the call's, else the settings
 * file's, else DEFAULT_RETENTION); then deletes the data nothing uses any more
 * (`prune: false` skips that).
 * @throws ClawbackError NOT_FOUND (a named backup that does not exist: nothing is removed), LOCKED, UNSUPPORTED (a policy that would remove every backup of a group), ABORTED
 * @example const { removed, bytesFreed } = await forget();
 * @example await forget({ backups: [old.id] });
 */
export async function forget(opts: ClawbackOptions & { backups?: string[]; policy?: RetentionPolicy; prune?: boolean; dryRun?: boolean } = {}): Promise<ForgetOutcome> {
  const c = await context(opts);
  const policy = opts.policy && !policyIsEmpty(opts.policy) ? opts.policy : !policyIsEmpty(c.settings.retention) ? c.settings.retention : DEFAULT_RETENTION;
  return withRepo(c, undefined, false, async (repo) => {
    opts.onProgress?.({ type: 'step', step: 'forget', message: opts.backups ? `removing ${opts.backups.length} backups` : 'applying the retention policy' });
    const dry = opts.dryRun ? { dryRun: true } : {};
    const f = opts.backups ? await forgetSnapshots(repo, opts.backups, { ...lockOpts(opts), ...dry }) : await forgetByPolicy(repo, policy, { ...lockOpts(opts), ...dry });
    let bytesFreed = 0;
    if (!opts.dryRun && opts.prune !== false && f.removed.length > 0) {
      opts.onProgress?.({ type: 'step', step: 'prune', message: 'deleting data no backup uses' });
      bytesFreed = (await prune(repo, lockOpts(opts))).bytesFreed;
    }
    return { removed: f.removed, kept: f.kept, policy: { ...policy }, bytesFreed, dryRun: f.dryRun };
  });
}

/** What check() returns. */
export interface CheckOutcome {
  ok: boolean;
  errors: CheckError[];
  backups: number;
  bytesRead: number;
}

/**
 * Verifies the repository: its structure, and with `readData` every byte.
 * @throws ClawbackError NOT_FOUND (no repository), LOCKED, ABORTED
 * @example if (!(await check({ readData: true })).ok) alert('the backups are damaged');
 */
export async function check(opts: ClawbackOptions & { readData?: boolean } = {}): Promise<CheckOutcome> {
  const c = await context(opts);
  return withRepo(c, undefined, false, async (repo) => {
    opts.onProgress?.({ type: 'step', step: 'check', message: opts.readData ? 'checking the repository and reading all data' : 'checking the repository' });
    const r = await checkRepository(repo, { ...lockOpts(opts), ...(opts.readData ? { readData: true } : {}) });
    return { ok: r.ok, errors: r.errors, backups: r.snapshots, bytesRead: r.bytesRead };
  });
}
