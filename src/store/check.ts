/*
 * check: verify the repository's structure (every index file hashes to its
 * name, every indexed pack exists with a matching header, every snapshot's
 * trees load and every blob they name is indexed) and, with readData, re-hash
 * every pack and every blob in it. Problems are collected and named, never
 * thrown one at a time.
 */
import { decompress } from '../core/compress.js';
import { isClawbackError, throwIfAborted } from '../core/errors.js';
import { idOf, type Id } from './ids.js';
import { packHeaderLength, parsePackHeader, PACK_TRAILER_LEN, type PackEntry } from './pack.js';
import { withLock, type LockWait } from './lock.js';
import type { Repository } from './repository.js';
import { walkTrees } from './tree-walk.js';

/** One problem found, naming the object. */
export interface CheckError {
  /** `type/name` of the damaged or missing object, e.g. `data/ab12…`, `snapshots/…`, `blob/…`. */
  object: string;
  message: string;
}

/** Options of check. */
export interface CheckOptions extends LockWait {
  /** Read and re-hash all pack data (restic check --read-data). */
  readData?: boolean;
  onProgress?: (e: { phase: 'index' | 'packs' | 'snapshots' | 'data'; done: number; total: number }) => void;
}

/** What check found. */
export interface CheckResult {
  ok: boolean;
  errors: CheckError[];
  /** Packs not referenced by any index (left by an interrupted backup; removed by prune). */
  unindexedPacks: Id[];
  snapshots: number;
  trees: number;
  packs: number;
  blobs: number;
  bytesRead: number;
}

const msg = (e: unknown) => (e instanceof Error ? e.message : String(e));

function sameEntries(a: PackEntry[], b: PackEntry[]): boolean {
  if (a.length !== b.length) return false;
  const byId = new Map(b.map((x) => [x.id, x]));
  return a.every((x) => {
    const y = byId.get(x.id);
    return y !== undefined && y.offset === x.offset && y.storedLength === x.storedLength && y.rawLength === x.rawLength && y.codec === x.codec && y.type === x.type;
  });
}

/**
 * Checks the repository.
 * @example const r = await check(repo, { readData: true }); if (!r.ok) console.log(r.errors);
 */
export async function check(repo: Repository, opts: CheckOptions = {}): Promise<CheckResult> {
  return withLock(repo, false, opts, () => checkLocked(repo, opts));
}

async function checkLocked(repo: Repository, opts: CheckOptions): Promise<CheckResult> {
  const errors: CheckError[] = [];
  const res: CheckResult = { ok: true, errors, unindexedPacks: [], snapshots: 0, trees: 0, packs: 0, blobs: 0, bytesRead: 0 };
  const { backend, index } = repo;
  // 1. Index files: reload from scratch, recording damaged ones.
  index.clear();
  await repo.loadIndex((name, e) => errors.push({ object: `index/${name}`, message: msg(e) }));
  // Entries per pack, as the index files state them.
  const byPack = new Map<Id, PackEntry[]>();
  for (const b of index.all()) {
    const l = byPack.get(b.packId) ?? [];
    l.push(b);
    byPack.set(b.packId, l);
  }
  // 2. Packs: every indexed pack exists; its header agrees with the index.
  const sizes = new Map<Id, number>();
  for await (const { name, size } of backend.list('data')) sizes.set(name, size);
  for (const name of sizes.keys()) if (!byPack.has(name)) res.unindexedPacks.push(name);
  let done = 0;
  for (const [packId, entries] of byPack) {
    throwIfAborted(opts.signal);
    opts.onProgress?.({ phase: 'packs', done: done++, total: byPack.size });
    res.packs++;
    const size = sizes.get(packId);
    if (size === undefined) {
      errors.push({ object: `data/${packId}`, message: `pack is missing (${entries.length} indexed blobs are lost)` });
      continue;
    }
    try {
      if (opts.readData) {
        const bytes = await backend.read('data', packId);
        res.bytesRead += bytes.length;
        if (idOf(bytes) !== packId) {
          errors.push({ object: `data/${packId}`, message: 'pack content does not hash to its name (damaged)' });
        }
        const hl = packHeaderLength(bytes.subarray(bytes.length - PACK_TRAILER_LEN), bytes.length);
        const header = parsePackHeader(bytes.subarray(bytes.length - PACK_TRAILER_LEN - hl, bytes.length - PACK_TRAILER_LEN), bytes.length);
        if (!sameEntries(entries, header)) errors.push({ object: `data/${packId}`, message: 'pack header disagrees with the index' });
        for (const e of entries) {
          res.blobs++;
          try {
            const raw = await decompress(e.codec, bytes.subarray(e.offset, e.offset + e.storedLength), e.rawLength);
            if (idOf(raw) !== e.id) errors.push({ object: `blob/${e.id}`, message: `blob in pack ${packId.slice(0, 12)} is damaged (content does not hash to its id)` });
          } catch (err) {
            errors.push({ object: `blob/${e.id}`, message: `blob in pack ${packId.slice(0, 12)} does not decode: ${msg(err)}` });
          }
        }
      } else {
        const trailer = await backend.read('data', packId, { offset: size - PACK_TRAILER_LEN, length: PACK_TRAILER_LEN });
        const hl = packHeaderLength(trailer, size);
        const header = parsePackHeader(await backend.read('data', packId, { offset: size - PACK_TRAILER_LEN - hl, length: hl }), size);
        if (!sameEntries(entries, header)) errors.push({ object: `data/${packId}`, message: 'pack header disagrees with the index' });
        res.blobs += entries.length;
      }
    } catch (e) {
      if (isClawbackError(e, 'ABORTED')) throw e;
      errors.push({ object: `data/${packId}`, message: `pack is damaged: ${msg(e)}` });
    }
  }
  // 3. Snapshots and trees: everything they reference is indexed.
  const snaps = await repo.snapshots((id, e) => errors.push({ object: `snapshots/${id}`, message: msg(e) }));
  res.snapshots = snaps.length;
  const roots: Id[] = [];
  for (const s of snaps) {
    if (!index.hasBlob('tree', s.snapshot.tree)) errors.push({ object: `snapshots/${s.id}`, message: `root tree ${s.snapshot.tree.slice(0, 12)} is missing` });
    else roots.push(s.snapshot.tree);
  }
  const trees = await walkTrees(
    repo,
    roots,
    (id, tree) => {
      for (const n of tree.nodes) {
        if (n.type === 'dir' && n.subtree && !index.hasBlob('tree', n.subtree)) errors.push({ object: `tree/${id}`, message: `${n.name}: subtree ${n.subtree.slice(0, 12)} is missing` });
        for (const c of n.content ?? []) if (!index.hasBlob('data', c)) errors.push({ object: `tree/${id}`, message: `${n.name}: data blob ${c.slice(0, 12)} is missing` });
      }
    },
    (id, e) => errors.push({ object: `tree/${id}`, message: `tree cannot be loaded: ${msg(e)}` }),
    { fresh: true }, // what is stored, not what this process remembers
  );
  res.trees = trees.size;
  res.ok = errors.length === 0;
  return res;
}
