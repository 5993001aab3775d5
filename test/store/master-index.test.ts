// The typed-array master index against a plain Map as the reference: lookups,
// first location wins (per blob: type and id), growth and rehashing, loading
// straight from index-file records, and ids that are not ids.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { idFromBytes } from '../../src/store/ids.js';
import { encodeIndex, INDEX_RECORD_LENGTH, scanIndex, type IndexedPack } from '../../src/store/index-file.js';
import { MasterIndex, type BlobLocation } from '../../src/store/master-index.js';
import type { PackEntry } from '../../src/store/pack.js';
import { Rng } from '../helpers/prng.js';

function randomPacks(rng: Rng, packs: number, perPack: number, reuse: string[] = []): IndexedPack[] {
  const out: IndexedPack[] = [];
  for (let p = 0; p < packs; p++) {
    const blobs: PackEntry[] = [];
    let offset = 0;
    for (let k = 0; k < perPack; k++) {
      const storedLength = rng.u32() % 70000;
      const id = reuse.length > 0 && rng.u32() % 10 === 0 ? reuse[rng.u32() % reuse.length]! : idFromBytes(randomBytes(32));
      blobs.push({ id, type: rng.u32() % 5 === 0 ? 'tree' : 'data', codec: (rng.u32() % 2) as 0 | 1, offset, storedLength, rawLength: storedLength + (rng.u32() % 1000) });
      offset += storedLength;
    }
    out.push({ packId: idFromBytes(randomBytes(32)), blobs });
  }
  return out;
}

/** Blobs by `type:id`, first location kept: a data blob and a tree blob may share an id. */
function reference(packs: IndexedPack[]): Map<string, BlobLocation> {
  const m = new Map<string, BlobLocation>();
  for (const p of packs) for (const b of p.blobs) if (!m.has(`${b.type}:${b.id}`)) m.set(`${b.type}:${b.id}`, { ...b, packId: p.packId });
  return m;
}

describe('MasterIndex', () => {
  it('answers like a Map over 30,000 blobs, keeping the first location of a duplicate blob (type and id)', () => {
    const rng = new Rng(7);
    const first = randomPacks(rng, 10, 1000);
    const later = randomPacks(rng, 20, 1000, first.flatMap((p) => p.blobs.map((b) => b.id)));
    const all = [...first, ...later];
    const idx = new MasterIndex();
    for (const p of all) idx.addPack(p.packId, p.blobs);
    const ref = reference(all);
    expect(idx.blobCount).toBe(ref.size);
    expect(idx.blobCount).toBeLessThan(30000); // duplicates were offered
    expect(idx.packCount).toBe(30);
    let shared = 0;
    for (const loc of ref.values()) {
      const id = loc.id;
      const other = loc.type === 'data' ? 'tree' : 'data';
      expect(idx.get(id, loc.type)).toEqual(loc);
      expect(idx.has(id)).toBe(true);
      expect(idx.hasBlob(loc.type, id)).toBe(true);
      expect(idx.hasBlob(other, id)).toBe(ref.has(`${other}:${id}`));
      if (ref.has(`${other}:${id}`)) shared++;
      expect([loc, ref.get(`${other}:${id}`)]).toContainEqual(idx.get(id)); // untyped: either
    }
    expect(shared).toBeGreaterThan(0); // the same id offered with both types
    for (let i = 0; i < 2000; i++) expect(idx.has(idFromBytes(randomBytes(32)))).toBe(false);
    const listed = new Map([...idx.all()].map((b) => [`${b.type}:${b.id}`, b]));
    expect(listed).toEqual(ref);
    for (const p of all) {
      const end = Math.max(...p.blobs.map((b) => b.offset + b.storedLength));
      expect(idx.packDataEnd(p.packId)).toBe(end);
    }
    expect(new Set(idx.packIds())).toEqual(new Set(all.map((p) => p.packId)));
  });

  it('loading from index-file records equals loading from entries', () => {
    const packs = randomPacks(new Rng(8), 5, 700);
    const bytes = encodeIndex(packs);
    const a = new MasterIndex();
    scanIndex(bytes, (packId, at, count) => a.addPackRecords(packId, bytes, at, count, INDEX_RECORD_LENGTH));
    const b = new MasterIndex();
    for (const p of packs) b.addPack(p.packId, p.blobs);
    expect([...a.all()]).toEqual([...b.all()]);
    expect(a.blobCount).toBe(3500);
  });

  it('an id that is not a 64-digit hex id is never found, and is refused when added', () => {
    const idx = new MasterIndex();
    const id = idFromBytes(randomBytes(31)) + '00';
    idx.addPack(idFromBytes(randomBytes(32)), [{ id, type: 'data', codec: 0, offset: 0, storedLength: 1, rawLength: 1 }]);
    for (const bad of ['', id.slice(0, 63), id.toUpperCase(), id + '0', id.slice(0, 62) + 'zz', id.slice(0, 62) + '\u0130\u0130']) {
      expect(idx.has(bad)).toBe(false);
      expect(idx.get(bad)).toBeUndefined();
    }
    expect(() => idx.addPack('aa', [{ id: 'xy'.repeat(32), type: 'data', codec: 0, offset: 0, storedLength: 1, rawLength: 1 }])).toThrow(/malformed/);
    idx.clear();
    expect(idx.has(id)).toBe(false);
    expect(idx.blobCount).toBe(0);
    expect(idx.packCount).toBe(0);
  });
});
