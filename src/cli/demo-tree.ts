/*
 * The demo's own view of a directory tree, independent of the store: walk it
 * with lstat, keep a reference copy of every regular file's bytes with the
 * modes, mtimes and symlink targets, and later compare a tree with that copy
 * byte for byte. Also sizes a repository on disk and removes read-only trees.
 */
import { chmodSync, copyFileSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';

/** Kind of a tree entry. */
export type EntryKind = 'file' | 'dir' | 'symlink' | 'fifo' | 'other';

/** One entry of a walked tree. */
export interface TreeEntry {
  /** Path relative to the root, '/'-separated. */
  rel: string;
  kind: EntryKind;
  /** Permission bits. */
  mode: number;
  size: number;
  /** Whole milliseconds. */
  mtimeMs: number;
  /** Symlink target, verbatim. */
  target?: string;
}

/**
 * Every entry below `root` (not `root` itself), in sorted order; symlinks are not followed and FIFOs are never opened.
 * @throws Error from node:fs when `root` cannot be listed
 * @example const files = walkTree('/tmp/home/.openclaw').filter((e) => e.kind === 'file');
 */
export function walkTree(root: string): TreeEntry[] {
  const out: TreeEntry[] = [];
  const walk = (abs: string, rel: string): void => {
    for (const name of readdirSync(abs).sort()) {
      const a = join(abs, name);
      const r = rel ? `${rel}/${name}` : name;
      const st = lstatSync(a);
      const base = { rel: r, mode: st.mode & 0o7777, size: st.size, mtimeMs: Math.floor(st.mtimeMs) };
      if (st.isDirectory()) {
        out.push({ ...base, kind: 'dir', size: 0 });
        walk(a, r);
      } else if (st.isSymbolicLink()) out.push({ ...base, kind: 'symlink', target: readlinkSync(a) });
      else if (st.isFile()) out.push({ ...base, kind: 'file' });
      else out.push({ ...base, kind: st.isFIFO() ? 'fifo' : 'other', size: 0 });
    }
  };
  walk(root, '');
  return out;
}

/** A tree as it was at one moment: its entries, and a copy of each regular file's bytes. */
export interface Reference {
  entries: Map<string, TreeEntry>;
  /** rel → path of the copy of its bytes. */
  copies: Map<string, string>;
  bytes: number;
}

/**
 * Records `root` and copies every regular file's bytes into `copyDir` (created), one flat file each.
 * @throws Error from node:fs
 * @example const ref = takeReference(state, join(tmp, 'reference'));
 */
export function takeReference(root: string, copyDir: string): Reference {
  mkdirSync(copyDir, { recursive: true, mode: 0o700 });
  const entries = new Map<string, TreeEntry>();
  const copies = new Map<string, string>();
  let bytes = 0;
  for (const e of walkTree(root)) {
    entries.set(e.rel, e);
    if (e.kind !== 'file') continue;
    const copy = join(copyDir, String(copies.size));
    copyFileSync(join(root, e.rel), copy);
    copies.set(e.rel, copy);
    bytes += e.size;
  }
  return { entries, copies, bytes };
}

/** What comparing a tree with its reference found. */
export interface Comparison {
  files: number;
  bytes: number;
  symlinks: number;
  dirs: number;
  /** Special files (FIFOs, sockets) in the reference, which no backup holds: not compared. */
  special: string[];
  /** One line per difference; empty when the trees are identical. */
  differences: string[];
}

/**
 * Compares the tree at `root` with `ref`: the same paths, kinds, modes and mtimes; every regular file byte for byte; every symlink's target.
 * Special files, and paths `skip` names (what a backup leaves out), are left out on both sides.
 * @throws Error from node:fs
 * @example const c = compareWithReference(state, ref); if (c.differences.length) console.log(c.differences);
 */
export function compareWithReference(root: string, ref: Reference, skip: (rel: string) => boolean = () => false): Comparison {
  const c: Comparison = { files: 0, bytes: 0, symlinks: 0, dirs: 0, special: [], differences: [] };
  const now = new Map(walkTree(root).map((e) => [e.rel, e]));
  const isSpecial = (e: TreeEntry) => e.kind === 'fifo' || e.kind === 'other';
  for (const [rel, want] of ref.entries) {
    if (isSpecial(want) || skip(rel)) {
      c.special.push(rel);
      continue;
    }
    const got = now.get(rel);
    if (!got) {
      c.differences.push(`${rel}: missing`);
      continue;
    }
    if (got.kind !== want.kind) {
      c.differences.push(`${rel}: is a ${got.kind}, was a ${want.kind}`);
      continue;
    }
    if (want.kind !== 'symlink' && got.mode !== want.mode) c.differences.push(`${rel}: mode ${got.mode.toString(8)}, was ${want.mode.toString(8)}`);
    if (want.kind !== 'symlink' && got.mtimeMs !== want.mtimeMs) c.differences.push(`${rel}: mtime ${new Date(got.mtimeMs).toISOString()}, was ${new Date(want.mtimeMs).toISOString()}`);
    if (want.kind === 'symlink') {
      c.symlinks++;
      if (got.target !== want.target) c.differences.push(`${rel}: points to ${got.target}, pointed to ${want.target}`);
    } else if (want.kind === 'dir') c.dirs++;
    else {
      c.files++;
      c.bytes += want.size;
      const same = got.size === want.size && readFileSync(join(root, rel)).equals(readFileSync(ref.copies.get(rel)!));
      if (!same) c.differences.push(`${rel}: content differs (${got.size} bytes, was ${want.size})`);
    }
  }
  for (const [rel, e] of now) if (!ref.entries.has(rel) && !isSpecial(e) && !skip(rel)) c.differences.push(`${rel}: not there before`);
  return c;
}

/**
 * Total size of the regular files below `root`: what a repository takes on disk.
 * @throws Error from node:fs
 * @example const before = treeBytes(repoDir);
 */
export function treeBytes(root: string): number {
  return walkTree(root).reduce((n, e) => n + (e.kind === 'file' ? e.size : 0), 0);
}

/**
 * Removes `root` and everything in it, first making read-only directories writable (a 0500 directory's files cannot be removed otherwise).
 * @throws Error from node:fs other than ENOENT
 * @example await removeTree(tmp);
 */
export async function removeTree(root: string): Promise<void> {
  const open = (dir: string): void => {
    chmodSync(dir, 0o700);
    for (const d of readdirSync(dir, { withFileTypes: true })) if (d.isDirectory()) open(join(dir, d.name));
  };
  try {
    open(root);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  await rm(root, { recursive: true, force: true });
}
