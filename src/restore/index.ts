/* The restore layer: writing a snapshot back out, in place or into a new directory. */
export * from './restore.js';
export * from './local-chunks.js';
