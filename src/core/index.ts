/* The core layer: errors, argument checks and the hash adapter. Imports nothing of ours. */
export * from './errors.js';
export * from './assert.js';
export * from './hash.js';
export * from './byte-sink.js';
export * from './atomic-file.js';
export * from './compress.js';
export * from './bytes.js';
export * from './limiter.js';
export * from './source-paths.js';
export * from './path-filter.js';
