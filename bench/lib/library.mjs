/*
 * The built library under test. The runner sets CLAWBACK_DIST to a snapshot of
 * dist/src/index.js taken when the run starts, so every benchmark of one run
 * measures the same build even if dist/ is rebuilt meanwhile.
 */
import { pathToFileURL } from 'node:url';

const url = process.env.CLAWBACK_DIST ? pathToFileURL(process.env.CLAWBACK_DIST).href : new URL('../../dist/src/index.js', import.meta.url).href;

/** The library's exports (dist/src/index.js or the snapshot). */
export const lib = await import(url);
