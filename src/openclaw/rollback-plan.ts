/*
 * What a rollback restores, as calls to the in-place restore: one "unit" per
 * source, or one for a single path anchored by escaped patterns (a same-named
 * file deeper down is not touched); and the dry-run plan: what those restores
 * would write and delete, compared by content as the restore does.
 */
import type { Stats } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { keyedGear, type GearTable } from '../chunker/gear-table.js';
import { throwIfAborted } from '../core/errors.js';
import { PathFilter, type PathFilterOptions } from '../core/path-filter.js';
import { rootComponents } from '../core/source-paths.js';
import { localChunks } from '../restore/local-chunks.js';
import type { Id } from '../store/ids.js';
import type { Repository } from '../store/repository.js';
import type { Snapshot } from '../store/snapshot.js';
import type { TreeNode } from '../store/tree.js';
import { isWindowsPath, pathWithin, type NodeFinder } from '../store/versions.js';

/** One restore call: `dir` is both the restore target and the snapshot path it comes from. */
export interface RestoreUnit {
  dir: string;
  include: string[];
  exclude: string[];
  keep: string[];
  /** The path this unit restores (a source, or the single path asked for). */
  what: string;
}

/** The selection patterns of the OpenClaw scope. */
export interface ScopePatterns {
  include: readonly string[];
  exclude: readonly string[];
  keep: readonly string[];
}

/** What a rollback would do, found without writing. */
export interface RollbackPlan {
  /** Files, links and directories that would be written or created (absent, another type, or other content). */
  write: string[];
  /** Entries that would be removed (with everything inside them). */
  delete: string[];
  /** Files and links whose content is already as in the snapshot (at most their mode or mtime is set). */
  unchanged: number;
}

/**
 * A glob pattern matching exactly `name` (one path component): every character
 * the matcher (picomatch, as fast-glob) treats specially is put in brackets.
 * @throws never
 * @example escapeGlob('a*(1).json') // 'a[*][(]1[)].json'
 */
export function escapeGlob(name: string): string {
  return name.replace(/[*?[\]{}()!@+|]/g, (c) => (c === ']' ? '[]]' : `[${c}]`));
}

function components(p: string): string[] {
  return rootComponents(p, isWindowsPath(p) ? 'win32' : 'linux').map((c) => c.name);
}

function parentDir(p: string): string {
  const c = rootComponents(p, isWindowsPath(p) ? 'win32' : 'linux');
  return c.length >= 2 ? c[c.length - 2]!.abs : isWindowsPath(p) ? p.slice(0, 3) : '/';
}

/** A unit for a whole source that is a file or symlink: its directory, everything but its name excluded. */
function singleEntryUnit(abs: string): RestoreUnit {
  const name = components(abs).pop()!;
  return { dir: parentDir(abs), include: [], exclude: [`!(${escapeGlob(name)})`], keep: [], what: abs };
}

/**
 * The restore calls that bring back `snap`'s sources (or only `path`, whose node
 * in the snapshot is `node`). Sources missing from the snapshot (vanished at backup) are skipped.
 * @throws never for a well-formed snapshot; ClawbackError for damaged trees
 * @example const units = await restoreUnits(finder, snap, scope);
 */
export async function restoreUnits(finder: NodeFinder, snap: Snapshot, scope: ScopePatterns, path?: { abs: string; node: TreeNode }): Promise<RestoreUnit[]> {
  const whole = (src: string, node: TreeNode): RestoreUnit =>
    node.type === 'dir' ? { dir: src, include: [...scope.include], exclude: [...scope.exclude], keep: [...scope.keep], what: src } : singleEntryUnit(src);
  if (path === undefined) {
    const out: RestoreUnit[] = [];
    for (const src of snap.paths) {
      const node = await finder.find(snap.tree, src);
      if (node) out.push(whole(src, node));
    }
    return out;
  }
  // The source holding the path (the deepest, should sources nest).
  const src = snap.paths.filter((s) => pathWithin(path.abs, s)).sort((a, b) => components(b).length - components(a).length)[0];
  if (src === undefined) throw new RangeError(`"path" expected a path inside the snapshot's sources (${snap.paths.join(', ')}), got ${path.abs}`);
  const rel = components(path.abs).slice(components(src).length);
  if (rel.length === 0) return [whole(src, path.node)];
  const pattern = rel.map(escapeGlob).join('/');
  if (path.node.type === 'dir') {
    // 'a/b/**' matches a/b itself and everything inside it; the scope's excludes still leave volatile files alone.
    return [{ dir: src, include: [`${pattern}/**`], exclude: [...scope.exclude], keep: [...scope.keep], what: path.abs }];
  }
  // A pattern without '/' matches the name at any depth: anchor a top-level entry by excluding every other name instead.
  if (rel.length === 1) return [{ dir: src, include: [], exclude: [`!(${pattern})`], keep: [], what: path.abs }];
  return [{ dir: src, include: [pattern], exclude: [], keep: [], what: path.abs }];
}

async function lstatOrNull(p: string): Promise<Stats | null> {
  try {
    return await lstat(p);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw e;
  }
}

/** Walks a unit like restore does, recording instead of writing. */
class Planner {
  private readonly gear: GearTable;

  constructor(
    private readonly repo: Repository,
    private readonly filter: PathFilter,
    readonly plan: RollbackPlan,
    private readonly signal?: AbortSignal,
  ) {
    this.gear = keyedGear(new Uint8Array(Buffer.from(repo.config.chunker.gearKey, 'hex')));
  }

  /** Does the file at `dst` hold exactly the node's content? Chunked and hashed like the restore does (size first). */
  private async sameContent(dst: string, st: Stats, node: TreeNode): Promise<boolean> {
    if (st.size !== node.size) return false;
    const want = node.content ?? [];
    const got = await localChunks(dst, this.repo.config.chunker, this.gear, this.signal).catch(() => undefined);
    return got !== undefined && got.ids.length === want.length && got.ids.every((id, i) => id === want[i]);
  }

  /** `onDisk`: `dir` exists as a real directory (not through a symlink) and its entries are compared. */
  async walk(treeId: Id, dir: string, rel: string, underIncluded: boolean, onDisk: boolean): Promise<void> {
    throwIfAborted(this.signal);
    const tree = await this.repo.loadTree(treeId);
    const wanted = new Set<string>();
    for (const node of tree.nodes) {
      const r = rel ? `${rel}/${node.name}` : node.name;
      if (this.filter.excluded(r)) continue;
      const inc = underIncluded || this.filter.included(r);
      if (node.type !== 'dir' && !inc) continue;
      if (node.type === 'dir' && !inc && !this.filter.mayContainIncluded(r)) continue;
      wanted.add(node.name);
      const dst = join(dir, node.name);
      const st = onDisk ? await lstatOrNull(dst) : null;
      if (node.type === 'dir') {
        if (!st?.isDirectory()) this.plan.write.push(dst);
        await this.walk(node.subtree!, dst, r, inc, st?.isDirectory() ?? false);
      } else if (node.type === 'symlink') {
        if (st?.isSymbolicLink() && (await readlink(dst)) === node.target) this.plan.unchanged++;
        else this.plan.write.push(dst);
      } else if (st?.isFile() && (await this.sameContent(dst, st, node))) {
        this.plan.unchanged++;
      } else {
        this.plan.write.push(dst);
      }
    }
    if (!onDisk) return;
    for (const ent of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      if (wanted.has(ent.name)) continue;
      if (!ent.isFile() && !ent.isDirectory() && !ent.isSymbolicLink()) continue;
      const r = rel ? `${rel}/${ent.name}` : ent.name;
      if (this.filter.excluded(r) || (this.filter.active && !this.filter.included(r))) continue;
      this.plan.delete.push(join(dir, ent.name));
    }
  }
}

/**
 * Adds to `plan` what restoring `unit` from snapshot `snap` in place would do.
 * @throws ClawbackError for damaged trees; ABORTED
 * @example const plan = { write: [], delete: [], unchanged: 0 }; for (const u of units) await planUnit(repo, finder, snap, u, plan);
 */
export async function planUnit(repo: Repository, finder: NodeFinder, snap: Snapshot, unit: RestoreUnit, plan: RollbackPlan, signal?: AbortSignal): Promise<void> {
  const node = components(unit.dir).length === 0 ? undefined : await finder.find(snap.tree, unit.dir);
  const tree = node === undefined ? snap.tree : node.subtree;
  if (tree === undefined) return;
  const filterOpts: PathFilterOptions & { keep?: readonly string[] } = { include: unit.include, exclude: unit.exclude, keep: unit.keep };
  const st = await lstatOrNull(unit.dir);
  await new Planner(repo, new PathFilter(filterOpts), plan, signal).walk(tree, unit.dir, '', false, st?.isDirectory() ?? false);
}
