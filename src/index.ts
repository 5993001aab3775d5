/*
 * clawback: backup and rollback for OpenClaw agent state. This entry point is
 * the embedding API (backup, listBackups, restore, rollback, forget, check:
 * each works with no arguments on a normal install) plus the core and the
 * rsync engine. The other layers have their own subpaths: clawback/store,
 * clawback/backup, clawback/restore, clawback/chunker, clawback/openclaw.
 */
export * from './core/index.js';
export * from './rsync/index.js';
export {
  backup,
  listBackups,
  restore,
  rollback,
  forget,
  check,
  DEFAULT_RETENTION,
  type BackupInfo,
  type BackupOutcome,
  type CheckOutcome,
  type ClawbackOptions,
  type ClawbackProgress,
  type ForgetOutcome,
  type RestoreOutcome,
  type RollbackOutcome,
} from './openclaw/api.js';
