/*
 * The store layer: a content-addressed, deduplicated, compressed repository of
 * snapshots over a storage backend, with locks, check, prune and retention.
 */
export * from './backend.js';
export * from './backend-errors.js';
export * from './backend-local.js';
export * from './backend-memory.js';
export * from './ids.js';
export * from './pack.js';
export * from './index-file.js';
export * from './master-index.js';
export * from './tree.js';
export * from './snapshot.js';
export * from './repo-config.js';
export * from './blob-saver.js';
export * from './repository.js';
export * from './lock.js';
export * from './check.js';
export * from './prune.js';
export * from './ls.js';
export * from './diff.js';
export * from './retention.js';
export * from './forget.js';
export * from './versions.js';
