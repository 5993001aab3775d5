/*
 * The OpenClaw layer's public surface: where OpenClaw keeps state, what a
 * default backup covers, settings, gateway detection and rollback.
 */
export * from './platform-dirs.js';
export * from './state-dir.js';
export * from './openclaw-config.js';
export * from './scope.js';
export * from './settings.js';
export * from './gateway.js';
export * from './settings-scope.js';
export * from './repository-location.js';
export * from './state-backup.js';
export * from './rollback.js';
// The embedding API (backup, listBackups, restore, rollback, forget, check) is the package's root export.
export * from './rollback-select.js';
