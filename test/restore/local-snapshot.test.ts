// In-place restore with a snapshot of the target's current state (a rollback's
// safety snapshot): files that still match that snapshot's records are compared by
// their recorded chunk ids without being read; files changed since, including one
// whose size and mtime were put back, are read and restored like any other.
import { randomBytes } from 'node:crypto';
import { appendFile, lstat, mkdir, mkdtemp, readFile, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backup } from '../../src/backup/backup.js';
import { restore } from '../../src/restore/restore.js';
import { LocalBackend } from '../../src/store/backend-local.js';
import { Repository } from '../../src/store/repository.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clawback-localsnap-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** path → mode, size and content (base64) of every regular file. */
async function contents(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (d: string, rel: string) => {
    for (const name of (await readdir(d)).sort()) {
      const p = join(d, name);
      const r = rel ? `${rel}/${name}` : name;
      const st = await lstat(p);
      if (st.isDirectory()) await walk(p, r);
      else if (st.isFile()) out[r] = `${(st.mode & 0o777).toString(8)} ${st.size} ${(await readFile(p)).toString('base64')}`;
    }
  };
  await walk(root, '');
  return out;
}

describe('restore in place with localSnapshot', () => {
  it('reads only what changed since the local snapshot and gives exactly the target snapshot', async () => {
    const src = join(dir, 'state');
    await mkdir(join(src, 'agents/main/sessions'), { recursive: true });
    for (let i = 0; i < 20; i++) await writeFile(join(src, 'agents/main/sessions', `s${i}.jsonl`), randomBytes(20_000 + i * 3000).toString('base64') + '\n');
    await writeFile(join(src, 'openclaw.json'), JSON.stringify({ v: 1 }), { mode: 0o600 });
    await writeFile(join(src, 'big.bin'), randomBytes(2_000_000));
    const repo = await Repository.init(await LocalBackend.create(join(dir, 'repo')));
    const a = await backup(repo, { paths: [src] });
    const wantA = await contents(src);

    // A day of changes: appends, a rewrite, a new and a deleted file, then the state as it is now.
    await appendFile(join(src, 'agents/main/sessions/s3.jsonl'), 'more\n'.repeat(500));
    await writeFile(join(src, 'openclaw.json'), JSON.stringify({ v: 2 }), { mode: 0o600 });
    await writeFile(join(src, 'new.txt'), 'created after A');
    await rm(join(src, 'agents/main/sessions/s7.jsonl'));
    const big = await readFile(join(src, 'big.bin'));
    big[1_000_000] = big[1_000_000]! ^ 0xff;
    await writeFile(join(src, 'big.bin'), big);
    const now = await backup(repo, { paths: [src] });

    const r = await restore(repo, a.id, { target: src, from: src, delete: true, localSnapshot: now.id });
    expect(await contents(src)).toEqual(wantA);
    // Nothing changed between the local snapshot and the restore: no local file was read to compare it.
    expect(r.bytesCompared).toBe(0);
    expect(r.filesUnchanged).toBe(18);
    expect(r.filesWritten).toBe(4); // s3, openclaw.json and big.bin rewritten, s7 recreated
    expect(r.deleted).toBe(1);
    // big.bin differed in one chunk: the rest came from the local file, re-hashed as it was copied.
    expect(r.bytesReused).toBeGreaterThan(1_900_000);
  });

  it('a file changed after the local snapshot is read, even with its size and mtime put back', async () => {
    const src = join(dir, 'state');
    await mkdir(src);
    const original = randomBytes(100_000);
    await writeFile(join(src, 'memory.sqlite'), original);
    await writeFile(join(src, 'other.txt'), 'unchanged');
    const repo = await Repository.init(await LocalBackend.create(join(dir, 'repo')));
    const a = await backup(repo, { paths: [src] });
    const now = await backup(repo, { paths: [src] });
    // Same length, same mtime, different bytes: only the ctime (and the content) tell.
    const before = await stat(join(src, 'memory.sqlite'));
    const changed = Buffer.from(original);
    changed[50_000] = changed[50_000]! ^ 1;
    await writeFile(join(src, 'memory.sqlite'), changed);
    await utimes(join(src, 'memory.sqlite'), before.atime, before.mtime);
    const r = await restore(repo, a.id, { target: src, from: src, delete: true, localSnapshot: now.id });
    expect(await readFile(join(src, 'memory.sqlite'))).toEqual(original);
    expect(r.bytesCompared).toBe(100_000);
    expect(r.filesWritten).toBe(1);
    expect(r.filesUnchanged).toBe(1);
  });
});
