/*
 * Versions of one path across snapshots: look it up in every snapshot's tree
 * and group consecutive snapshots holding the same content into one version. A
 * snapshot that covers the path but lacks it is a gap: the next appearance
 * starts a new version, even with the content of an older one.
 */
import { throwIfAborted } from '../core/errors.js';
import { sha256, toHex } from '../core/hash.js';
import { rootComponents } from '../core/source-paths.js';
import type { Id } from './ids.js';
import type { Repository, SnapshotRecord } from './repository.js';
import type { NodeType, TreeNode } from './tree.js';

/** A snapshot a version was seen in. */
export interface VersionSnapshot {
  id: Id;
  /** ISO 8601 time of the snapshot. */
  time: string;
}

/** One stored version of a path: the same content (and type and mode) in consecutive snapshots. */
export interface FileVersion {
  /** 1 for the oldest version. */
  number: number;
  /** The snapshots holding this version, oldest first. */
  snapshots: VersionSnapshot[];
  /** Time of the first and the last of those snapshots (ISO 8601). */
  firstSeen: string;
  lastSeen: string;
  type: NodeType;
  /** File: bytes; symlink: length of the target; directory: 0. */
  size: number;
  /** Permission bits. */
  mode: number;
  /** Modification time recorded in the first snapshot of this version (ISO 8601). */
  mtime: string;
  /** 12 hex digits naming the content: the SHA-256 of the content id list (file), target (symlink) or subtree id (directory). */
  contentHash: string;
  /** Symlink target. */
  target?: string;
}

/** Options of fileVersions. */
export interface FileVersionsOptions {
  /** Only snapshots taken on this host. */
  host?: string;
  /** Only snapshots whose path list is this set. */
  paths?: readonly string[];
  /** Leave out snapshots with any of these tags (e.g. `safety`). */
  excludeTags?: readonly string[];
  signal?: AbortSignal;
}

/**
 * Does `p` look like a Windows path (drive letter or UNC)? Snapshot trees nest such paths by win32 rules.
 * @throws never
 * @example isWindowsPath('C:\\Users\\me\\.openclaw') // true
 */
export function isWindowsPath(p: string): boolean {
  return /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\');
}

/**
 * Is absolute path `p` equal to `root` or inside it, component by component (Windows paths case-insensitively)?
 * @throws never
 * @example pathWithin('/home/me/.openclaw/openclaw.json', '/home/me/.openclaw') // true
 */
export function pathWithin(p: string, root: string): boolean {
  const win = isWindowsPath(p) || isWindowsPath(root);
  const a = rootComponents(p, win ? 'win32' : 'linux').map((c) => c.name);
  const b = rootComponents(root, win ? 'win32' : 'linux').map((c) => c.name);
  if (b.length > a.length) return false;
  const eq = win ? (x: string, y: string) => x.toLowerCase() === y.toLowerCase() : (x: string, y: string) => x === y;
  return b.every((n, i) => eq(n, a[i]!));
}

/**
 * Looks nodes up by path in snapshot trees, caching decoded trees across snapshots (they share most subtrees).
 * @example const node = await new NodeFinder(repo).find(snapshot.tree, '/home/me/.openclaw/openclaw.json');
 */
export class NodeFinder {
  private readonly trees = new Map<Id, Map<string, TreeNode>>();

  constructor(private readonly repo: Repository) {}

  private async entries(id: Id): Promise<Map<string, TreeNode>> {
    let m = this.trees.get(id);
    if (!m) {
      m = new Map((await this.repo.loadTree(id)).nodes.map((n) => [n.name, n]));
      this.trees.set(id, m);
    }
    return m;
  }

  /**
   * The node at absolute path `absPath` below root tree `root`, or undefined when the snapshot lacks it.
   * @throws ClawbackError for damaged trees (CORRUPT, INTEGRITY, NOT_FOUND of a blob)
   */
  async find(root: Id, absPath: string): Promise<TreeNode | undefined> {
    let tree: Id | undefined = root;
    let node: TreeNode | undefined;
    for (const c of rootComponents(absPath, isWindowsPath(absPath) ? 'win32' : 'linux')) {
      if (tree === undefined) return undefined;
      node = (await this.entries(tree)).get(c.name);
      if (!node) return undefined;
      tree = node.type === 'dir' ? node.subtree : undefined;
    }
    return node;
  }
}

/** The identity of a node's content, for grouping: type, content, mode. */
function contentKey(n: TreeNode): { key: string; hash: string } {
  const what = n.type === 'file' ? (n.content ?? []).join('\n') : n.type === 'symlink' ? `symlink:${n.target ?? ''}` : `dir:${n.subtree ?? ''}`;
  const hash = toHex(sha256(new TextEncoder().encode(what))).slice(0, 12);
  return { key: `${n.type}:${n.mode}:${hash}:${what.length}`, hash };
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const s = new Set(a);
  return b.every((x) => s.has(x));
}

function nodeSize(n: TreeNode): number {
  if (n.type === 'file') return n.size ?? 0;
  if (n.type === 'symlink') return Buffer.byteLength(n.target ?? '', 'utf8');
  return 0;
}

/**
 * Lists the stored versions of `absPath` (a file, symlink or directory), oldest
 * first, over the snapshots that back up a directory containing it (or it).
 * @throws RangeError when `absPath` is not an absolute path
 * @throws ClawbackError for damaged snapshots or trees; ABORTED
 * @example
 * for (const v of await fileVersions(repo, '/home/me/.openclaw/openclaw.json'))
 *   console.log(v.number, v.snapshots.map((s) => s.id.slice(0, 8)).join(','), v.size);
 */
export async function fileVersions(repo: Repository, absPath: string, opts: FileVersionsOptions = {}): Promise<FileVersion[]> {
  if (typeof absPath !== 'string') throw new TypeError(`"absPath" expected string, got ${typeof absPath}`);
  if (!(absPath.startsWith('/') || isWindowsPath(absPath))) throw new RangeError(`"absPath" expected an absolute path, got ${JSON.stringify(absPath)}`);
  const finder = new NodeFinder(repo);
  const snaps = (await repo.snapshots(() => {})).filter(
    (r: SnapshotRecord) =>
      (opts.host === undefined || r.snapshot.host === opts.host) &&
      (opts.paths === undefined || sameSet(r.snapshot.paths, opts.paths)) &&
      !(opts.excludeTags ?? []).some((t) => r.snapshot.tags.includes(t)) &&
      r.snapshot.paths.some((p) => pathWithin(absPath, p)),
  );
  const out: FileVersion[] = [];
  let current: { key: string; v: FileVersion } | undefined;
  for (const r of snaps) {
    throwIfAborted(opts.signal);
    const node = await finder.find(r.snapshot.tree, absPath);
    if (!node) {
      current = undefined; // a gap: the path was absent from this snapshot
      continue;
    }
    const { key, hash } = contentKey(node);
    const at = { id: r.id, time: r.snapshot.time };
    if (current && current.key === key) {
      current.v.snapshots.push(at);
      current.v.lastSeen = at.time;
      continue;
    }
    const v: FileVersion = {
      number: out.length + 1,
      snapshots: [at],
      firstSeen: at.time,
      lastSeen: at.time,
      type: node.type,
      size: nodeSize(node),
      mode: node.mode,
      mtime: new Date(Number(BigInt(node.mtimeNs) / 1_000_000n)).toISOString(),
      contentHash: hash,
      ...(node.type === 'symlink' && node.target !== undefined ? { target: node.target } : {}),
    };
    out.push(v);
    current = { key, v };
  }
  return out;
}
