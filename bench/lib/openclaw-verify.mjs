/*
 * Checks a rolled-back state dir against fixture A: compareTrees (every
 * regular file by SHA-256, symlinks by target, directories by presence), minus
 * the volatile entries clawback's scope leaves out by default (DEFAULT_EXCLUDES
 * of the build under test, matched by its own PathFilter); special files
 * (the fixture's FIFO) are listed apart by compareTrees.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { compareTrees } from './store-verify.mjs';

/** A test "is this relative path, or a directory above it, excluded by default?", from the build in `distSrc`. */
export async function volatileMatcher(distSrc) {
  const { DEFAULT_EXCLUDES } = await import(pathToFileURL(join(distSrc, 'openclaw', 'scope.js')).href);
  const { PathFilter } = await import(pathToFileURL(join(distSrc, 'core', 'path-filter.js')).href);
  const filter = new PathFilter({ exclude: DEFAULT_EXCLUDES });
  const test = (rel) => {
    const parts = rel.split('/');
    for (let i = 1; i <= parts.length; i++) if (filter.excluded(parts.slice(0, i).join('/'))) return true;
    return false;
  };
  return { test, patterns: [...DEFAULT_EXCLUDES] };
}

/**
 * Compares `live` with `source` (fixture A), leaving out the volatile entries.
 * @returns the compareTrees result with the volatile paths removed from every list, `ok` recomputed,
 *   and `volatile`: the paths left out, with what compareTrees said about them
 */
export function compareState(source, live, isVolatile) {
  const r = compareTrees(source, live);
  const volatile = [];
  const keep = (kind) => (p) => {
    if (!isVolatile(p)) return true;
    volatile.push(`${p} (${kind})`);
    return false;
  };
  const out = { ...r, missing: r.missing.filter(keep('missing')), extra: r.extra.filter(keep('extra')), differ: r.differ.filter(keep('differ')), metaDiffer: r.metaDiffer.filter(keep('mode/mtime')) };
  out.ok = out.missing.length === 0 && out.extra.length === 0 && out.differ.length === 0;
  return { ...out, volatile };
}

/** One line for the log. */
export function verifyLine(name, v) {
  return `${name}: ${v.ok ? 'identical to A' : 'DIFFERENT from A'} (${v.files} files, ${v.symlinks} symlinks, ${v.dirs} dirs; missing ${v.missing.length}, extra ${v.extra.length}, differ ${v.differ.length}, mode/mtime ${v.metaDiffer.length}; volatile left out ${v.volatile.length}; special ${v.special.join(', ') || 'none'})`;
}

/** The verify result as stored in the JSON (lists cut to a sample). */
export function verifyRecord(v) {
  const cut = (xs) => xs.slice(0, 10);
  return {
    ok: v.ok,
    files: v.files,
    bytes: v.bytes,
    symlinks: v.symlinks,
    dirs: v.dirs,
    missing: cut(v.missing),
    extra: cut(v.extra),
    differ: cut(v.differ),
    counts: { missing: v.missing.length, extra: v.extra.length, differ: v.differ.length, metaDiffer: v.metaDiffer.length },
    metaDifferSample: cut(v.metaDiffer),
    volatile: v.volatile,
    special: v.special,
  };
}
