/*
 * The backup walk: list each directory once, select entries (include, exclude,
 * keep), reuse the parent snapshot's content lists for unchanged files, read
 * the rest (SQLite databases together with their journals, append-only files up
 * to a line boundary) and save trees bottom-up. A problem with one entry is a
 * warning; only an unreadable entry makes the backup partial.
 */
import { lstatSync, readdirSync, readlinkSync, type BigIntStats, type Dirent } from 'node:fs';
import { join } from 'node:path';
import { keyedGear } from '../chunker/gear-table.js';
import { ClawbackError, throwIfAborted } from '../core/errors.js';
import { Limiter, settleAll } from '../core/limiter.js';
import type { PathFilter } from '../core/path-filter.js';
import type { BlobSaver } from '../store/blob-saver.js';
import type { Id } from '../store/ids.js';
import type { Repository } from '../store/repository.js';
import type { SnapshotSummary } from '../store/snapshot.js';
import { compareNames, sameNode, type TreeNode } from '../store/tree.js';
import type { BackupOptions, BackupWarning } from './backup.js';
import { readFileContent, saveBytes, type ChunkParams, type FileContent } from './file-reader.js';
import { COMPANION_SUFFIXES, isJournalName, readSqliteGroup, sqliteGroups } from './sqlite-group.js';

/** An entry as the walk meets it. */
export interface Place {
  abs: string;
  /** Relative to its source root, '/'-separated ('' for the root). */
  rel: string;
  name: string;
  /** The parent snapshot's node of the same name. */
  prev: TreeNode | undefined;
  /** Inside a directory that an include pattern matched. */
  underIncluded: boolean;
  /** Inside an excluded directory that the walk entered only for kept entries. */
  keptOnly: boolean;
  /** The name on disk is not valid UTF-8, so it cannot be opened by the name we have. */
  undecodable?: boolean;
}

function errCode(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException)?.code;
}

/** Names in `abs` that are not valid UTF-8 (they read back with U+FFFD); checked only when a listed name has one. */
function undecodableNames(abs: string, entries: readonly Dirent[]): Set<string> {
  const out = new Set<string>();
  if (!entries.some((e) => e.name.includes('\ufffd'))) return out;
  try {
    for (const raw of readdirSync(abs, { encoding: 'buffer' })) {
      const name = raw.toString('utf8');
      if (!Buffer.from(name, 'utf8').equals(raw)) out.add(name);
    }
  } catch {
    // Listed a moment ago: the entries report their own errors.
  }
  return out;
}

/** Walks and saves; one instance per backup run. */
export class BackupRun {
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
    vanished: 0,
    partial: false,
    durationMs: 0,
  };
  /** Reads repeated because a file or a SQLite group changed under the read. */
  retries = 0;
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
    // Special files are never backed up (by design, not a failure). A vanished entry was
    // deleted between the listing and its read, as running programs do: counted, not a
    // failure. Only an entry that exists and cannot be read makes the backup partial.
    if (code === 'VANISHED') {
      this.summary.skipped++;
      this.summary.vanished = (this.summary.vanished ?? 0) + 1;
    } else if (code === 'UNREADABLE') {
      this.summary.skipped++;
      this.summary.partial = true;
    }
    this.opts.onProgress?.({ type: 'warning', warning: w });
  }

  /** Warns VANISHED for ENOENT, else UNREADABLE. */
  warnError(path: string, e: unknown, what: string): void {
    this.warn(path, errCode(e) === 'ENOENT' ? 'VANISHED' : 'UNREADABLE', `${what}: ${(e as Error).message}`);
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

  /** Is a regular file at `p` taken? */
  private takesFile(p: Place): boolean {
    const selected = this.filter.kept(p.rel) || (!p.keptOnly && !this.filter.excluded(p.rel));
    return selected && (p.underIncluded || this.filter.included(p.rel));
  }

  /** Saves directory `abs` (relative path `rel` under its source root); returns its tree id, or undefined when the selection leaves it empty. */
  async saveDir(abs: string, rel: string, parentId: Id | undefined, underIncluded: boolean, keptOnly: boolean): Promise<Id | undefined> {
    throwIfAborted(this.opts.signal);
    let entries: Dirent[];
    try {
      entries = readdirSync(abs, { withFileTypes: true });
    } catch (e) {
      this.warnError(abs, e, 'cannot list directory');
      return undefined;
    }
    entries.sort((a, b) => compareNames(a.name, b.name));
    const bad = undecodableNames(abs, entries);
    const prev = await this.parentTree(parentId);
    const place = (name: string): Place => ({
      abs: join(abs, name),
      rel: rel ? `${rel}/${name}` : name,
      name,
      prev: prev.get(name),
      underIncluded,
      keptOnly,
      ...(bad.has(name) ? { undecodable: true } : {}),
    });
    // SQLite groups come from this one listing, among the regular files the selection takes.
    const groups = entries.some((e) => isJournalName(e.name))
      ? sqliteGroups(entries.filter((e) => e.isFile() && !bad.has(e.name) && this.takesFile(place(e.name))).map((e) => e.name))
      : new Map<string, string[]>();
    const grouped = new Set([...groups.values()].flat());
    // Entries that need no waiting (unchanged files, links, what is not taken) are done here
    // and now; directories, files to read and groups become tasks.
    const nodes: TreeNode[] = [];
    const tasks: Promise<TreeNode[]>[] = [];
    for (const e of entries) {
      if (grouped.has(e.name)) continue;
      const companions = groups.get(e.name);
      if (companions) tasks.push(this.saveGroup([e.name, ...companions].map(place)));
      else {
        let r: TreeNode[] | Promise<TreeNode[]>;
        try {
          r = this.entry(place(e.name));
        } catch (err) {
          r = Promise.reject(err); // settled with the others, as an async call's would be
        }
        if (Array.isArray(r)) nodes.push(...r);
        else tasks.push(r);
      }
    }
    if (tasks.length > 0) for (const n of await settleAll(tasks)) nodes.push(...n);
    nodes.sort((a, b) => compareNames(a.name, b.name));
    if (nodes.length === 0 && (keptOnly || (this.filter.active && !underIncluded && !this.filter.included(rel)))) return undefined;
    // Nothing in this directory changed: it is the parent's tree (no encoding, hashing or saving).
    if (parentId !== undefined && prev.size === nodes.length && nodes.every((n) => sameNode(n, prev.get(n.name))) && this.repo.index.hasBlob('tree', parentId)) return parentId;
    return this.repo.saveTree(this.saver, { nodes });
  }

  /** Saves one entry; returns its node (none when it is not taken, a database with its late journal: two). */
  async saveEntry(p: Place): Promise<TreeNode[]> {
    return this.entry(p);
  }

  /** saveEntry(), synchronous where nothing has to be waited for. */
  private entry(p: Place): TreeNode[] | Promise<TreeNode[]> {
    let keptOnly = false;
    if (!this.filter.kept(p.rel) && (p.keptOnly || this.filter.excluded(p.rel))) {
      if (!this.filter.mayContainKept(p.rel)) return [];
      keptOnly = true; // only a directory that may hold kept entries goes on
    }
    if (p.undecodable) {
      if (!keptOnly) this.warn(p.abs, 'UNREADABLE', 'the name is not valid UTF-8 and cannot be opened');
      return [];
    }
    let st: BigIntStats;
    try {
      // Metadata calls are synchronous: on a local disk a thread-pool round trip costs more than the call.
      st = lstatSync(p.abs, { bigint: true });
    } catch (e) {
      this.warnError(p.abs, e, 'cannot stat');
      return [];
    }
    const inc = p.underIncluded || this.filter.included(p.rel);
    if (st.isDirectory()) {
      if (!inc && !this.filter.mayContainIncluded(p.rel)) return [];
      return this.saveDir(p.abs, p.rel, p.prev?.type === 'dir' ? p.prev.subtree : undefined, inc, keptOnly).then((sub): TreeNode[] => {
        if (sub === undefined) return [];
        this.summary.dirs++;
        const { inode: _i, ctimeNs: _c, ...m } = this.meta(p.name, st);
        return [{ ...m, type: 'dir', subtree: sub }];
      });
    }
    if (keptOnly || !inc) return [];
    if (st.isSymbolicLink()) {
      try {
        const target = readlinkSync(p.abs);
        const { inode: _i, ctimeNs: _c, ...m } = this.meta(p.name, st);
        return [{ ...m, type: 'symlink', target }];
      } catch (e) {
        this.warnError(p.abs, e, 'cannot read link');
        return [];
      }
    }
    if (!st.isFile()) {
      this.warn(p.abs, 'SPECIAL_FILE', `skipped ${st.isFIFO() ? 'FIFO' : st.isSocket() ? 'socket' : 'device'}`);
      return [];
    }
    return this.saveFile(p, st);
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

  /** Counts a file that reuses the parent's content list and returns its node. */
  private reused(p: Place, st: BigIntStats, prev: TreeNode & { content: Id[] }): TreeNode {
    const s = this.summary;
    if (this.opts.isSecret?.(p.abs)) s.secrets = (s.secrets ?? 0) + 1;
    s.filesUnchanged++;
    s.totalFiles++;
    s.totalBytes += prev.size ?? 0;
    return { ...this.meta(p.name, st), size: prev.size!, content: prev.content };
  }

  /** Counts a file that was read (`bytesRead` over all its reads) and returns its node. */
  private stored(p: Place, r: FileContent, bytesRead: number): TreeNode {
    const s = this.summary;
    if (this.opts.isSecret?.(p.abs)) s.secrets = (s.secrets ?? 0) + 1;
    const changed = p.prev?.type === 'file';
    if (changed) s.filesChanged++;
    else s.filesNew++;
    s.totalFiles++;
    s.totalBytes += r.size;
    s.bytesRead += bytesRead;
    s.bytesAdded += r.bytesAdded;
    s.bytesStored += r.bytesStored;
    this.opts.onProgress?.({ type: 'file', path: p.abs, action: changed ? 'changed' : 'new', filesDone: s.totalFiles, bytesDone: s.bytesRead });
    return { ...this.meta(p.name, r.stat), size: r.size, content: r.content };
  }

  /** Saves a regular file: the parent's node when unchanged (synchronously), else read. */
  saveFile(p: Place, st: BigIntStats): TreeNode[] | Promise<TreeNode[]> {
    if (this.unchanged(p.prev, st)) return [this.reused(p, st, p.prev)];
    return this.readFile(p, st);
  }

  private async readFile(p: Place, st: BigIntStats): Promise<TreeNode[]> {
    const done = await this.limiter.run(async (): Promise<{ nodes: TreeNode[] } | { late: Place[] }> => {
      throwIfAborted(this.opts.signal);
      let r: FileContent;
      try {
        const appendOnly = this.opts.appendOnly?.(p.abs) ?? false;
        r = await readFileContent(p.abs, st, this.saver, this.chunk, { appendOnly, ...(this.opts.signal ? { signal: this.opts.signal } : {}) });
      } catch (e) {
        if (e instanceof ClawbackError) throw e;
        if (errCode(e) !== 'ELOOP') this.warnError(p.abs, e, 'cannot read'); // ELOOP: replaced by a symlink since the walk; the next backup stores the link
        return { nodes: [] };
      }
      // A journal that appeared after the listing (a transaction began, or a first connection
      // opened the WAL): this read may hold uncommitted pages, so the group is read instead.
      const late = this.lateCompanions(p, r);
      if (late.length > 0) return { late };
      this.retries += r.attempts - 1;
      if (r.unstable) this.warn(p.abs, 'CHANGED_DURING_READ', 'the file kept changing while it was read; stored one read of it');
      return { nodes: [this.stored(p, r, r.bytesRead)] };
    });
    return 'late' in done ? this.saveGroup([p, ...done.late]) : done.nodes;
  }

  /** Companion journal files of `p` that exist now but were not in its directory's listing; only for sizes a database can have. */
  private lateCompanions(p: Place, r: FileContent): Place[] {
    if (p.rel === '' || r.size === 0 || r.size % 512 !== 0) return [];
    const out: Place[] = [];
    for (const suffix of COMPANION_SUFFIXES) {
      const c: Place = { ...p, abs: p.abs + suffix, rel: p.rel + suffix, name: p.name + suffix, prev: undefined };
      if (lstatSync(c.abs, { throwIfNoEntry: false })?.isFile() && this.takesFile(c)) out.push(c);
    }
    return out;
  }

  /** Saves a SQLite database with its journal file(s), read in one stable window; `members[0]` is the database. */
  async saveGroup(members: Place[]): Promise<TreeNode[]> {
    const g = await this.limiter.run(() =>
      readSqliteGroup(members, {
        save: (data, st) => saveBytes(data, st, this.saver, this.chunk),
        read: (abs, st) => readFileContent(abs, st, this.saver, this.chunk, { retries: 0, ...(this.opts.signal ? { signal: this.opts.signal } : {}) }),
        reusable: (prev, st) => this.unchanged(prev, st),
        ...(this.opts.signal ? { signal: this.opts.signal } : {}),
      }),
    );
    this.retries += g.attempts - 1;
    if (!g.stable) this.warn(members[0]!.abs, 'CHANGED_DURING_READ', `the database and its journal kept changing over ${g.attempts} reads; stored the last one`);
    const nodes: TreeNode[] = [];
    const others: Place[] = [];
    let extra = g.bytesRead; // bytes of every attempt, counted once
    for (const p of members) {
      const o = g.outcomes.get(p.name);
      if (o?.state === 'reused' && this.unchanged(p.prev, o.stat)) nodes.push(this.reused(p, o.stat, p.prev));
      else if (o?.state === 'read') {
        nodes.push(this.stored(p, o.content, extra));
        extra = 0;
      } else if (o?.state === 'gone') this.warnError(p.abs, o.error, 'cannot read');
      else others.push(p); // no longer a regular file: walked as what it is now
    }
    this.summary.bytesRead += extra;
    for (const n of await settleAll(others.map((p) => this.saveEntry(p)))) nodes.push(...n);
    return nodes;
  }
}
