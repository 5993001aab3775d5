/*
 * clawback: backup and rollback for OpenClaw agent state. This entry point
 * re-exports the public API of every layer.
 */
export * from './core/index.js';
export * from './rsync/index.js';
