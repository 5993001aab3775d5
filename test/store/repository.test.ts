// The repository core over the memory backend: packs, index files, blobs, trees and
// snapshots round-trip, every read is verified, and damage is reported with a code.
import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { MemoryBackend } from '../../src/store/backend-memory.js';
import { Repository } from '../../src/store/repository.js';
import { idOf } from '../../src/store/ids.js';
import { decodeIndex, encodeIndex } from '../../src/store/index-file.js';
import { PackBuilder, packHeaderLength, parsePackHeader, PACK_TRAILER_LEN } from '../../src/store/pack.js';
import { compareNames, decodeTree, encodeTree, type Tree } from '../../src/store/tree.js';
import fc from 'fast-check';
import { isClawbackError } from '../../src/core/errors.js';

const text = (s: string) => new TextEncoder().encode(s);

describe('pack format', () => {
  it('header round-trips and tiles the data area', () => {
    const b = new PackBuilder();
    const blobs = [randomBytes(10), randomBytes(0), randomBytes(1000)];
    for (const x of blobs) b.add('data', idOf(x), 0, x, x.length);
    const pack = b.finish();
    const hl = packHeaderLength(pack.subarray(pack.length - PACK_TRAILER_LEN), pack.length);
    const entries = parsePackHeader(pack.subarray(pack.length - PACK_TRAILER_LEN - hl, pack.length - PACK_TRAILER_LEN), pack.length);
    expect(entries.map((e) => e.id)).toEqual(blobs.map((x) => idOf(x)));
    for (const [i, e] of entries.entries()) expect(pack.subarray(e.offset, e.offset + e.storedLength)).toEqual(new Uint8Array(blobs[i]!));
  });
  it('rejects a damaged trailer or header with a code', () => {
    const b = new PackBuilder();
    const x = randomBytes(100);
    b.add('data', idOf(x), 0, x, 100);
    const pack = b.finish();
    const bad = pack.slice();
    bad[bad.length - 1]! ^= 1;
    expect(() => packHeaderLength(bad.subarray(bad.length - 8), bad.length)).toThrow(expect.objectContaining({ code: 'BAD_MAGIC' }));
    const hl = packHeaderLength(pack.subarray(pack.length - 8), pack.length);
    const header = pack.subarray(pack.length - 8 - hl, pack.length - 8);
    expect(() => parsePackHeader(header, pack.length - 1)).toThrow(expect.objectContaining({ code: 'CORRUPT' }));
    expect(() => packHeaderLength(pack.subarray(pack.length - 8), 20)).toThrow(expect.objectContaining({ code: 'CORRUPT' }));
  });
});

describe('index format', () => {
  it('round-trips and rejects every truncation', () => {
    const x = randomBytes(64);
    const packs = [{ packId: idOf(x), blobs: [{ type: 'tree' as const, id: idOf(text('a')), codec: 1 as const, offset: 0, storedLength: 9, rawLength: 20 }] }];
    const bytes = encodeIndex(packs);
    // Decoded entries carry their pack id (they are the master index's locations as they are).
    expect(decodeIndex(bytes)).toEqual(packs.map((p) => ({ ...p, blobs: p.blobs.map((b) => ({ ...b, packId: p.packId })) })));
    for (let n = 0; n < bytes.length; n++) {
      let err: unknown;
      try {
        decodeIndex(bytes.subarray(0, n));
      } catch (e) {
        err = e;
      }
      expect(isClawbackError(err), `prefix ${n}`).toBe(true);
    }
  });
});

describe('tree format', () => {
  it('sorts by byte order and validates names', () => {
    const t: Tree = {
      nodes: [
        { name: 'b', type: 'symlink', mode: 0o777, mtimeNs: '1', target: '../x' },
        { name: 'a', type: 'file', mode: 0o600, mtimeNs: '2', size: 0, content: [] },
      ],
    };
    expect(decodeTree(encodeTree(t)).nodes.map((n) => n.name)).toEqual(['a', 'b']);
    for (const name of ['..', '.', 'a/b', 'a\\b', '', 'x\0']) {
      const raw = text(JSON.stringify({ nodes: [{ name, type: 'file', mode: 0, mtimeNs: '1', size: 0, content: [] }] }));
      expect(() => decodeTree(raw), name).toThrow(expect.objectContaining({ code: expect.stringMatching(/UNSAFE_PATH|CORRUPT/) }));
    }
  });
});

/** Counts the backend's reads of data packs from now on; returns the count so far. */
function countPackReads(backend: MemoryBackend): () => number {
  let n = 0;
  const read = backend.read.bind(backend);
  backend.read = (type, name, opts) => {
    if (type === 'data') n++;
    return read(type, name, opts);
  };
  return () => n;
}

describe('Repository', () => {
  it('saves blobs into packs, dedups, reopens from index files, loads and verifies', async () => {
    const backend = new MemoryBackend();
    const repo = await Repository.init(backend, { packSize: 4096 });
    const saver = repo.blobSaver();
    const blobs = Array.from({ length: 20 }, (_, i) => (i % 2 ? randomBytes(1500) : text('hello '.repeat(300 + i))));
    const r1 = await Promise.all(blobs.map((b) => saver.save('data', b)));
    const again = await saver.save('data', blobs[3]!);
    expect(again.added).toBe(false);
    await saver.flush();
    expect(r1.every((r) => r.added)).toBe(true);
    // A compressible blob is stored smaller than its plaintext; random ones raw.
    expect(r1[0]!.storedLength).toBeLessThan(blobs[0]!.length / 4);
    expect(r1[1]!.storedLength).toBe(blobs[1]!.length);
    const reopened = await Repository.open(backend);
    expect(reopened.index.blobCount).toBe(20);
    expect(reopened.index.packCount).toBeGreaterThan(2);
    for (const [i, b] of blobs.entries()) expect(await reopened.loadBlob(r1[i]!.id)).toEqual(new Uint8Array(b));
  });


  it('loadBlobs reads neighbours in a pack together and returns every blob verified; unknown ids and damage are errors', async () => {
    const backend = new MemoryBackend();
    const repo = await Repository.init(backend, { packSize: 64 * 1024 });
    const saver = repo.blobSaver();
    const blobs = Array.from({ length: 40 }, (_, i) => (i % 3 ? randomBytes(3000 + i) : text(`line ${i} `.repeat(400))));
    const ids = (await Promise.all(blobs.map((b) => saver.save('data', b)))).map((r) => r.id);
    await saver.flush();
    const reopened = await Repository.open(backend);
    const read = backend.read.bind(backend);
    const packReads = countPackReads(backend);
    // Every other blob, out of order, one twice: each comes back with its own bytes.
    const want = ids.filter((_, i) => i % 2 === 0).reverse();
    const got = await reopened.loadBlobs([...want, want[0]!]);
    expect(got.size).toBe(want.length);
    for (const id of want) expect(Buffer.from(got.get(id)!).equals(Buffer.from(blobs[ids.indexOf(id)]!))).toBe(true);
    // Gaps of one blob are read over: one read per pack.
    expect(packReads()).toBe(reopened.index.packCount);
    await expect(reopened.loadBlobs(['ab'.repeat(32)])).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // A flipped byte in one blob fails the call for it.
    const loc = reopened.index.get(ids[1]!)!;
    const bytes = await read('data', loc.packId);
    bytes[loc.offset + 5]! ^= 1;
    await backend.delete('data', loc.packId);
    await backend.write('data', loc.packId, bytes);
    await expect(reopened.loadBlobs([ids[1]!])).rejects.toMatchObject({ code: 'INTEGRITY' });
  });

  it('trees loaded at once from one pack cost one read of that pack', async () => {
    const backend = new MemoryBackend();
    const repo = await Repository.init(backend);
    const saver = repo.blobSaver();
    const ids = await Promise.all(Array.from({ length: 50 }, (_, i) => repo.saveTree(saver, { nodes: [{ name: `f${i}`, type: 'file', mode: 0o644, mtimeNs: '0', size: 0, content: [] }] })));
    await saver.flush();
    const reopened = await Repository.open(backend);
    const packReads = countPackReads(backend);
    const trees = await Promise.all(ids.map((id) => reopened.loadTree(id)));
    expect(trees.map((t) => t.nodes[0]!.name)).toEqual(ids.map((_, i) => `f${i}`));
    expect(reopened.index.packCount).toBe(1);
    expect(packReads()).toBe(1);
  });
  it('a flipped byte in a pack is an INTEGRITY error for that blob only', async () => {
    const backend = new MemoryBackend();
    const repo = await Repository.init(backend, { packSize: 1 << 20 });
    const saver = repo.blobSaver();
    const a = randomBytes(3000);
    const b = randomBytes(3000);
    await saver.save('data', a);
    await saver.save('data', b);
    await saver.flush();
    const [pack] = [...repo.index.packIds()];
    const bytes = await backend.read('data', pack!);
    const loc = repo.index.get(idOf(a))!;
    bytes[loc.offset + 7]! ^= 0x40;
    await backend.delete('data', pack!);
    await backend.write('data', pack!, bytes);
    await expect(repo.loadBlob(idOf(a))).rejects.toMatchObject({ code: 'INTEGRITY' });
    expect(await repo.loadBlob(idOf(b))).toEqual(new Uint8Array(b));
  });

  it('snapshots: save, list in time order, find by prefix and latest; damage detected', async () => {
    const backend = new MemoryBackend();
    const repo = await Repository.init(backend);
    const saver = repo.blobSaver();
    const tree = await repo.saveTree(saver, { nodes: [] });
    await saver.flush();
    const base = { version: 1 as const, host: 'h', paths: ['/x'], tags: [], tree, programVersion: 't' };
    const id2 = await repo.saveSnapshot({ ...base, time: '2026-01-02T00:00:00Z' });
    const id1 = await repo.saveSnapshot({ ...base, time: '2026-01-01T00:00:00Z' });
    expect((await repo.snapshots()).map((s) => s.id)).toEqual([id1, id2]);
    expect((await repo.findSnapshot('latest')).id).toBe(id2);
    expect((await repo.findSnapshot(id1.slice(0, 8))).id).toBe(id1);
    await expect(repo.findSnapshot('ffffffff')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const raw = await backend.read('snapshots', id1);
    raw[10]! ^= 1;
    await backend.delete('snapshots', id1);
    await backend.write('snapshots', id1, raw);
    await expect(repo.loadSnapshot(id1)).rejects.toMatchObject({ code: 'INTEGRITY' });
    const bad: string[] = [];
    expect((await repo.snapshots((id) => bad.push(id))).map((s) => s.id)).toEqual([id2]);
    expect(bad).toEqual([id1]);
  });
});

describe('compareNames', () => {
  it('orders names as their UTF-8 bytes, astral characters and U+E000..U+FFFF included', () => {
    // Units that make UTF-16 order and byte order disagree: surrogates against U+E000 and up.
    const unit = fc.constantFrom('a', 'b', 'Z', '~', '\u00e9', '\u4e2d', '\ue000', '\uffee', '\u{1f600}', '\u{10000}', '.');
    const name = fc.array(unit, { maxLength: 6 }).map((u) => u.join(''));
    fc.assert(
      fc.property(name, name, (a, b) => {
        expect(Math.sign(compareNames(a, b))).toBe(Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b))));
      }),
      { numRuns: 3000 },
    );
    expect(compareNames('\u{1f600}', '\uffee')).toBe(1); // UTF-16 would say -1
    expect(compareNames('ab', 'abc')).toBe(-1);
    expect(compareNames('same', 'same')).toBe(0);
  });
});

describe('sameNode', () => {
  it('is true exactly when every encoded field is equal', async () => {
    const { sameNode } = await import('../../src/store/tree.js');
    const base = { name: 'a', type: 'file' as const, mode: 0o600, mtimeNs: '1', uid: 1, gid: 2, size: 3, content: ['aa', 'bb'], inode: '9', ctimeNs: '2' };
    expect(sameNode(base, { ...base, content: ['aa', 'bb'] })).toBe(true);
    expect(sameNode(base, undefined)).toBe(false);
    const changes: Partial<typeof base>[] = [{ name: 'b' }, { mode: 0o644 }, { mtimeNs: '2' }, { uid: 0 }, { gid: 0 }, { size: 4 }, { content: ['aa'] }, { content: ['aa', 'bc'] }, { inode: '8' }, { ctimeNs: '3' }];
    for (const c of changes) {
      expect(sameNode(base, { ...base, ...c }), JSON.stringify(c)).toBe(false);
      // And it agrees with the encoding: equal nodes encode to equal trees.
      expect(Buffer.from(encodeTree({ nodes: [base] })).equals(Buffer.from(encodeTree({ nodes: [{ ...base, ...c }] })))).toBe(false);
    }
    expect(sameNode({ name: 'd', type: 'dir', mode: 0o700, mtimeNs: '1', subtree: 'x' }, { name: 'd', type: 'dir', mode: 0o700, mtimeNs: '1', subtree: 'y' })).toBe(false);
    expect(sameNode({ name: 'l', type: 'symlink', mode: 0o777, mtimeNs: '1', target: 'x' }, { name: 'l', type: 'symlink', mode: 0o777, mtimeNs: '1', target: 'y' })).toBe(false);
  });
});

describe('decoded tree cache', () => {
  it('serves loads in the process that saved or read a tree, but check reads what is stored', async () => {
    const { FaultyBackend } = await import('../../src/store/backend-faulty.js');
    const { check } = await import('../../src/store/check.js');
    const backend = new FaultyBackend(new MemoryBackend());
    const repo = await Repository.init(backend);
    const saver = repo.blobSaver();
    const tree = { nodes: [{ name: 'b', type: 'file' as const, mode: 0o600, mtimeNs: '1', size: 0, content: [] }, { name: 'a', type: 'file' as const, mode: 0o600, mtimeNs: '1', size: 0, content: [] }] };
    const id = await repo.saveTree(saver, tree);
    await saver.flush();
    await repo.saveSnapshot({ version: 1, time: new Date(0).toISOString(), host: 'h', paths: ['/x'], tags: [], tree: id, programVersion: 'test' });
    // Damage every read of the tree pack from now on.
    backend.faults = { match: (t, name) => t === 'data' && name === repo.index.get(id)!.packId, flipByteAt: repo.index.get(id)!.offset };
    const cached = await repo.loadTree(id);
    expect(cached.nodes.map((n) => n.name)).toEqual(['a', 'b']); // in name order, as a decoded tree is
    await expect(repo.loadTree(id, { fresh: true })).rejects.toMatchObject({ code: 'INTEGRITY' });
    const c = await check(repo);
    expect(c.ok).toBe(false);
    expect(c.errors.some((e) => e.object === `tree/${id}`)).toBe(true);
  });
});
