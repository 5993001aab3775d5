/*
 * Checks that a restore is identical to its source: walks both trees with
 * lstat and compares every regular file by SHA-256, every symlink by target,
 * every directory by presence. Mode (not for symlinks) and mtime (to the second)
 * differences are counted apart (reported, not failures); special files (FIFOs,
 * sockets) are listed.
 */
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

function walk(root) {
  const out = new Map();
  const visit = (abs, rel) => {
    for (const name of readdirSync(abs).sort()) {
      const a = join(abs, name);
      const r = rel ? `${rel}/${name}` : name;
      const st = lstatSync(a);
      const meta = { mode: st.mode & 0o7777, mtime: Math.floor(st.mtimeMs / 1000) };
      if (st.isDirectory()) {
        out.set(r, { type: 'dir', ...meta });
        visit(a, r);
      } else if (st.isSymbolicLink()) out.set(r, { type: 'symlink', target: readlinkSync(a), ...meta });
      else if (st.isFile()) out.set(r, { type: 'file', size: st.size, sha: createHash('sha256').update(readFileSync(a)).digest('hex'), ...meta });
      else out.set(r, { type: 'special', ...meta });
    }
  };
  visit(root, '');
  return out;
}

/**
 * Compares `restored` with `source`.
 * @returns {{ok: boolean, files: number, bytes: number, symlinks: number, dirs: number, missing: string[], extra: string[], differ: string[], metaDiffer: string[], special: string[]}}
 * `ok` is true when every regular file, symlink and directory matches (special files and metadata aside).
 */
export function compareTrees(source, restored) {
  const a = walk(source);
  const b = walk(restored);
  const r = { ok: true, files: 0, bytes: 0, symlinks: 0, dirs: 0, missing: [], extra: [], differ: [], metaDiffer: [], special: [] };
  for (const [rel, e] of a) {
    if (e.type === 'special') {
      r.special.push(`${rel} (${b.has(rel) ? 'restored' : 'not restored'})`);
      continue;
    }
    const f = b.get(rel);
    if (!f) r.missing.push(rel);
    else if (f.type !== e.type || (e.type === 'file' && f.sha !== e.sha) || (e.type === 'symlink' && f.target !== e.target)) r.differ.push(rel);
    else {
      if (e.type === 'file') {
        r.files++;
        r.bytes += e.size;
      } else if (e.type === 'symlink') r.symlinks++;
      else r.dirs++;
      // Symlink modes are not meaningful on Linux; mtimes are compared to the second for every type.
      if ((e.type !== 'symlink' && f.mode !== e.mode) || f.mtime !== e.mtime) r.metaDiffer.push(rel);
    }
  }
  for (const [rel, f] of b) if (!a.has(rel) && f.type !== 'special') r.extra.push(rel);
  r.ok = r.missing.length === 0 && r.extra.length === 0 && r.differ.length === 0;
  return r;
}
