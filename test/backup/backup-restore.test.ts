// Backup and restore end to end on real files: a tree with modes, mtimes, symlinks
// (dangling and looping), empty dirs, unicode and long names, a FIFO; a second backup
// reuses unchanged files; in-place restore gives exactly the snapshot back.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, lstat, mkdir, mkdtemp, readFile, readdir, readlink, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backup } from '../../src/backup/backup.js';
import { restore } from '../../src/restore/restore.js';
import { LocalBackend } from '../../src/store/backend-local.js';
import { Repository } from '../../src/store/repository.js';
import { idOf } from '../../src/store/ids.js';
import { encodeTree } from '../../src/store/tree.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clawback-br-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Every entry under root: type, mode, size, mtime (ms), link target, content hash. */
async function describeTree(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (d: string, rel: string) => {
    for (const name of (await readdir(d)).sort()) {
      const p = join(d, name);
      const r = rel ? `${rel}/${name}` : name;
      const st = await lstat(p);
      if (st.isSymbolicLink()) out[r] = `link ${await readlink(p)}`;
      else if (st.isDirectory()) {
        out[r] = `dir ${(st.mode & 0o7777).toString(8)}`;
        await walk(p, r);
      } else if (st.isFile()) out[r] = `file ${(st.mode & 0o7777).toString(8)} ${st.size} ${Math.floor(st.mtimeMs)} ${(await readFile(p)).toString('base64').slice(0, 40)}`;
    }
  };
  await walk(root, '');
  return out;
}

async function makeTree(root: string) {
  await mkdir(join(root, 'agents/main/sessions'), { recursive: true });
  await mkdir(join(root, 'empty'));
  await mkdir(join(root, 'ro'));
  await writeFile(join(root, 'openclaw.json'), JSON.stringify({ gateway: { port: 18789 } }, null, 2), { mode: 0o600 });
  await writeFile(join(root, 'agents/main/sessions/s1.jsonl'), 'x'.repeat(100_000) + '\n');
  await writeFile(join(root, 'big.bin'), randomBytes(300_000));
  await writeFile(join(root, 'ünïcødé 名前.md'), 'unicode');
  await writeFile(join(root, 'n'.repeat(200)), 'long name');
  await writeFile(join(root, 'ro/readonly.txt'), 'ro', { mode: 0o444 });
  await chmod(join(root, 'ro'), 0o555);
  await symlink('does-not-exist', join(root, 'SingletonLock'));
  await symlink('loop', join(root, 'loop'));
  await symlink('openclaw.json', join(root, 'config-link'));
  execFileSync('mkfifo', [join(root, 'fifo')]);
  await utimes(join(root, 'big.bin'), new Date('2026-01-01T00:00:00Z'), new Date('2026-01-01T00:00:00Z'));
}

describe('backup and restore', () => {
  it('round-trips a tree byte-identically with metadata, and the second backup reuses everything', async () => {
    const src = join(dir, 'src');
    await mkdir(src);
    await makeTree(src);
    const repo = await Repository.init(await LocalBackend.create(join(dir, 'repo')));
    const b1 = await backup(repo, { paths: [src] });
    expect(b1.summary.filesNew).toBe(6);
    expect(b1.warnings.map((w) => w.code)).toEqual(['SPECIAL_FILE']);
    expect(b1.summary.partial).toBe(false); // a skipped FIFO is by design, not a failure
    const b2 = await backup(repo, { paths: [src] });
    expect(b2.summary.filesUnchanged).toBe(6);
    expect(b2.summary.bytesRead).toBe(0);
    expect(b2.summary.bytesAdded).toBe(0);
    expect(b2.snapshot.parent).toBe(b1.id);

    const out = join(dir, 'out');
    const r = await restore(repo, b2.id, { target: out, from: src, verify: true });
    expect(r.filesWritten).toBe(6);
    const want = await describeTree(src);
    delete want['fifo'];
    expect(await describeTree(out)).toEqual(want);
    await chmod(join(src, 'ro'), 0o755);
    await chmod(join(out, 'ro'), 0o755);
  });

  it('in-place restore of an older snapshot gives exactly that snapshot, touching only what changed', async () => {
    const src = join(dir, 'src');
    await mkdir(src);
    await makeTree(src);
    await chmod(join(src, 'ro'), 0o755);
    await rm(join(src, 'fifo'));
    const repo = await Repository.init(await LocalBackend.create(join(dir, 'repo')));
    const a = await backup(repo, { paths: [src] });
    const before = await describeTree(src);
    // A day of changes: edit the middle of a big file, append, add, delete.
    const big = await readFile(join(src, 'big.bin'));
    big.fill(7, 150_000, 151_000);
    await writeFile(join(src, 'big.bin'), big);
    await writeFile(join(src, 'agents/main/sessions/s1.jsonl'), 'more\n', { flag: 'a' });
    await writeFile(join(src, 'new-file.txt'), 'new');
    await rm(join(src, 'ünïcødé 名前.md'));
    const b = await backup(repo, { paths: [src] });
    expect(b.summary.filesChanged).toBe(2);
    expect(b.summary.filesNew).toBe(1);
    expect(b.summary.bytesAdded).toBeLessThan(150_000);

    const r = await restore(repo, a.id, { target: src, from: src, delete: true });
    expect(await describeTree(src)).toEqual(before);
    expect(r.deleted).toBe(1);
    expect(r.filesWritten).toBe(3);
    expect(r.bytesReused).toBeGreaterThan(200_000);
    expect(r.filesUnchanged).toBe(3);
  });

  it('a file replaced with same size and mtime is still seen as changed (ctime/inode)', async () => {
    const src = join(dir, 'src');
    await mkdir(src);
    await writeFile(join(src, 'f'), 'aaaa');
    const when = new Date('2026-02-02T00:00:00Z');
    await utimes(join(src, 'f'), when, when);
    const repo = await Repository.init(await LocalBackend.create(join(dir, 'repo')));
    await backup(repo, { paths: [src] });
    await writeFile(join(src, 'f'), 'bbbb');
    await utimes(join(src, 'f'), when, when);
    const b = await backup(repo, { paths: [src] });
    expect(b.summary.filesChanged).toBe(1);
    const out = join(dir, 'out');
    await restore(repo, b.id, { target: out, from: src });
    expect(await readFile(join(out, 'f'), 'utf8')).toBe('bbbb');
  });

  it('a file whose bytes equal a tree blob is stored as a data blob of its own and restores', async () => {
    const src = join(dir, 'src');
    await mkdir(join(src, 'sub'), { recursive: true });
    await writeFile(join(src, 'sub', 'a.txt'), 'a');
    const repo = await Repository.init(await LocalBackend.create(join(dir, 'repo')));
    const first = await backup(repo, { paths: [src] });
    // The tree blob of `sub`, written out as a file: its one chunk has the tree's id.
    const root = await repo.loadTree(first.snapshot.tree);
    let tree = root;
    for (const name of [...src.split('/').filter(Boolean), 'sub']) tree = await repo.loadTree(tree.nodes.find((n) => n.name === name)!.subtree!);
    const bytes = encodeTree(tree);
    await writeFile(join(src, 'copy-of-a-tree.json'), bytes);
    const second = await backup(repo, { paths: [src] });
    const out = join(dir, 'out');
    await restore(repo, second.id, { target: out, from: src });
    expect(Buffer.compare(await readFile(join(out, 'copy-of-a-tree.json')), Buffer.from(bytes))).toBe(0);
    expect(repo.index.hasBlob('data', idOf(bytes)) && repo.index.hasBlob('tree', idOf(bytes))).toBe(true);
  });
});
