/*
 * The version of the installed clawback, read from its package.json (found by
 * walking up from this file, so it works from src/ under vitest and from dist/).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/**
 * The `version` field of clawback's package.json.
 * @throws Error when no clawback package.json is found above this file (a broken install)
 * @example packageVersion() // '0.1.0'
 */
export function packageVersion(): string {
  if (cached !== undefined) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'clawback' && typeof pkg.version === 'string') return (cached = pkg.version);
    } catch {
      // no package.json here: keep walking up
    }
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the package.json of clawback above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
}
