/*
 * The repository: config, index, blobs, trees and snapshots over a Backend.
 * Reads verify every object against its id; writes follow the order packs,
 * index, snapshot (docs/design.md "Write ordering").
 */
import { hostname } from 'node:os';
import { decompress } from '../core/compress.js';
import { ClawbackError } from '../core/errors.js';
import { CONFIG_NAME, deleteIfExists, type Backend } from './backend.js';
import { BlobSaver, type BlobSaverOptions } from './blob-saver.js';
import { idOf, isId, verifyId, type Id } from './ids.js';
import { encodeIndex, INDEX_RECORD_LENGTH, scanIndex } from './index-file.js';
import { MasterIndex, type BlobLocation } from './master-index.js';
import type { BlobType } from './pack.js';
import { decodeRepoConfig, encodeRepoConfig, newRepoConfig, type RepoConfig, type RepoConfigOptions } from './repo-config.js';
import { decodeSnapshot, encodeSnapshot, type Snapshot } from './snapshot.js';
import { compareNames, decodeTree, encodeTree, type Tree } from './tree.js';

/** Decoded trees kept (a scale-1 OpenClaw home has about 800 directories). */
const TREE_CACHE = 8192;
/** Bytes read at once from a data pack, and how many such windows are kept (one per file restored at once, and some). */
const READ_AHEAD = 2 * 1024 * 1024;
/** The first read-ahead window in a pack (and after a jump); doubled up to READ_AHEAD while reads run in order. */
const READ_AHEAD_START = 128 * 1024;
const READ_AHEAD_WINDOWS = 8;
/** loadBlobs(): blobs of one pack at most this far apart are read together, up to FETCH_MAX bytes a read. */
const FETCH_GAP = 64 * 1024;
const FETCH_MAX = 4 * 1024 * 1024;

/** Bytes of whole tree packs kept in memory. */
const TREE_PACK_CACHE = 64 * 1024 * 1024;

/** A snapshot with its id. */
export interface SnapshotRecord {
  id: Id;
  snapshot: Snapshot;
}

/** An open repository. */
export class Repository {
  readonly index = new MasterIndex();
  private indexLoaded = false;

  private constructor(
    readonly backend: Backend,
    readonly config: RepoConfig,
  ) {}

  /**
   * Creates a repository in an empty backend.
   * @throws ClawbackError EXISTS when the backend already holds a config
   */
  static async init(backend: Backend, opts: RepoConfigOptions = {}): Promise<Repository> {
    const config = newRepoConfig(opts);
    await backend.write('config', CONFIG_NAME, encodeRepoConfig(config));
    return new Repository(backend, config);
  }

  /**
   * Opens an existing repository and loads its index.
   * @throws ClawbackError NOT_FOUND when there is no repository, CORRUPT/UNSUPPORTED for a bad config
   */
  static async open(backend: Backend): Promise<Repository> {
    const config = decodeRepoConfig(await backend.read('config', CONFIG_NAME));
    const repo = new Repository(backend, config);
    await repo.loadIndex();
    return repo;
  }

  /** Index files whose contents are in the master index. */
  private readonly loadedIndexFiles = new Set<Id>();

  private async readIndexFile(name: Id): Promise<void> {
    const bytes = await this.backend.read('index', name);
    verifyId(name, bytes, 'index file');
    // Validate the whole file first, so a damaged one adds nothing.
    const packs: [Id, number, number][] = [];
    scanIndex(bytes, (packId, at, count) => packs.push([packId, at, count]));
    for (const [packId, at, count] of packs) this.index.addPackRecords(packId, bytes, at, count, INDEX_RECORD_LENGTH);
    this.loadedIndexFiles.add(name);
  }

  /** (Re)reads every index file into the master index. Damaged index files are reported through onError and skipped. */
  async loadIndex(onError?: (name: string, e: unknown) => void): Promise<void> {
    this.index.clear();
    this.loadedIndexFiles.clear();
    for await (const { name } of this.backend.list('index')) {
      try {
        await this.readIndexFile(name);
      } catch (e) {
        if (!onError) throw e;
        onError(name, e);
      }
    }
    this.indexLoaded = true;
  }

  /**
   * Brings the master index up to date with the backend after taking a lock:
   * reads index files written since (by this or another process); reloads
   * everything when one was removed (a prune ran), so no blob that is gone
   * still looks present.
   */
  async refreshIndex(): Promise<void> {
    const names = new Set<Id>();
    for await (const { name } of this.backend.list('index')) names.add(name);
    for (const n of this.loadedIndexFiles) {
      if (!names.has(n)) return this.loadIndex();
    }
    for (const n of names) if (!this.loadedIndexFiles.has(n)) await this.readIndexFile(n);
  }

  /**
   * Replaces the small per-pack index files a saver wrote with one index file
   * for all its packs: written first, then the small ones deleted, so a crash
   * between leaves duplicates, never a gap. Keeps opening a repository cheap.
   */
  async consolidateIndex(saver: BlobSaver): Promise<void> {
    if (saver.indexFiles.length < 2) return;
    const bytes = encodeIndex(saver.packsWritten);
    const id = idOf(bytes);
    await this.backend.write('index', id, bytes);
    this.loadedIndexFiles.add(id);
    for (const old of saver.indexFiles) {
      if (old === id) continue;
      await deleteIfExists(this.backend, 'index', old);
      this.loadedIndexFiles.delete(old);
    }
  }

  /** A saver for new blobs with this repository's pack size and compression. */
  blobSaver(opts: Partial<BlobSaverOptions> = {}): BlobSaver {
    return new BlobSaver(this.backend, this.index, {
      packSize: this.config.packSize,
      compressionLevel: this.config.compression.level,
      ...opts,
    });
  }

  /**
   * Reads, decompresses and verifies one blob.
   * @throws ClawbackError NOT_FOUND (not in the index), INTEGRITY (content does not match its id), CORRUPT
   */
  async loadBlob(id: Id, type?: BlobType): Promise<Uint8Array> {
    const loc = this.locate(id, type);
    const stored = loc.type === 'tree' ? (await this.treePack(loc.packId)).subarray(loc.offset, loc.offset + loc.storedLength) : await this.readAhead(loc.packId, loc.offset, loc.storedLength);
    return this.decodeBlob(loc, stored);
  }

  /**
   * Reads, decompresses and verifies several data blobs with as few backend reads as their
   * places allow: the blobs of one pack are read in offset order, neighbours (gaps up to
   * 64 KiB) in one read of at most 4 MiB. For a caller that knows what it needs (a restore
   * fetching the chunks a file lacks), instead of one read-ahead guess per blob.
   * @throws ClawbackError NOT_FOUND (not in the index), INTEGRITY, CORRUPT, as loadBlob
   * @example const blobs = await repo.loadBlobs(missing); for (const id of content) out.push(blobs.get(id)!);
   */
  async loadBlobs(ids: readonly Id[]): Promise<Map<Id, Uint8Array>> {
    const byPack = new Map<Id, BlobLocation[]>();
    for (const id of new Set(ids)) {
      const loc = this.locate(id, 'data');
      let list = byPack.get(loc.packId);
      if (!list) byPack.set(loc.packId, (list = []));
      list.push(loc);
    }
    const out = new Map<Id, Uint8Array>();
    for (const [packId, locs] of byPack) {
      locs.sort((a, b) => a.offset - b.offset);
      for (let i = 0; i < locs.length; ) {
        const start = locs[i]!.offset;
        let end = start + locs[i]!.storedLength;
        let j = i + 1;
        while (j < locs.length && locs[j]!.offset - end <= FETCH_GAP && locs[j]!.offset + locs[j]!.storedLength - start <= FETCH_MAX) {
          end = Math.max(end, locs[j]!.offset + locs[j]!.storedLength);
          j++;
        }
        const bytes = await this.backend.read('data', packId, { offset: start, length: end - start });
        for (const loc of locs.slice(i, j)) out.set(loc.id, await this.decodeBlob(loc, bytes.subarray(loc.offset - start, loc.offset - start + loc.storedLength)));
        i = j;
      }
    }
    return out;
  }

  /**
   * Where blob `id` of `type` is (any type when none is asked for).
   * @throws ClawbackError NOT_FOUND (no blob with that id), CORRUPT (only one of the other type)
   */
  private locate(id: Id, type: BlobType | undefined): BlobLocation {
    const loc = this.index.get(id, type) ?? this.index.get(id);
    if (!loc) throw new ClawbackError('NOT_FOUND', `blob ${id.slice(0, 12)} is not in the index`);
    if (type && loc.type !== type) throw new ClawbackError('CORRUPT', `blob ${id.slice(0, 12)} is a ${loc.type} blob, expected ${type}`);
    return loc;
  }

  /** Decompresses and verifies one stored blob read from its pack. */
  private async decodeBlob(loc: BlobLocation, stored: Uint8Array): Promise<Uint8Array> {
    let raw: Uint8Array;
    try {
      raw = await decompress(loc.codec, stored, loc.rawLength);
    } catch (e) {
      throw new ClawbackError('INTEGRITY', `blob ${loc.id.slice(0, 12)} in pack ${loc.packId.slice(0, 12)} is damaged: ${(e as Error).message}`);
    }
    verifyId(loc.id, raw, `blob in pack ${loc.packId.slice(0, 12)}:`);
    return raw;
  }

  /** Whole packs holding trees, most recently used last; bounded by TREE_PACK_CACHE bytes. */
  private readonly treePacks = new Map<Id, Uint8Array>();
  private treePackBytes = 0;
  /** Tree packs being read: concurrent loads of trees in one pack share one read. */
  private readonly treePacksLoading = new Map<Id, Promise<Uint8Array>>();

  /** A pack holding tree blobs, read whole once and kept: a walk loads many trees from few packs. */
  private async treePack(packId: Id): Promise<Uint8Array> {
    const hit = this.treePacks.get(packId);
    if (hit) {
      this.treePacks.delete(packId);
      this.treePacks.set(packId, hit);
      return hit;
    }
    const loading = this.treePacksLoading.get(packId);
    if (loading) return loading;
    const read = this.backend.read('data', packId).finally(() => this.treePacksLoading.delete(packId));
    this.treePacksLoading.set(packId, read);
    const bytes = await read;
    if (this.treePacks.has(packId)) return bytes;
    this.treePacks.set(packId, bytes);
    this.treePackBytes += bytes.length;
    for (const [id, b] of this.treePacks) {
      if (this.treePackBytes <= TREE_PACK_CACHE || id === packId) break;
      this.treePacks.delete(id);
      this.treePackBytes -= b.length;
    }
    return bytes;
  }

  /** Recently read stretches of data packs, most recent last. */
  private readonly windows: { packId: Id; start: number; bytes: Uint8Array }[] = [];

  /**
   * Reads `length` bytes at `offset` of a data pack through a read-ahead window:
   * blobs are stored in file order, so a restore reading one file's chunks finds
   * the next ones already in memory instead of paying a backend read each.
   */
  private async readAhead(packId: Id, offset: number, length: number): Promise<Uint8Array> {
    for (const w of this.windows) {
      if (w.packId === packId && offset >= w.start && offset + length <= w.start + w.bytes.length) return w.bytes.subarray(offset - w.start, offset - w.start + length);
    }
    // Adaptive: a read that continues where a window of this pack ended doubles the
    // window (a restore going through a pack in order); any other starts small, so
    // scattered blobs (a rollback fetching a few changed chunks) do not drag in 2 MiB each.
    let ahead = READ_AHEAD_START;
    for (const w of this.windows) {
      const wEnd = w.start + w.bytes.length;
      if (w.packId === packId && offset >= wEnd && offset <= wEnd + READ_AHEAD_START) ahead = Math.min(READ_AHEAD, w.bytes.length * 2);
    }
    const end = Math.max(offset + length, Math.min(this.index.packDataEnd(packId), offset + ahead));
    const bytes = await this.backend.read('data', packId, { offset, length: end - offset });
    this.windows.push({ packId, start: offset, bytes });
    if (this.windows.length > READ_AHEAD_WINDOWS) this.windows.shift();
    return bytes.subarray(0, length);
  }

  /** Loads and validates a tree blob (a decoded copy kept from an earlier load or save, unless `fresh`). */
  async loadTree(id: Id, opts: { fresh?: boolean } = {}): Promise<Tree> {
    const hit = opts.fresh ? undefined : this.trees.get(id);
    if (hit) return hit;
    const tree = decodeTree(await this.loadBlob(id, 'tree'));
    this.cacheTree(id, tree);
    return tree;
  }

  /** Saves a tree blob through `saver`; returns its id. */
  async saveTree(saver: BlobSaver, tree: Tree): Promise<Id> {
    const bytes = encodeTree(tree);
    const id = (await saver.save('tree', bytes, idOf(bytes), true)).id;
    // Cached as loadTree would return it: nodes in name order.
    this.cacheTree(id, { nodes: [...tree.nodes].sort((a, b) => compareNames(a.name, b.name)) });
    return id;
  }

  /**
   * Decoded trees by id (content-addressed, so never stale), most recent last: a
   * rollback's restore reads the trees its safety backup has just read or written.
   * Callers treat loaded trees as read-only.
   */
  private readonly trees = new Map<Id, Tree>();

  private cacheTree(id: Id, tree: Tree): void {
    this.trees.delete(id);
    this.trees.set(id, tree);
    if (this.trees.size > TREE_CACHE) this.trees.delete(this.trees.keys().next().value!);
  }

  /** Writes a snapshot object; call only after the saver of its blobs has flushed. */
  async saveSnapshot(s: Snapshot): Promise<Id> {
    const bytes = encodeSnapshot(s);
    const id = idOf(bytes);
    await this.backend.write('snapshots', id, bytes);
    return id;
  }

  /** Loads and verifies one snapshot. */
  async loadSnapshot(id: Id): Promise<Snapshot> {
    const bytes = await this.backend.read('snapshots', id);
    verifyId(id, bytes, 'snapshot');
    return decodeSnapshot(bytes);
  }

  /** Every snapshot, oldest first (ties by id). Damaged ones go to onError and are left out. */
  async snapshots(onError?: (id: Id, e: unknown) => void): Promise<SnapshotRecord[]> {
    const out: SnapshotRecord[] = [];
    for await (const { name } of this.backend.list('snapshots')) {
      try {
        out.push({ id: name, snapshot: await this.loadSnapshot(name) });
      } catch (e) {
        if (!onError) throw e;
        onError(name, e);
      }
    }
    out.sort((a, b) => Date.parse(a.snapshot.time) - Date.parse(b.snapshot.time) || (a.id < b.id ? -1 : 1));
    return out;
  }

  /**
   * Resolves `latest`, a full id or a unique id prefix (at least 4 hex digits) to a snapshot.
   * @throws ClawbackError NOT_FOUND (no match, or ambiguous prefix — the message says which)
   */
  async findSnapshot(ref: string, filter?: { host?: string; paths?: string[] }): Promise<SnapshotRecord> {
    const all = (await this.snapshots()).filter(
      (r) => (!filter?.host || r.snapshot.host === filter.host) && (!filter?.paths || sameSet(r.snapshot.paths, filter.paths)),
    );
    if (ref === 'latest') {
      const last = all[all.length - 1];
      if (!last) throw new ClawbackError('NOT_FOUND', 'the repository has no snapshots');
      return last;
    }
    if (!/^[0-9a-f]{4,64}$/.test(ref)) throw new ClawbackError('NOT_FOUND', `${JSON.stringify(ref)} is not a snapshot id, id prefix or "latest"`);
    const hits = all.filter((r) => r.id.startsWith(ref));
    if (hits.length === 1) return hits[0]!;
    if (hits.length === 0) throw new ClawbackError('NOT_FOUND', `no snapshot matches ${ref}`);
    throw new ClawbackError('NOT_FOUND', `snapshot prefix ${ref} is ambiguous: ${hits.map((h) => h.id.slice(0, 12)).join(', ')}`);
  }

  /** Default host name recorded in snapshots. */
  static hostname(): string {
    return hostname();
  }

  /** True once the index has been read. */
  get ready(): boolean {
    return this.indexLoaded;
  }

  /** Is `id` a well-formed id? (re-exported for callers holding user input) */
  static isId(id: string): boolean {
    return isId(id);
  }
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const s = new Set(a);
  return b.every((x) => s.has(x));
}
