/*
 * Backup: walk the source paths into trees and blobs, reusing the parent
 * snapshot's content lists for files whose size, mtime, ctime and inode are
 * unchanged, then write the snapshot after every blob is packed and indexed.
 * Symlinks are stored, never followed; special files are skipped with a
 * warning; unreadable or vanished entries are reported and the backup is
 * marked partial instead of failing.
 */
import { lstatSync, readdirSync, type BigIntStats, type Dirent } from 'node:fs';
import { lstat, readlink } from 'node:fs/promises';
import { hostname, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { keyedGear } from '../chunker/gear-table.js';
import { ClawbackError, throwIfAborted } from '../core/errors.js';
import { PathFilter, type PathFilterOptions } from '../core/path-filter.js';
import type { BlobSaver } from '../store/blob-saver.js';
import type { Id } from '../store/ids.js';
import { withLock, type LockWait } from '../store/lock.js';
import type { Repository } from '../store/repository.js';
import type { Snapshot, SnapshotSummary } from '../store/snapshot.js';
import { compareNames, type Tree, type TreeNode } from '../store/tree.js';
import { readFileContent, type ChunkParams } from './file-reader.js';
import { Limiter, settleAll } from '../core/limiter.js';
import { rootComponents } from '../core/source-paths.js';

/** A problem with one entry that did not stop the backup. */
export interface BackupWarning {
  path: string;
  code: 'VANISHED' | 'UNREADABLE' | 'SPECIAL_FILE' | 'CHANGED_DURING_READ';
  message: string;
}

/** Progress events. */
export type BackupProgress =
  | { type: 'file'; path: string; filesDone: number; bytesDone: number }
  | { type: 'warning'; warning: BackupWarning };

/** Options of a backup. */
export interface BackupOptions extends PathFilterOptions, LockWait {
  /** Files and directories to back up. */
  paths: string[];
  tags?: string[];
  host?: string;
  /** Parent snapshot for change detection: an id, 'auto' (latest with the same host and paths, default) or null (read everything). */
  parent?: Id | 'auto' | null;
  /** Snapshot time (default now). */
  time?: Date;
  /** Files read at once (default 4). */
  concurrency?: number;
  onProgress?: (e: BackupProgress) => void;
  /** Marks a file as a secret for the summary (issue 4). */
  isSecret?: (absPath: string) => boolean;
}

/** What a backup did. */
export interface BackupResult {
  id: Id;
  snapshot: Snapshot;
  summary: SnapshotSummary;
  warnings: BackupWarning[];
}

const PROGRAM_VERSION = 'clawback 0.1.0';

function errCode(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException)?.code;
}

/** Walks and saves; one instance per backup run. */
class BackupRun {
  readonly warnings: BackupWarning[] = [];
  readonly summary: SnapshotSummary = {
    filesNew: 0,
    filesChanged: 0,
    filesUnchanged: 0,
    dirs: 0,
    skipped: 0,
    bytesRead: 0,
    bytesAdded: 0,
    bytesStored: 0,
    totalBytes: 0,
    totalFiles: 0,
    secrets: 0,
    partial: false,
    durationMs: 0,
  };
  private readonly limiter: Limiter;
  private readonly chunk: ChunkParams;

  constructor(
    private readonly repo: Repository,
    private readonly saver: BlobSaver,
    private readonly filter: PathFilter,
    private readonly opts: BackupOptions,
  ) {
    this.limiter = new Limiter(opts.concurrency ?? 4);
    const key = Buffer.from(repo.config.chunker.gearKey, 'hex');
    this.chunk = { config: repo.config.chunker, gear: keyedGear(new Uint8Array(key)) };
  }

  warn(path: string, code: BackupWarning['code'], message: string): void {
    const w = { path, code, message };
    this.warnings.push(w);
    // Special files are never backed up (by design, not a failure); only entries we
    // could not read make the backup partial.
    if (code === 'VANISHED' || code === 'UNREADABLE') {
      this.summary.skipped++;
      this.summary.partial = true;
    }
    this.opts.onProgress?.({ type: 'warning', warning: w });
  }

  private async parentTree(id: Id | undefined): Promise<Map<string, TreeNode>> {
    if (!id) return new Map();
    try {
      const t = await this.repo.loadTree(id);
      return new Map(t.nodes.map((n) => [n.name, n]));
    } catch {
      return new Map(); // a damaged parent only costs re-reading
    }
  }

  private meta(name: string, st: BigIntStats): TreeNode {
    return {
      name,
      type: 'file',
      mode: Number(st.mode & 0o7777n),
      mtimeNs: st.mtimeNs.toString(),
      uid: Number(st.uid),
      gid: Number(st.gid),
      inode: st.ino.toString(),
      ctimeNs: st.ctimeNs.toString(),
    };
  }

  /** Saves directory `abs` (relative path `rel` under its source root); returns its tree id, or undefined when includes leave it empty. */
  async saveDir(abs: string, rel: string, parentId: Id | undefined, underIncluded: boolean): Promise<Id | undefined> {
    throwIfAborted(this.opts.signal);
    let entries: Dirent[];
    try {
      entries = readdirSync(abs, { withFileTypes: true });
    } catch (e) {
      this.warn(abs, errCode(e) === 'ENOENT' ? 'VANISHED' : 'UNREADABLE', `cannot list directory: ${(e as Error).message}`);
      return undefined;
    }
    entries.sort((a, b) => compareNames(a.name, b.name));
    const prev = await this.parentTree(parentId);
    const nodes = await settleAll(entries.map((e) => this.saveEntry(join(abs, e.name), rel ? `${rel}/${e.name}` : e.name, e.name, prev.get(e.name), underIncluded)));
    const kept = nodes.filter((n): n is TreeNode => n !== undefined);
    if (kept.length === 0 && this.filter.active && !underIncluded && !this.filter.included(rel)) return undefined;
    return this.repo.saveTree(this.saver, { nodes: kept });
  }

  async saveEntry(abs: string, rel: string, name: string, prev: TreeNode | undefined, underIncluded: boolean): Promise<TreeNode | undefined> {
    if (this.filter.excluded(rel)) return undefined;
    let st: BigIntStats;
    try {
      // Metadata calls are synchronous: on a local disk a thread-pool round trip costs more than the call.
      st = lstatSync(abs, { bigint: true });
    } catch (e) {
      this.warn(abs, errCode(e) === 'ENOENT' ? 'VANISHED' : 'UNREADABLE', `cannot stat: ${(e as Error).message}`);
      return undefined;
    }
    const inc = underIncluded || this.filter.included(rel);
    if (st.isDirectory()) {
      if (!inc && !this.filter.mayContainIncluded(rel)) return undefined;
      const sub = await this.saveDir(abs, rel, prev?.type === 'dir' ? prev.subtree : undefined, inc);
      if (sub === undefined) return undefined;
      this.summary.dirs++;
      const { inode: _i, ctimeNs: _c, ...m } = this.meta(name, st);
      return { ...m, type: 'dir', subtree: sub };
    }
    if (!inc) return undefined;
    if (st.isSymbolicLink()) {
      try {
        const target = await readlink(abs);
        const { inode: _i, ctimeNs: _c, ...m } = this.meta(name, st);
        return { ...m, type: 'symlink', target };
      } catch (e) {
        this.warn(abs, errCode(e) === 'ENOENT' ? 'VANISHED' : 'UNREADABLE', `cannot read link: ${(e as Error).message}`);
        return undefined;
      }
    }
    if (!st.isFile()) {
      this.warn(abs, 'SPECIAL_FILE', `skipped ${st.isFIFO() ? 'FIFO' : st.isSocket() ? 'socket' : 'device'}`);
      return undefined;
    }
    return this.saveFile(abs, name, st, prev);
  }

  private unchanged(prev: TreeNode | undefined, st: BigIntStats): prev is TreeNode & { content: Id[] } {
    return (
      prev?.type === 'file' &&
      prev.content !== undefined &&
      prev.size === Number(st.size) &&
      prev.mtimeNs === st.mtimeNs.toString() &&
      prev.ctimeNs === st.ctimeNs.toString() &&
      prev.inode === st.ino.toString() &&
      prev.content.every((id) => this.repo.index.hasBlob('data', id))
    );
  }

  async saveFile(abs: string, name: string, st: BigIntStats, prev: TreeNode | undefined): Promise<TreeNode | undefined> {
    const s = this.summary;
    if (this.opts.isSecret?.(abs)) s.secrets = (s.secrets ?? 0) + 1;
    if (this.unchanged(prev, st)) {
      s.filesUnchanged++;
      s.totalFiles++;
      s.totalBytes += prev.size ?? 0;
      return { ...this.meta(name, st), size: prev.size!, content: prev.content };
    }
    return this.limiter.run(async () => {
      throwIfAborted(this.opts.signal);
      try {
        const r = await readFileContent(abs, st, this.saver, this.chunk, this.opts.signal ? { signal: this.opts.signal } : {});
        if (r.unstable) this.warn(abs, 'CHANGED_DURING_READ', 'the file kept changing while it was read; stored one read of it');
        if (prev?.type === 'file') s.filesChanged++;
        else s.filesNew++;
        s.totalFiles++;
        s.totalBytes += r.size;
        s.bytesRead += r.bytesRead;
        s.bytesAdded += r.bytesAdded;
        s.bytesStored += r.bytesStored;
        this.opts.onProgress?.({ type: 'file', path: abs, filesDone: s.totalFiles, bytesDone: s.bytesRead });
        return { ...this.meta(name, r.stat), size: r.size, content: r.content };
      } catch (e) {
        if (e instanceof ClawbackError) throw e;
        const code = errCode(e);
        if (code === 'ELOOP') return undefined; // replaced by a symlink since the walk: next backup stores the link
        this.warn(abs, code === 'ENOENT' ? 'VANISHED' : 'UNREADABLE', `cannot read: ${(e as Error).message}`);
        return undefined;
      }
    });
  }
}

/** Builds the root tree: each source path nested under its path components (restic style). */
async function saveRoot(run: BackupRun, repo: Repository, saver: BlobSaver, sources: string[], parentRoot: Id | undefined): Promise<Id> {
  interface Dir {
    children: Map<string, Dir>;
    abs: string;
    leaf: boolean;
  }
  const top: Dir = { children: new Map(), abs: '', leaf: false };
  for (const src of sources) {
    const comps = rootComponents(src);
    let d = top;
    let abs = '';
    for (const [i, c] of comps.entries()) {
      abs = c.abs;
      let next = d.children.get(c.name);
      if (!next) {
        next = { children: new Map(), abs, leaf: false };
        d.children.set(c.name, next);
      }
      if (i === comps.length - 1) next.leaf = true;
      d = next;
    }
  }
  const build = async (d: Dir, parentId: Id | undefined): Promise<Id> => {
    const prev = parentId ? await repo.loadTree(parentId).then((t) => new Map(t.nodes.map((n) => [n.name, n])), () => new Map<string, TreeNode>()) : new Map<string, TreeNode>();
    const nodes: TreeNode[] = [];
    for (const [name, child] of d.children) {
      const p = prev.get(name);
      if (child.leaf) {
        const n = await run.saveEntry(child.abs, '', name, p, false);
        if (n) nodes.push(n);
        continue;
      }
      let st: BigIntStats;
      try {
        st = await lstat(child.abs, { bigint: true });
      } catch (e) {
        run.warn(child.abs, 'VANISHED', `cannot stat: ${(e as Error).message}`);
        continue;
      }
      const sub = await build(child, p?.type === 'dir' ? p.subtree : undefined);
      nodes.push({ name, type: 'dir', mode: Number(st.mode & 0o7777n), mtimeNs: st.mtimeNs.toString(), uid: Number(st.uid), gid: Number(st.gid), subtree: sub });
    }
    const tree: Tree = { nodes };
    return repo.saveTree(saver, tree);
  };
  return build(top, parentRoot);
}

/**
 * Backs up `opts.paths` into `repo` and writes a snapshot.
 * @throws ClawbackError ABORTED; NOT_FOUND when a source path does not exist; backend errors
 * @example const { id, summary } = await backup(repo, { paths: ['/home/me/.openclaw'] });
 */
export async function backup(repo: Repository, opts: BackupOptions): Promise<BackupResult> {
  return withLock(repo, false, opts, async () => {
    await repo.refreshIndex();
    return backupLocked(repo, opts);
  });
}

async function backupLocked(repo: Repository, opts: BackupOptions): Promise<BackupResult> {
  const started = opts.time ?? new Date();
  const t0 = performance.now();
  const sources = [...new Set(opts.paths.map((p) => resolve(p)))].sort();
  if (sources.length === 0) throw new RangeError('"paths" expected at least one path, got none');
  for (const s of sources) {
    await lstat(s).catch((e: unknown) => {
      throw new ClawbackError('NOT_FOUND', `source ${s} does not exist`, { cause: e });
    });
  }
  const host = opts.host ?? hostname();
  let parent: Id | undefined;
  if (opts.parent === undefined || opts.parent === 'auto') {
    const same = (await repo.snapshots(() => {})).filter((r) => r.snapshot.host === host && r.snapshot.paths.length === sources.length && r.snapshot.paths.every((p, i) => p === sources[i]));
    parent = same[same.length - 1]?.id;
  } else if (opts.parent !== null) parent = (await repo.findSnapshot(opts.parent)).id;
  const parentRoot = parent ? (await repo.loadSnapshot(parent)).tree : undefined;
  const saver = repo.blobSaver(opts.signal ? { signal: opts.signal } : {});
  const run = new BackupRun(repo, saver, new PathFilter(opts), opts);
  const tree = await saveRoot(run, repo, saver, sources, parentRoot);
  await saver.flush();
  await repo.consolidateIndex(saver);
  throwIfAborted(opts.signal);
  run.summary.durationMs = Math.round(performance.now() - t0);
  let username: string | undefined;
  try {
    username = userInfo().username;
  } catch {
    username = undefined;
  }
  const snapshot: Snapshot = {
    version: 1,
    time: started.toISOString(),
    host,
    ...(username ? { username } : {}),
    paths: sources,
    tags: [...(opts.tags ?? [])].sort(),
    ...(parent ? { parent } : {}),
    tree,
    programVersion: PROGRAM_VERSION,
    summary: run.summary,
  };
  const id = await repo.saveSnapshot(snapshot);
  return { id, snapshot, summary: run.summary, warnings: run.warnings };
}
