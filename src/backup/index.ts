/* The backup layer: walking sources into a repository snapshot. */
export * from './backup.js';
export * from './file-reader.js';
export * from './limiter.js';
export * from './source-paths.js';
