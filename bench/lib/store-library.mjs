/*
 * The built store, backup, restore and fixture modules the snapshot-store
 * benchmark uses. Like lib/library.mjs it honours CLAWBACK_DIST (the runner's
 * snapshot of dist/src/index.js), so every job of one run loads the same build.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** dist/src of the build under test (the snapshot when CLAWBACK_DIST is set). */
export const distSrc = process.env.CLAWBACK_DIST ? dirname(process.env.CLAWBACK_DIST) : join(here, '..', '..', 'dist', 'src');

/** Loads one layer of the build, e.g. `await layer('store')`. */
export async function layer(name) {
  const file = name === 'fixtures' ? join(distSrc, '..', 'fixtures', 'index.js') : join(distSrc, name, 'index.js');
  if (!existsSync(file)) throw new Error(`${file} missing: run \`npm run build\` first`);
  return import(pathToFileURL(file).href);
}
