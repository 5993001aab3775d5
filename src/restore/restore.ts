/*
 * Restore: write a snapshot (or one path in it) into a target directory, new
 * or existing. Unchanged files (same content) are left untouched; changed
 * files are rebuilt in a temporary file from the bytes the old version already
 * has plus the blobs it lacks, fsynced and renamed into place; entries the
 * snapshot lacks are removed with `delete`. Nothing is written through a
 * symlink or outside the target.
 */
import { closeSync, constants, fchmodSync, fchownSync, fsync, futimesSync, lstatSync, open as openCb, openSync, readdirSync, readSync, writeSync, writevSync, type BigIntStats } from 'node:fs';
import { promisify } from 'node:util';
import { chmod, lchown, lutimes, mkdir, realpath, rename, rm, symlink, utimes } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { keyedGear } from '../chunker/gear-table.js';
import type { GearTable } from '../chunker/gear-table.js';
import { syncDir, tempPathFor } from '../core/atomic-file.js';
import { ClawbackError, throwIfAborted } from '../core/errors.js';
import { PathFilter, type PathFilterOptions } from '../core/path-filter.js';
import { Limiter, settleAll } from '../core/limiter.js';
import { rootComponents } from '../core/source-paths.js';
import { idOf, type Id } from '../store/ids.js';
import { withLock, type LockWait } from '../store/lock.js';
import type { Repository } from '../store/repository.js';
import type { TreeNode } from '../store/tree.js';
import { localChunks, type LocalChunks } from './local-chunks.js';

/** Options of a restore. */
export interface RestoreOptions extends PathFilterOptions, LockWait {
  /** Directory to restore into; created if missing. */
  target: string;
  /** Absolute path inside the snapshot whose contents go to `target` (default: the snapshot root, sources nested by their full paths). */
  from?: string;
  /** Remove entries under the target that the snapshot does not have (within the include/exclude selection). */
  delete?: boolean;
  /** Re-read every written file and check it against the snapshot. */
  verify?: boolean;
  /** Trust size and mtime to skip a file, instead of comparing content (faster, rsync's quick check). */
  quick?: boolean;
  /**
   * A snapshot that recorded the target as it is now (a rollback's safety
   * snapshot). A local file whose size, mtime, ctime and inode still equal that
   * snapshot's record is known to hold the recorded content: it is compared by
   * its chunk ids without being read, and its chunks are still reused (each one
   * re-hashed as it is copied). Other files are read and compared as usual.
   */
  localSnapshot?: Id;
  concurrency?: number;
  onProgress?: (e: { type: 'file'; path: string; action: 'written' | 'unchanged' | 'deleted' }) => void;
}

/** What a restore did. */
export interface RestoreSummary {
  filesWritten: number;
  filesUnchanged: number;
  dirs: number;
  symlinks: number;
  deleted: number;
  bytesWritten: number;
  /** Bytes copied from the old local version instead of fetched from the repository. */
  bytesReused: number;
  bytesFetched: number;
  /** Bytes of existing local files read to compare them with the snapshot. */
  bytesCompared: number;
  verified: number;
  durationMs: number;
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
/** Raw bytes of the chunks one file fetches from the repository at once. */
const FETCH_BATCH = 8 * 1024 * 1024;

/** Seconds for utimes from a nanosecond string: microsecond precision, nudged half a microsecond so it never rounds down across a boundary. */
function nsToDate(ns: string): number {
  return (Number(BigInt(ns) / 1000n) + 0.5) / 1e6;
}

function mtimeMatches(st: BigIntStats, ns: string): boolean {
  return st.mtimeNs / 1000000n === BigInt(ns) / 1000000n;
}

/** True when `st` is the very file version `rec` recorded (the test backup uses to skip reading). */
function sameVersion(rec: TreeNode, st: BigIntStats): boolean {
  return rec.size === Number(st.size) && rec.mtimeNs === st.mtimeNs.toString() && rec.ctimeNs === st.ctimeNs.toString() && rec.inode === st.ino.toString();
}

const fsyncAsync = promisify(fsync);
const openAsync = promisify(openCb);

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already failing: the first error is the one reported
  }
}

/** Reads `buf.length` bytes at `position`, or fewer at the end of the file; returns the count. */
function readFully(fd: number, buf: Uint8Array, position: number): number {
  let got = 0;
  while (got < buf.length) {
    const n = readSync(fd, buf, got, buf.length - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return got;
}

async function lstatOrNull(p: string): Promise<BigIntStats | null> {
  try {
    // Synchronous, as in backup: on a local disk a thread-pool round trip costs more than the call.
    return lstatSync(p, { bigint: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

class RestoreRun {
  readonly summary: RestoreSummary = { filesWritten: 0, filesUnchanged: 0, dirs: 0, symlinks: 0, deleted: 0, bytesWritten: 0, bytesReused: 0, bytesFetched: 0, bytesCompared: 0, verified: 0, durationMs: 0 };
  private readonly gear: GearTable;
  private readonly limiter: Limiter;
  /** Directory modes applied last, deepest first, so read-only directories do not block their contents. */
  private readonly dirModes: { path: string; node: TreeNode }[] = [];

  constructor(
    private readonly repo: Repository,
    private readonly filter: PathFilter,
    private readonly opts: RestoreOptions,
  ) {
    this.gear = keyedGear(new Uint8Array(Buffer.from(repo.config.chunker.gearKey, 'hex')));
    this.limiter = new Limiter(opts.concurrency ?? 8);
  }

  /** Makes `dir` a real directory (replacing a file or symlink in its place). */
  private async ensureDir(dir: string): Promise<void> {
    const st = await lstatOrNull(dir);
    if (st?.isDirectory()) return;
    if (st) await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { mode: 0o700 });
  }

  /**
   * `known` is the same directory in the local snapshot, when there is one;
   * `keptOnly` is true inside an excluded directory entered for kept entries
   * only (dependency manifests), as the backup walk did.
   */
  async restoreTree(treeId: Id, dir: string, rel: string, underIncluded: boolean, known?: Id, keptOnly = false): Promise<void> {
    throwIfAborted(this.opts.signal);
    const tree = await this.repo.loadTree(treeId);
    const knownNodes = known ? await this.repo.loadTree(known).then((t) => new Map(t.nodes.map((n) => [n.name, n])), () => undefined) : undefined;
    const wanted = new Set<string>();
    // Files already right are settled here and now; directories, links and files to write
    // become tasks (a promise per entry cost more than the check for the thousands a rollback
    // leaves alone).
    const tasks: Promise<void>[] = [];
    for (const node of tree.nodes) {
      const r = rel ? `${rel}/${node.name}` : node.name;
      let onlyKept = false;
      if (!this.filter.kept(r) && (keptOnly || this.filter.excluded(r))) {
        if (node.type !== 'dir' || !this.filter.mayContainKept(r)) continue;
        onlyKept = true;
      }
      const inc = underIncluded || this.filter.included(r);
      if (node.type !== 'dir' && !inc) continue;
      if (node.type === 'dir' && !inc && !this.filter.mayContainIncluded(r)) continue;
      wanted.add(node.name);
      const dst = join(dir, node.name);
      try {
        if (node.type === 'dir') {
          const k = knownNodes?.get(node.name);
          tasks.push(
            (async () => {
              await this.ensureDir(dst);
              this.summary.dirs++;
              await this.restoreTree(node.subtree!, dst, r, inc, k?.type === 'dir' ? k.subtree : undefined, onlyKept);
              this.dirModes.push({ path: dst, node });
            })(),
          );
        } else if (node.type === 'symlink') {
          tasks.push(this.restoreSymlink(node, dst));
        } else {
          const known = knownNodes?.get(node.name);
          if (!this.alreadyThere(node, dst, known)) tasks.push(this.limiter.run(() => this.restoreFile(node, dst, known)));
        }
      } catch (e) {
        tasks.push(Promise.reject(e)); // settled with the others, as an async call's would be
      }
    }
    await settleAll(tasks);
    if (this.opts.delete) await this.deleteExtra(dir, rel, wanted, underIncluded, keptOnly);
  }

  /**
   * True (and counted) when `dst` is already the file `node` describes, as the local snapshot
   * recorded it and with its mode and mtime right: the check restoreFile starts with, done
   * synchronously (a stat and the recorded chunk ids), so the many files a rollback leaves
   * alone cost no promise, no limiter slot and no thread-pool round trip.
   */
  private alreadyThere(node: TreeNode, dst: string, known: TreeNode | undefined): boolean {
    throwIfAborted(this.opts.signal);
    if (known?.type !== 'file' || this.opts.verify) return false;
    let st: BigIntStats;
    try {
      st = lstatSync(dst, { bigint: true });
    } catch {
      return false; // restoreFile sees the same and reports it
    }
    if (!st.isFile() || !sameVersion(known, st) || Number(st.mode & 0o7777n) !== node.mode || !mtimeMatches(st, node.mtimeNs)) return false;
    // The local file holds what the local snapshot recorded: the same content list is the same bytes.
    const content = node.content ?? [];
    const had = known.content ?? [];
    if (known.size !== node.size || had.length !== content.length || !had.every((id, i) => id === content[i])) return false;
    this.summary.filesUnchanged++;
    this.opts.onProgress?.({ type: 'file', path: dst, action: 'unchanged' });
    return true;
  }

  /** Removes what the snapshot lacks in `dir`, within the selection: never excluded entries (unless kept), nor entries outside the includes. */
  private async deleteExtra(dir: string, rel: string, wanted: Set<string>, underIncluded: boolean, keptOnly: boolean): Promise<void> {
    // Listed synchronously, as the backup walk lists: on a local disk cheaper than a thread-pool round trip.
    for (const ent of readdirSync(dir, { withFileTypes: true })) {
      const name = ent.name;
      if (wanted.has(name)) continue;
      // FIFOs, sockets and devices are never in a snapshot; removing them would break a running program.
      if (!ent.isFile() && !ent.isDirectory() && !ent.isSymbolicLink()) continue;
      const r = rel ? `${rel}/${name}` : name;
      const selected = this.filter.kept(r) || (!keptOnly && !this.filter.excluded(r));
      if (!selected || !this.filter.included(r, underIncluded)) continue;
      // Our own temporary files from an interrupted restore go too.
      await rm(join(dir, name), { recursive: true, force: true });
      this.summary.deleted++;
      this.opts.onProgress?.({ type: 'file', path: join(dir, name), action: 'deleted' });
    }
  }

  private async restoreSymlink(node: TreeNode, dst: string): Promise<void> {
    const st = await lstatOrNull(dst);
    if (st?.isSymbolicLink()) {
      const { readlink } = await import('node:fs/promises');
      if ((await readlink(dst)) === node.target) {
        this.summary.symlinks++;
        return;
      }
    }
    const tmp = tempPathFor(dst);
    await symlink(node.target!, tmp);
    if (st?.isDirectory()) await rm(dst, { recursive: true, force: true });
    await rename(tmp, dst);
    await lutimes(dst, nsToDate(node.mtimeNs), nsToDate(node.mtimeNs)).catch(() => {});
    if (isRoot && node.uid !== undefined) await lchown(dst, node.uid, node.gid ?? 0).catch(() => {});
    this.summary.symlinks++;
  }

  /** The chunks of a local file as `rec` recorded them, offsets from the index's raw lengths; undefined when a chunk is unknown. */
  private recordedChunks(rec: TreeNode): LocalChunks | undefined {
    const ids = rec.content ?? [];
    const byId = new Map<Id, { offset: number; length: number }>();
    let offset = 0;
    for (const id of ids) {
      const loc = this.repo.index.get(id, 'data');
      if (!loc) return undefined;
      if (!byId.has(id)) byId.set(id, { offset, length: loc.rawLength });
      offset += loc.rawLength;
    }
    return offset === rec.size ? { ids, byId, size: offset } : undefined;
  }

  private async restoreFile(node: TreeNode, dst: string, known?: TreeNode): Promise<void> {
    throwIfAborted(this.opts.signal);
    const content = node.content ?? [];
    const st = await lstatOrNull(dst);
    let local: LocalChunks | undefined;
    if (st?.isFile()) {
      if (this.opts.quick && Number(st.size) === node.size && mtimeMatches(st, node.mtimeNs)) {
        await this.fixMeta(dst, node, st);
        this.summary.filesUnchanged++;
        this.opts.onProgress?.({ type: 'file', path: dst, action: 'unchanged' });
        return;
      }
      if (known?.type === 'file' && sameVersion(known, st)) local = this.recordedChunks(known);
      if (!local) {
        local = await localChunks(dst, this.repo.config.chunker, this.gear, this.opts.signal).catch(() => undefined);
        this.summary.bytesCompared += local?.size ?? 0;
      }
      if (local && local.size === node.size && local.ids.length === content.length && local.ids.every((id, i) => id === content[i])) {
        await this.fixMeta(dst, node, st);
        this.summary.filesUnchanged++;
        this.opts.onProgress?.({ type: 'file', path: dst, action: 'unchanged' });
        return;
      }
    }
    // Synchronous calls for the data and metadata writes (cheaper than a thread-pool round trip
    // each); the create, the fsync and the rename go to the thread pool, because they wait on
    // the filesystem journal (behind other files' fsyncs) and would stall this thread.
    const tmp = tempPathFor(dst);
    const out = await openAsync(tmp, 'wx', 0o600);
    let outOpen = true;
    let src: number | undefined;
    try {
      if (local && local.byId.size > 0) src = openSync(dst, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
      let pos = 0;
      let written = 0;
      // The chunks this file lacks locally, fetched in batches of about 8 MiB with planned
      // reads (neighbours in a pack read together) rather than one read-ahead guess per chunk.
      const wanted = local ? content.filter((id) => !local!.byId.has(id)) : content;
      let fetched = new Map<Id, Uint8Array>();
      let nextWanted = 0;
      const fetch = async (id: Id): Promise<Uint8Array> => {
        let data = fetched.get(id);
        if (!data) {
          const batch: Id[] = [];
          let bytes = 0;
          while (nextWanted < wanted.length && bytes < FETCH_BATCH) {
            const w = wanted[nextWanted++]!;
            batch.push(w);
            bytes += this.repo.index.get(w, 'data')?.rawLength ?? 0;
          }
          fetched = await this.repo.loadBlobs(batch);
          data = fetched.get(id);
        }
        return data ?? this.repo.loadBlob(id, 'data'); // a repeat of a chunk from an earlier batch
      };
      let pending: Uint8Array[] = [];
      let pendingBytes = 0;
      const flush = async () => {
        if (pendingBytes === 0) return;
        // One vectored write of the gathered pieces: no copy into one buffer.
        let at = written;
        for (let k = 0; k < pending.length; ) {
          const batch = pending.slice(k, k + 1024); // IOV_MAX
          const bytesWritten = writevSync(out, batch, at);
          const want = batch.reduce((n, b) => n + b.length, 0);
          if (bytesWritten !== want) {
            // A short vectored write (rare): finish this batch piece by piece.
            let done = bytesWritten;
            for (const b of batch) {
              if (done >= b.length) {
                done -= b.length;
                continue;
              }
              const rest = b.subarray(done);
              done = 0;
              for (let o = 0; o < rest.length; ) o += writeSync(out, rest, o, rest.length - o, at + (b.length - rest.length) + o);
            }
          }
          at += want;
          k += batch.length;
        }
        written = at;
        pending = [];
        pendingBytes = 0;
      };
      for (let i = 0; i < content.length; ) {
        throwIfAborted(this.opts.signal);
        const id = content[i]!;
        const here = local?.byId.get(id);
        if (here && src !== undefined) {
          // A run of chunks lying back to back in the old file: one read (up to 1 MiB), then
          // each chunk checked against its id (the old file may have changed since it was chunked).
          let end = i + 1;
          let length = here.length;
          for (let next = local!.byId.get(content[end]!); end < content.length && next && next.offset === here.offset + length && length + next.length <= 1 << 20; next = local!.byId.get(content[end]!)) {
            length += next.length;
            end++;
          }
          const buf = new Uint8Array(length);
          const bytesRead = readFully(src, buf, here.offset);
          let at = 0;
          for (let k = i; k < end; k++) {
            const cid = content[k]!;
            const len = local!.byId.get(cid)!.length;
            const piece = buf.subarray(at, at + len);
            at += len;
            let data: Uint8Array;
            if (at <= bytesRead && idOf(piece) === cid) {
              data = piece;
              this.summary.bytesReused += len;
            } else {
              data = await this.repo.loadBlob(cid, 'data');
              this.summary.bytesFetched += data.length;
            }
            pending.push(data);
            pendingBytes += data.length;
            pos += data.length;
          }
          i = end;
        } else {
          const data = await fetch(id);
          this.summary.bytesFetched += data.length;
          pending.push(data);
          pendingBytes += data.length;
          pos += data.length;
          i++;
        }
        // Gather chunks and write in pieces of about 1 MiB: fewer, larger writes.
        if (pendingBytes >= 1 << 20) await flush();
      }
      await flush();
      if (pos !== node.size) throw new ClawbackError('INTEGRITY', `${dst}: restored ${pos} bytes, the snapshot says ${node.size}`);
      // Metadata through the open descriptor, then fsync: one durable file before the rename.
      fchmodSync(out, node.mode & 0o7777);
      if (isRoot && node.uid !== undefined) {
        try {
          fchownSync(out, node.uid, node.gid ?? 0);
        } catch {
          // not ours to give away on this filesystem: kept as written
        }
      }
      futimesSync(out, nsToDate(node.mtimeNs), nsToDate(node.mtimeNs));
      await fsyncAsync(out);
      outOpen = false;
      closeSync(out);
      if (src !== undefined) closeSync(src);
      src = undefined;
      if (st?.isDirectory()) await rm(dst, { recursive: true, force: true });
      await rename(tmp, dst);
      this.summary.filesWritten++;
      this.summary.bytesWritten += pos;
      this.opts.onProgress?.({ type: 'file', path: dst, action: 'written' });
      if (this.opts.verify) await this.verifyFile(dst, node);
    } catch (e) {
      if (outOpen) closeQuietly(out);
      if (src !== undefined) closeQuietly(src);
      await rm(tmp, { force: true });
      throw e;
    }
  }

  /** Restores mode and mtime of a file whose content was already right. */
  private async fixMeta(dst: string, node: TreeNode, st: BigIntStats): Promise<void> {
    if (Number(st.mode & 0o7777n) !== node.mode) await chmod(dst, node.mode);
    if (!mtimeMatches(st, node.mtimeNs)) await utimes(dst, nsToDate(node.mtimeNs), nsToDate(node.mtimeNs));
  }

  private async verifyFile(dst: string, node: TreeNode): Promise<void> {
    const got = await localChunks(dst, this.repo.config.chunker, this.gear, this.opts.signal);
    const want = node.content ?? [];
    if (got.ids.length !== want.length || got.ids.some((id, i) => id !== want[i])) {
      throw new ClawbackError('INTEGRITY', `${dst}: verification failed: the written file differs from the snapshot`);
    }
    this.summary.verified++;
  }

  async finishDirs(): Promise<void> {
    this.dirModes.sort((a, b) => b.path.length - a.path.length);
    for (const { path, node } of this.dirModes) {
      // Only what differs: in a rollback most directories are already as recorded.
      const st = await lstatOrNull(path);
      if (!st?.isDirectory()) continue;
      if (Number(st.mode & 0o7777n) !== node.mode) await chmod(path, node.mode);
      if (st.mtimeNs / 1000n !== BigInt(node.mtimeNs) / 1000n) await utimes(path, nsToDate(node.mtimeNs), nsToDate(node.mtimeNs)).catch(() => {});
      if (isRoot && node.uid !== undefined && (Number(st.uid) !== node.uid || Number(st.gid) !== (node.gid ?? 0))) await lchown(path, node.uid, node.gid ?? 0).catch(() => {});
    }
  }
}

/** Finds the tree for absolute snapshot path `from` (a directory), following the root's nesting. */
async function treeAt(repo: Repository, root: Id, from: string): Promise<{ tree: Id; node?: TreeNode }> {
  let tree = root;
  let node: TreeNode | undefined;
  const win = /^[A-Za-z]:[\\/]/.test(from) || from.startsWith('\\\\');
  for (const c of rootComponents(from, win ? 'win32' : 'linux')) {
    const t = await repo.loadTree(tree);
    node = t.nodes.find((n) => n.name === c.name);
    if (!node) throw new ClawbackError('NOT_FOUND', `${from} is not in the snapshot`);
    if (node.type !== 'dir') throw new ClawbackError('NOT_FOUND', `${from} is not a directory in the snapshot`);
    tree = node.subtree!;
  }
  return node ? { tree, node } : { tree };
}

/**
 * Restores snapshot `snapshotId` into `opts.target`.
 * @throws ClawbackError NOT_FOUND (snapshot or path), INTEGRITY (damaged blobs: the file is not written), ABORTED
 * @example await restore(repo, id, { target: '/tmp/restore', verify: true });
 */
export async function restore(repo: Repository, snapshotId: Id, opts: RestoreOptions): Promise<RestoreSummary> {
  return withLock(repo, false, opts, async () => {
    await repo.refreshIndex();
    return restoreLocked(repo, snapshotId, opts);
  });
}

async function restoreLocked(repo: Repository, snapshotId: Id, opts: RestoreOptions): Promise<RestoreSummary> {
  const t0 = performance.now();
  const snap = await repo.loadSnapshot(snapshotId);
  const { tree, node } = opts.from ? await treeAt(repo, snap.tree, opts.from) : { tree: snap.tree, node: undefined };
  await mkdir(opts.target, { recursive: true, mode: 0o700 });
  const target = await realpath(resolve(opts.target));
  const run = new RestoreRun(repo, new PathFilter(opts), opts);
  let known: Id | undefined;
  if (opts.localSnapshot) {
    const local = await repo.loadSnapshot((await repo.findSnapshot(opts.localSnapshot)).id);
    known = opts.from ? await treeAt(repo, local.tree, opts.from).then((t) => t.tree, () => undefined) : local.tree;
  }
  await run.restoreTree(tree, target, '', false, known);
  await run.finishDirs();
  if (node) {
    await chmod(target, node.mode);
    await utimes(target, nsToDate(node.mtimeNs), nsToDate(node.mtimeNs)).catch(() => {});
  }
  await syncDir(target);
  await syncDir(dirname(target));
  run.summary.durationMs = Math.round(performance.now() - t0);
  return run.summary;
}
