/*
 * SQLite databases read together with their journal. A regular file X whose
 * directory listing also holds X-wal or X-journal is read with it in one stable
 * window: stat every member, read them whole, stat them all again, and retry
 * with backoff while anything changed, so the stored files are one instant of
 * the database, which SQLite opens as it would after a crash at that instant.
 */
import { lstatSync, type BigIntStats } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { ClawbackError, throwIfAborted } from '../core/errors.js';
import type { TreeNode } from '../store/tree.js';
import { readWholeSync, sameVersion, type FileContent } from './file-reader.js';
import { releaseReadBuffer } from './read-buffers.js';

/*
 * Why a stable window is enough. In WAL mode SQLite changes the database file only in a
 * checkpoint (copying committed pages from the WAL) and the WAL only by appending frames, by a
 * restart that overwrites it from the start, or by truncation. Every one of these writes moves
 * the size or the mtime and ctime of the file it touches. In rollback-journal mode a writer
 * creates or fills X-journal before it touches X, and a commit deletes, truncates or zeroes the
 * journal: again visible in the members' stats (a deleted member fails the second stat). So when
 * every member's size, mtime, ctime and inode are equal before and after the reads, no byte of
 * the group changed in between, and the bytes read are the page-cache state at one instant:
 * exactly what a crash at that instant would leave. SQLite recovers from that by design: it
 * replays committed WAL frames and ignores a torn tail (frame checksums and salts), or rolls a
 * hot journal back. A restored group therefore opens to its last committed transaction.
 *
 * The caveat is timestamp granularity. Linux stamps files from a clock that advances once per
 * scheduler tick (1-10 ms), some filesystems keep whole seconds (FAT keeps two), and a second
 * write in the same tick as the first leaves mtime and ctime unchanged; if it also keeps the
 * size (a checkpoint rewriting pages in place, a WAL overwritten after a restart), the stats
 * cannot show it. So a window also counts as unstable while a member was modified less than
 * RACY_NS (or, for whole-second timestamps, RACY_COARSE_NS) before the first stat, as git
 * treats "racily clean" index entries: the retry waits until a later write must show.
 */

/** Journal files that belong to the database whose name they extend. */
export const COMPANION_SUFFIXES: readonly string[] = ['-journal', '-wal'];

/** A window is unstable while a member's mtime or ctime is this close to its start (timestamps finer than a second). */
export const RACY_NS = 30_000_000n;
/** The same for whole-second timestamps (FAT keeps two seconds). */
export const RACY_COARSE_NS = 2_100_000_000n;

/** True when `name` has a journal file's suffix (most directories have none: their listing needs no grouping). */
export function isJournalName(name: string): boolean {
  return COMPANION_SUFFIXES.some((s) => name.endsWith(s));
}

/**
 * Finds the SQLite groups in one directory listing: each database name (a name for which
 * `name-wal` or `name-journal` is also listed) with its companions. A name that is itself the
 * companion of a listed name is never a database.
 * @example sqliteGroups(['a.sqlite', 'a.sqlite-shm', 'a.sqlite-wal']) // Map { 'a.sqlite' => ['a.sqlite-wal'] }
 */
export function sqliteGroups(files: readonly string[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  if (!files.some(isJournalName)) return groups;
  const set = new Set(files);
  const isCompanion = (n: string) => COMPANION_SUFFIXES.some((s) => n.endsWith(s) && set.has(n.slice(0, -s.length)));
  for (const name of files) {
    if (isCompanion(name)) continue;
    const companions = COMPANION_SUFFIXES.map((s) => name + s).filter((n) => set.has(n));
    if (companions.length > 0) groups.set(name, companions);
  }
  return groups;
}

/** One file of a group. */
export interface GroupMember {
  name: string;
  abs: string;
  /** The parent snapshot's node for it, if any. */
  prev: TreeNode | undefined;
}

/** What became of one member. `gone` carries the error of a member that vanished or could not be read. */
export type MemberOutcome =
  | { state: 'reused'; stat: BigIntStats }
  | { state: 'read'; stat: BigIntStats; content: FileContent }
  | { state: 'gone'; error: NodeJS.ErrnoException }
  | { state: 'not-file' };

/** Result of {@link readSqliteGroup}. */
export interface GroupRead {
  /** By member name. */
  outcomes: Map<string, MemberOutcome>;
  attempts: number;
  /** False when the group still changed (or was too recently written to tell) on the last attempt: the outcomes are its read. */
  stable: boolean;
  /** Bytes read over all attempts. */
  bytesRead: number;
}

/** How the group reader stores and reuses files (the backup's saver and parent snapshot). */
export interface GroupIo {
  /** Chunks and saves the bytes a stable window read; `stat` is the stat after the read. */
  save(data: Uint8Array, stat: BigIntStats): Promise<FileContent>;
  /** Reads a member straight into the repository, once (no retries of its own); used when the group is over `memoryLimit`. */
  read(abs: string, stat: BigIntStats): Promise<FileContent>;
  /** True when the parent snapshot's node can stand for a file with this stat. */
  reusable(prev: TreeNode | undefined, stat: BigIntStats): boolean;
  signal?: AbortSignal;
  /** Windows tried before giving up (default 5). */
  attempts?: number;
  /** Wait before the second window; doubles for each later one (default 20 ms). */
  delayMs?: number;
  /** Bytes a window may hold in memory (default 64 MiB). A larger group is chunked and saved inside its window, which is then longer. */
  memoryLimit?: number;
  /** The clock, in ns since the epoch (tests). */
  nowNs?: () => bigint;
  /** Test hook: called after each member is read in a window. */
  onRead?: (name: string) => void;
}

const wallNs = (): bigint => BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));

/** How much longer `st` stays racy at time `t0`, in ns (0 when it is not). */
function racyFor(st: BigIntStats, t0: bigint): bigint {
  const coarse = st.mtimeNs % 1_000_000_000n === 0n && st.ctimeNs % 1_000_000_000n === 0n;
  const last = st.mtimeNs > st.ctimeNs ? st.mtimeNs : st.ctimeNs;
  const left = last + (coarse ? RACY_COARSE_NS : RACY_NS) - t0;
  return left > 0n ? left : 0n;
}

function lstatOf(abs: string): BigIntStats | NodeJS.ErrnoException {
  try {
    return lstatSync(abs, { bigint: true });
  } catch (e) {
    return e as NodeJS.ErrnoException;
  }
}

/** A member's read in one window: its bytes (to be saved once the window is stable), or content already saved. */
type Read = { after: BigIntStats; data: Uint8Array; content?: undefined } | { after: BigIntStats; data?: undefined; content: FileContent };

/**
 * Reads a database and its journal files in one stable window, retrying with exponential
 * backoff while any member changes. The window is synchronous: stats, whole-file reads into
 * memory, stats again, with nothing else of this process running in between, so it lasts as
 * long as the reads and no longer; chunking and saving come after it. A member that is
 * reusable from the parent snapshot, or unchanged since an earlier window read it, is only
 * stat'ed: equal stats at both reads mean it did not change in between. A member that vanishes
 * or cannot be read drops out of the group (the others are read again); one that is no longer
 * a regular file comes back as `not-file` for the walk to handle. After the last attempt the
 * last read is returned with `stable: false`.
 * @throws ClawbackError ABORTED and backend errors from `io.save` / `io.read`
 * @example const g = await readSqliteGroup([{ name: 'db', abs: '/s/db', prev }, { name: 'db-wal', abs: '/s/db-wal', prev: walPrev }], io);
 */
export async function readSqliteGroup(members: readonly GroupMember[], io: GroupIo): Promise<GroupRead> {
  const maxAttempts = io.attempts ?? 5;
  const delay = io.delayMs ?? 20;
  const memoryLimit = io.memoryLimit ?? 64 * 1024 * 1024;
  const now = io.nowNs ?? wallNs;
  const outcomes = new Map<string, MemberOutcome>();
  /** Consistent reads of earlier windows, by member, with the stat they were read at. */
  const earlier = new Map<string, { stat: BigIntStats; read: Read }>();
  let live = [...members];
  let bytesRead = 0;
  /** Pooled read buffers, given back once their bytes are saved (or the group gives up). */
  const buffers: Uint8Array[] = [];
  try {
    for (let attempt = 1; ; attempt++) {
      throwIfAborted(io.signal);
      const t0 = now();
      const before = new Map<string, BigIntStats>();
      for (const m of live) {
        const st = lstatOf(m.abs);
        if (st instanceof Error) outcomes.set(m.name, { state: 'gone', error: st });
        else if (!st.isFile()) outcomes.set(m.name, { state: 'not-file' });
        else before.set(m.name, st);
      }
      live = live.filter((m) => before.has(m.name));
      const fresh = (m: GroupMember) => !io.reusable(m.prev, before.get(m.name)!) && !(earlier.has(m.name) && sameVersion(earlier.get(m.name)!.stat, before.get(m.name)!));
      const inMemory = live.filter(fresh).reduce((n, m) => n + Number(before.get(m.name)!.size), 0) <= memoryLimit;
      let changed = false;
      const reads = new Map<string, Read>();
      for (const m of live) {
        const st = before.get(m.name)!;
        if (io.reusable(m.prev, st)) {
          outcomes.set(m.name, { state: 'reused', stat: st });
          continue;
        }
        // Unchanged since an earlier window read it (a database between checkpoints): that read stands.
        const e = earlier.get(m.name);
        if (e && sameVersion(e.stat, st)) {
          reads.set(m.name, e.read);
          continue;
        }
        try {
          let r: Read;
          let ok: boolean;
          if (inMemory) {
            const { data, after } = readWholeSync(m.abs, Number(st.size), undefined, true);
            buffers.push(data);
            r = { data, after };
            ok = sameVersion(st, after) && data.length === Number(st.size);
          } else {
            const content = await io.read(m.abs, st);
            r = { content, after: content.stat };
            ok = !content.unstable;
          }
          bytesRead += r.data?.length ?? r.content?.bytesRead ?? 0;
          io.onRead?.(m.name);
          if (ok) earlier.set(m.name, { stat: st, read: r });
          else changed = true;
          reads.set(m.name, r);
        } catch (e) {
          if (e instanceof ClawbackError) throw e;
          const err = e as NodeJS.ErrnoException;
          // Replaced by a symlink since the listing (O_NOFOLLOW): the walk stores the link.
          outcomes.set(m.name, err.code === 'ELOOP' ? { state: 'not-file' } : { state: 'gone', error: err });
          changed = true; // the others may have changed with it (a WAL is deleted after a checkpoint)
        }
      }
      live = live.filter((m) => reads.has(m.name) || outcomes.get(m.name)?.state === 'reused');
      let racy = 0n;
      for (const m of live) {
        const b = before.get(m.name)!;
        const a = lstatOf(m.abs);
        if (a instanceof Error || !sameVersion(b, a)) changed = true;
        const r = racyFor(b, t0);
        if (r > racy) racy = r;
      }
      const stable = !changed && racy === 0n;
      if (stable || attempt >= maxAttempts) {
        for (const [name, r] of reads) {
          const content = r.content ?? (await io.save(r.data, r.after));
          outcomes.set(name, { state: 'read', stat: r.after, content });
        }
        return { outcomes, attempts: attempt, stable, bytesRead };
      }
      let wait = delay * 2 ** (attempt - 1);
      if (!changed) wait = Math.max(wait, Math.ceil(Number(racy) / 1e6) + 1);
      await sleep(wait, undefined, io.signal ? { signal: io.signal } : {}).catch(() => {});
    }
  } finally {
    for (const b of buffers) releaseReadBuffer(b);
  }
}
