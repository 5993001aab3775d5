/*
 * Backup: walk the source paths into trees and blobs, reusing the parent
 * snapshot's content lists for files whose size, mtime, ctime and inode are
 * unchanged, then write the snapshot after every blob is packed and indexed.
 * This file holds the options, the root tree of nested source paths and the
 * entry point; the walk itself is in walker.ts.
 */
import type { BigIntStats } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { hostname, userInfo } from 'node:os';
import { resolve } from 'node:path';
import { ClawbackError, throwIfAborted } from '../core/errors.js';
import { PathFilter, type PathFilterOptions } from '../core/path-filter.js';
import { rootComponents } from '../core/source-paths.js';
import type { BlobSaver } from '../store/blob-saver.js';
import type { Id } from '../store/ids.js';
import { withLock, type LockWait } from '../store/lock.js';
import type { Repository } from '../store/repository.js';
import type { Snapshot, SnapshotSummary } from '../store/snapshot.js';
import type { Tree, TreeNode } from '../store/tree.js';
import { BackupRun } from './walker.js';

/**
 * A problem with one entry that did not stop the backup. VANISHED: deleted between the listing
 * and its read (counted in `summary.vanished`, not a failure); UNREADABLE: there but not readable
 * (the backup is partial); SPECIAL_FILE: a FIFO, socket or device, skipped by design;
 * CHANGED_DURING_READ: it changed on every read (a SQLite database: over every window), and the
 * last read is stored.
 */
export interface BackupWarning {
  path: string;
  code: 'VANISHED' | 'UNREADABLE' | 'SPECIAL_FILE' | 'CHANGED_DURING_READ';
  message: string;
}

/** Progress events. */
export type BackupProgress =
  /** A file was read: `new` (not in the parent snapshot) or `changed` (its size, mtime, ctime or inode differ). */
  | { type: 'file'; path: string; action: 'new' | 'changed'; filesDone: number; bytesDone: number }
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
  /**
   * Marks a file as append-only (JSONL transcripts and logs). Such a file that grows while it is
   * read is stored as its prefix up to the last '\n' within the size seen when the read started,
   * without a warning; the node's size is the stored length, so the next backup reads it again.
   */
  appendOnly?: (absPath: string) => boolean;
}

/** What a backup did. */
export interface BackupResult {
  id: Id;
  snapshot: Snapshot;
  summary: SnapshotSummary;
  warnings: BackupWarning[];
  /** Reads repeated because a file or a SQLite database with its journal changed under the read (diagnostics; not stored). */
  retries: number;
}

const PROGRAM_VERSION = 'clawback 0.1.0';

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
        nodes.push(...(await run.saveEntry({ abs: child.abs, rel: '', name, prev: p, underIncluded: false, keptOnly: false })));
        continue;
      }
      let st: BigIntStats;
      try {
        st = await lstat(child.abs, { bigint: true });
      } catch (e) {
        run.warnError(child.abs, e, 'cannot stat');
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
  return { id, snapshot, summary: run.summary, warnings: run.warnings, retries: run.retries };
}
