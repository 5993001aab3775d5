/*
 * prune: delete data no snapshot references. Packs with no used blob are
 * deleted; packs whose unused share exceeds maxUnused are repacked (their used
 * blobs copied into new packs). Order, so a crash at any point loses nothing:
 * new packs, then one new index for every kept pack, then the old index files,
 * then the old packs. Memory: the set of used blob ids (bounded by the index).
 * The caller holds the exclusive lock.
 */
import { ClawbackError, throwIfAborted } from '../core/errors.js';
import { deleteIfExists } from './backend.js';
import { idOf, verifyId, type Id } from './ids.js';
import { encodeIndex, type IndexedPack } from './index-file.js';
import { PackBuilder, type PackEntry } from './pack.js';
import { withLock, type LockWait } from './lock.js';
import type { Repository } from './repository.js';
import { walkTrees } from './tree-walk.js';

/** Options of prune. */
export interface PruneOptions extends LockWait {
  /** Repack a pack when more than this fraction of its bytes is unused (default 0.2). */
  maxUnused?: number;
  /** Report what would happen, change nothing. */
  dryRun?: boolean;
  signal?: AbortSignal;
}

/** What prune did (or would do). */
export interface PruneResult {
  packsDeleted: number;
  packsRepacked: number;
  packsKept: number;
  blobsRemoved: number;
  bytesFreed: number;
  indexFilesReplaced: number;
  dryRun: boolean;
}

/**
 * Removes unreferenced data.
 * @throws ClawbackError CORRUPT when a snapshot's tree cannot be read (pruning then could delete needed data, so nothing is deleted)
 */
export async function prune(repo: Repository, opts: PruneOptions = {}): Promise<PruneResult> {
  return withLock(repo, true, opts, async () => {
    await repo.refreshIndex();
    return pruneLocked(repo, opts);
  });
}

async function pruneLocked(repo: Repository, opts: PruneOptions): Promise<PruneResult> {
  const maxUnused = opts.maxUnused ?? 0.2;
  const { backend, index } = repo;
  const used = new Set<Id>();
  const snaps = await repo.snapshots();
  const broken: string[] = [];
  await walkTrees(
    repo,
    snaps.map((s) => s.snapshot.tree),
    (id, tree) => {
      used.add(id);
      for (const n of tree.nodes) for (const c of n.content ?? []) used.add(c);
    },
    (id, e) => broken.push(`${id.slice(0, 12)}: ${(e as Error).message}`),
  );
  if (broken.length > 0) throw new ClawbackError('CORRUPT', `prune refused: ${broken.length} trees cannot be read (${broken[0]}); run check`);
  // Group indexed blobs by pack.
  const byPack = new Map<Id, PackEntry[]>();
  for (const b of index.all()) {
    const l = byPack.get(b.packId) ?? [];
    l.push(b);
    byPack.set(b.packId, l);
  }
  const res: PruneResult = { packsDeleted: 0, packsRepacked: 0, packsKept: 0, blobsRemoved: 0, bytesFreed: 0, indexFilesReplaced: 0, dryRun: opts.dryRun ?? false };
  const keep: IndexedPack[] = [];
  const drop: Id[] = [];
  const repack: { packId: Id; entries: PackEntry[] }[] = [];
  for (const [packId, entries] of byPack) {
    const total = entries.reduce((a, e) => a + e.storedLength, 0);
    const usedBytes = entries.filter((e) => used.has(e.id)).reduce((a, e) => a + e.storedLength, 0);
    if (usedBytes === 0) {
      drop.push(packId);
      res.packsDeleted++;
      res.blobsRemoved += entries.length;
      res.bytesFreed += total;
    } else if (total - usedBytes > maxUnused * total) {
      repack.push({ packId, entries });
      res.packsRepacked++;
      res.blobsRemoved += entries.filter((e) => !used.has(e.id)).length;
      res.bytesFreed += total - usedBytes;
    } else {
      keep.push({ packId, blobs: entries });
      res.packsKept++;
    }
  }
  // Packs on disk that no index names (interrupted backups) go too.
  const indexed = new Set(byPack.keys());
  const orphans: Id[] = [];
  for await (const { name, size } of backend.list('data')) {
    if (!indexed.has(name)) {
      orphans.push(name);
      res.packsDeleted++;
      res.bytesFreed += size;
    }
  }
  const oldIndexFiles: Id[] = [];
  for await (const { name } of backend.list('index')) oldIndexFiles.push(name);
  res.indexFilesReplaced = oldIndexFiles.length;
  if (opts.dryRun || (drop.length === 0 && repack.length === 0 && orphans.length === 0 && oldIndexFiles.length <= 1)) return res;

  // 1. Repack used blobs (copied as stored, verified on the way).
  let builder = new PackBuilder();
  const writePack = async () => {
    if (builder.entries.length === 0) return;
    const bytes = builder.finish();
    const id = idOf(bytes);
    await backend.write('data', id, bytes);
    keep.push({ packId: id, blobs: builder.entries });
    builder = new PackBuilder();
  };
  for (const { packId, entries } of repack) {
    throwIfAborted(opts.signal);
    const bytes = await backend.read('data', packId);
    verifyId(packId, bytes, 'pack');
    for (const e of entries) {
      if (!used.has(e.id)) continue;
      builder.add(e.type, e.id, e.codec, bytes.slice(e.offset, e.offset + e.storedLength), e.rawLength);
      if (builder.dataLength >= repo.config.packSize) await writePack();
    }
  }
  await writePack();
  // 2. One index for everything kept, then 3. remove the old index files, then 4. the old packs.
  const idx = encodeIndex(keep);
  const idxId = idOf(idx);
  await backend.write('index', idxId, idx);
  for (const name of oldIndexFiles) if (name !== idxId) await deleteIfExists(backend, 'index', name);
  for (const id of [...drop, ...repack.map((r) => r.packId), ...orphans]) await deleteIfExists(backend, 'data', id);
  index.clear();
  for (const p of keep) index.addPack(p.packId, p.blobs);
  return res;
}
