// check finds every kind of damage and names the object; prune removes only
// unreferenced data and the repository stays valid afterwards.
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backup } from '../../src/backup/backup.js';
import { restore } from '../../src/restore/restore.js';
import { LocalBackend } from '../../src/store/backend-local.js';
import { check } from '../../src/store/check.js';
import { prune } from '../../src/store/prune.js';
import { Repository } from '../../src/store/repository.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clawback-cp-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function setup() {
  const src = join(dir, 'src');
  await mkdir(join(src, 'sub'), { recursive: true });
  for (let i = 0; i < 5; i++) await writeFile(join(src, `f${i}.bin`), randomBytes(40_000 + i));
  await writeFile(join(src, 'sub/text.md'), 'hello world\n'.repeat(5000));
  const repoDir = join(dir, 'repo');
  const repo = await Repository.init(await LocalBackend.create(repoDir), { packSize: 64 * 1024 });
  const snap = await backup(repo, { paths: [src] });
  return { src, repoDir, repo, snap };
}

async function flipByte(path: string, at: (len: number) => number) {
  const b = await readFile(path);
  b[at(b.length)]! ^= 0x10;
  await writeFile(path, b);
}

describe('check', () => {
  it('passes on a fresh repository, with and without readData', async () => {
    const { repo } = await setup();
    const r = await check(repo);
    expect(r.errors).toEqual([]);
    expect(r.ok).toBe(true);
    const rd = await check(repo, { readData: true });
    expect(rd.ok).toBe(true);
    expect(rd.blobs).toBeGreaterThan(6);
  });

  it('a flipped byte in any pack is found by readData and names the object; unaffected files still restore', async () => {
    const { repo, repoDir, snap, src } = await setup();
    const backend = repo.backend;
    const packs: string[] = [];
    for await (const { name } of backend.list('data')) packs.push(name);
    expect(packs.length).toBeGreaterThan(1);
    for (const pack of packs) {
      const p = join(repoDir, 'data', pack.slice(0, 2), pack);
      const orig = await readFile(p);
      await flipByte(p, () => 5);
      const r = await check(await Repository.open(backend), { readData: true });
      expect(r.ok, pack).toBe(false);
      expect(r.errors.some((e) => e.object.includes(pack) || e.object.startsWith('blob/'))).toBe(true);
      await writeFile(p, orig);
    }
    // Damage one pack, then restore: affected files fail with INTEGRITY, others come back.
    const victim = packs[0]!;
    await flipByte(join(repoDir, 'data', victim.slice(0, 2), victim), () => 3);
    const fresh = await Repository.open(backend);
    await expect(restore(fresh, snap.id, { target: join(dir, 'out'), from: src })).rejects.toMatchObject({ code: 'INTEGRITY' });
  });

  it('finds a damaged index file and a damaged snapshot by name', async () => {
    const { repo, repoDir, snap } = await setup();
    const backend = repo.backend;
    const idx: string[] = [];
    for await (const { name } of backend.list('index')) idx.push(name);
    await flipByte(join(repoDir, 'index', idx[0]!), (n) => n - 3);
    await flipByte(join(repoDir, 'snapshots', snap.id), () => 20);
    const r = await check(repo);
    expect(r.errors.map((e) => e.object)).toEqual(expect.arrayContaining([`index/${idx[0]}`, `snapshots/${snap.id}`]));
  });
});

describe('prune', () => {
  it('removes what no snapshot uses and keeps the rest restorable', async () => {
    const { repo, src } = await setup();
    // A second snapshot that drops most files, then forget the first by deleting it.
    for (let i = 0; i < 4; i++) await rm(join(src, `f${i}.bin`));
    const s2 = await backup(repo, { paths: [src] });
    const first = (await repo.snapshots()).find((s) => s.id !== s2.id)!;
    await repo.backend.delete('snapshots', first.id);
    const dry = await prune(repo, { dryRun: true });
    expect(dry.bytesFreed).toBeGreaterThan(100_000);
    const r = await prune(repo);
    expect(r.bytesFreed).toBe(dry.bytesFreed);
    const fresh = await Repository.open(repo.backend);
    const c = await check(fresh, { readData: true });
    expect(c.errors).toEqual([]);
    const out = join(dir, 'out');
    await restore(fresh, s2.id, { target: out, from: src, verify: true });
    expect(await readFile(join(out, 'f4.bin'))).toEqual(await readFile(join(src, 'f4.bin')));
    // Nothing left to free.
    expect((await prune(fresh, { dryRun: true })).bytesFreed).toBe(0);
  });
});
