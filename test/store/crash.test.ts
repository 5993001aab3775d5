// A backup killed with SIGKILL at seeded random moments always leaves a repository
// that passes check --read-data, with every earlier snapshot restorable, and the next
// backup completes and reuses what the killed one wrote.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { backup } from '../../src/backup/backup.js';
import { restore } from '../../src/restore/restore.js';
import { LocalBackend } from '../../src/store/backend-local.js';
import { check } from '../../src/store/check.js';
import { Repository } from '../../src/store/repository.js';
import { Rng } from '../helpers/prng.js';

const CHILD = join(dirname(fileURLToPath(import.meta.url)), '../helpers/backup-child.mjs');
const BUILD = inject('buildRoot');
const POINTS = Number(process.env['CLAWBACK_CRASH_POINTS'] ?? 20);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clawback-crash-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/**
 * Runs a backup in a child process and kills it: after `kill` ms when it is a number
 * (anywhere, mid-write included), or right after its K-th completed write of an
 * object of a type when it is `TYPE:K` (a point that does not depend on speed).
 */
function runChild(repoDir: string, src: string, kill: number | string): Promise<'killed' | 'finished'> {
  return new Promise((resolve, reject) => {
    const args = [CHILD, BUILD, repoDir, src, ...(typeof kill === 'string' ? [kill] : [])];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const t = typeof kill === 'number' ? setTimeout(() => child.kill('SIGKILL'), kill) : undefined;
    child.on('exit', (code, signal) => {
      clearTimeout(t);
      if (signal === 'SIGKILL') resolve('killed');
      else if (code === 0) resolve('finished');
      else reject(new Error(`child failed with ${code}: ${err}`));
    });
  });
}

describe('SIGKILL during backup', () => {
  it(`leaves a valid repository at ${POINTS} seeded kill points, and the next backup resumes`, { timeout: 600_000 }, async () => {
    const src = join(dir, 'src');
    await mkdir(join(src, 'a'), { recursive: true });
    const rng = new Rng(20261126);
    const rand = () => rng.u32() / 2 ** 32;
    // ~2.5 MB of incompressible data in 30 files so the backup spans many packs and index writes.
    for (let i = 0; i < 30; i++) await writeFile(join(src, 'a', `f${i}`), randomBytes(50_000 + Math.floor(rand() * 50_000)));
    const repoDir = join(dir, 'repo');
    const first = await Repository.init(await LocalBackend.create(repoDir), { packSize: 128 * 1024 });
    const base = await backup(first, { paths: [src] });
    // Each round changes some files, then a child backs up and is killed at a seeded moment.
    // Time a full child run once to spread the kill points over its length.
    const t0 = Date.now();
    expect(await runChild(repoDir, src, 60_000)).toBe('finished');
    const full = Date.now() - t0;
    console.log(`full child backup: ${full} ms`);
    // Even rounds kill on a timer (mid-write included); odd rounds right after the
    // K-th write, which is reached on any machine: each round writes at least two
    // data packs (300 KB of new incompressible data, 128 KiB packs), an index and a snapshot.
    let killedAtWrite = 0;
    for (let k = 0; k < POINTS; k++) {
      for (let j = 0; j < 3; j++) await writeFile(join(src, 'a', `f${Math.floor(rand() * 30)}`), randomBytes(100_000));
      const at = k % 2 === 0 ? Math.floor(rand() * full * 1.1) : `any:${1 + Math.floor(rand() * 3)}`;
      const outcome = await runChild(repoDir, src, at);
      if (typeof at === 'string' && outcome === 'killed') killedAtWrite++;
      const repo = await Repository.open(await LocalBackend.open(repoDir));
      const c = await check(repo, { readData: true });
      expect(c.errors, `kill point ${k} at ${at}`).toEqual([]);
    }
    expect(killedAtWrite).toBe(Math.floor(POINTS / 2));
    // Every snapshot restorable; the first one byte-identical to what it recorded.
    const repo = await Repository.open(await LocalBackend.open(repoDir));
    for (const s of await repo.snapshots()) {
      const out = join(dir, `out-${s.id.slice(0, 8)}`);
      await restore(repo, s.id, { target: out, from: src, verify: true });
      await rm(out, { recursive: true, force: true });
    }
    const out = join(dir, 'base');
    await restore(repo, base.id, { target: out, from: src });
    // Resume: new data, a run killed after it wrote some packs, then a backup that
    // adds less than the new data because it reuses what the killed run stored.
    // First settle the changes of the earlier rounds with one complete backup.
    await backup(await Repository.open(await LocalBackend.open(repoDir)), { paths: [src] });
    const fresh = join(src, 'fresh');
    await mkdir(fresh);
    let newBytes = 0;
    for (let i = 0; i < 20; i++) {
      const b = randomBytes(100_000);
      newBytes += b.length;
      await writeFile(join(fresh, `n${i}`), b);
    }
    const packsBefore = (await Repository.open(await LocalBackend.open(repoDir))).index.packCount;
    expect(await runChild(repoDir, src, 'index:3')).toBe('killed');
    expect((await Repository.open(await LocalBackend.open(repoDir))).index.packCount).toBeGreaterThan(packsBefore);
    const resumed = await Repository.open(await LocalBackend.open(repoDir));
    const last = await backup(resumed, { paths: [src] });
    expect(last.summary.partial).toBe(false);
    expect(last.summary.bytesAdded).toBeLessThan(newBytes);
    expect((await check(resumed, { readData: true })).errors).toEqual([]);
  });
});
