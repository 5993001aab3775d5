// Locks: shared locks coexist, exclusive ones exclude, stale locks (dead PID on this
// host, or too old) are ignored, LOCKED names the holder, and two backups at once
// both complete while prune waits.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backup } from '../../src/backup/backup.js';
import { MemoryBackend } from '../../src/store/backend-memory.js';
import { LocalBackend } from '../../src/store/backend-local.js';
import { acquireLock, STALE_AFTER_MS } from '../../src/store/lock.js';
import { check } from '../../src/store/check.js';
import { prune } from '../../src/store/prune.js';
import { Repository } from '../../src/store/repository.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clawback-lock-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const lockBody = (o: object) => new TextEncoder().encode(JSON.stringify({ time: new Date().toISOString(), exclusive: false, hostname: hostname(), username: 'x', pid: process.pid, ...o }));

describe('locks', () => {
  it('shared locks coexist; exclusive conflicts with any live lock and names the holder', async () => {
    const b = new MemoryBackend();
    const s1 = await acquireLock(b);
    const s2 = await acquireLock(b);
    await expect(acquireLock(b, { exclusive: true })).rejects.toMatchObject({ code: 'LOCKED', message: expect.stringContaining(`pid ${process.pid}`) });
    await s1.release();
    await s2.release();
    const x = await acquireLock(b, { exclusive: true });
    await expect(acquireLock(b)).rejects.toMatchObject({ code: 'LOCKED', message: expect.stringContaining('exclusive') });
    await x.release();
    await (await acquireLock(b)).release();
  });

  it('ignores stale locks: dead process on this host, or not refreshed for 30 minutes', async () => {
    const b = new MemoryBackend();
    await b.write('locks', 'aa'.repeat(32), lockBody({ exclusive: true, pid: 999_999_999 }));
    await b.write('locks', 'bb'.repeat(32), lockBody({ exclusive: true, hostname: 'elsewhere', time: new Date(Date.now() - STALE_AFTER_MS - 1000).toISOString() }));
    const l = await acquireLock(b, { exclusive: true });
    await l.release();
    // A live lock on another host is respected.
    await b.write('locks', 'cc'.repeat(32), lockBody({ exclusive: true, hostname: 'elsewhere', pid: 1 }));
    await expect(acquireLock(b)).rejects.toMatchObject({ code: 'LOCKED', message: expect.stringContaining('elsewhere') });
  });

  it('waits for a lock to go away when asked to', async () => {
    const b = new MemoryBackend();
    const x = await acquireLock(b, { exclusive: true });
    setTimeout(() => void x.release(), 300);
    const s = await acquireLock(b, { waitMs: 5000 });
    await s.release();
  });

  it('two backups at once both complete; prune during a backup waits and deletes nothing needed', async () => {
    const src1 = join(dir, 's1');
    const src2 = join(dir, 's2');
    await mkdir(src1);
    await mkdir(src2);
    for (let i = 0; i < 10; i++) {
      await writeFile(join(src1, `f${i}`), randomBytes(50_000));
      await writeFile(join(src2, `f${i}`), randomBytes(50_000));
    }
    const repo = await Repository.init(await LocalBackend.create(join(dir, 'repo')), { packSize: 64 * 1024 });
    const [a, b] = await Promise.all([backup(repo, { paths: [src1] }), backup(repo, { paths: [src2] })]);
    expect(a.summary.filesNew + b.summary.filesNew).toBe(20);
    // prune while a backup runs: a held shared lock (what backup holds) makes prune fail
    // at once, or wait; a backup started meanwhile completes and prune then frees nothing it needs.
    const held = await acquireLock(repo.backend);
    await expect(prune(repo)).rejects.toMatchObject({ code: 'LOCKED' });
    const pruning = prune(repo, { lockWaitMs: 20_000 });
    await writeFile(join(src1, 'new'), randomBytes(80_000));
    const c = await backup(repo, { paths: [src1, src2], lockWaitMs: 20_000 });
    expect(c.summary.bytesAdded).toBe(80_000);
    await held.release();
    const p = await pruning;
    expect(p.blobsRemoved).toBe(0);
    const fresh = await Repository.open(repo.backend);
    expect((await check(fresh, { readData: true })).errors).toEqual([]);
  });
});
