/*
 * Backing up an OpenClaw scope: the one place that turns an OpenClawScope
 * (paths, excludes, manifests kept, secrets, append-only transcripts) into
 * backup options, shared by `clawback backup`, the embedding API and the
 * safety snapshot a rollback takes.
 */
import { backup, type BackupOptions, type BackupResult } from '../backup/backup.js';
import type { Repository } from '../store/repository.js';
import type { OpenClawScope } from './scope.js';

/** What a scope backup takes besides the scope: everything of BackupOptions but what the scope decides. */
export type StateBackupOptions = Omit<BackupOptions, 'paths' | 'exclude' | 'include' | 'keep' | 'isSecret' | 'appendOnly'>;

/**
 * The backup options for `scope`, with `opts` (tags, host, progress, signal, lock) added.
 * @example await backup(repo, stateBackupOptions(scope, { tags: ['daily'] }));
 */
export function stateBackupOptions(scope: OpenClawScope, opts: StateBackupOptions = {}): BackupOptions {
  return {
    ...opts,
    paths: [...scope.paths],
    exclude: scope.exclude,
    include: scope.include,
    keep: scope.keep,
    isSecret: (p) => scope.isSecret(p),
    appendOnly: (p) => scope.isAppendOnly(p),
  };
}

/**
 * Backs up everything `scope` covers into a new snapshot.
 * @throws as backup(): ClawbackError NOT_FOUND, LOCKED, ABORTED, backend errors
 * @example const { id, summary } = await backupState(repo, await resolveScope());
 */
export async function backupState(repo: Repository, scope: OpenClawScope, opts: StateBackupOptions = {}): Promise<BackupResult> {
  return backup(repo, stateBackupOptions(scope, opts));
}
