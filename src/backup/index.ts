/* The backup layer: walking sources into a repository snapshot. */
export * from './backup.js';
export * from './file-reader.js';
