/*
 * The chunker layer: FastCDC 2020 content-defined chunking with keyed gear tables,
 * as a push engine, a whole-buffer helper, an async-iterable helper and the append
 * fast path. Imports only core. See docs/chunking.md.
 */
export * from './gear-table.js';
export * from './params.js';
export * from './chunker.js';
export * from './chunk-buffer.js';
export * from './chunk-stream.js';
export * from './append.js';
export * from './file-chunks.js';
