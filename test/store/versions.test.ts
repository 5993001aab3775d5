// Versions of one path across real backups of a changing file: unchanged backups fold into one
// version, a content or mode change starts a new one, a backup without the file is a gap after
// which even the old content counts as a new version; host and path filters; symlinks and
// directories; snapshots that do not cover the path are ignored.
import { chmod, mkdir, mkdtemp, rm, symlink, unlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backup } from '../../src/backup/backup.js';
import { LocalBackend } from '../../src/store/backend-local.js';
import { Repository } from '../../src/store/repository.js';
import { fileVersions, pathWithin } from '../../src/store/versions.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clawback-versions-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const T0 = Date.UTC(2026, 2, 1, 12);
const at = (h: number) => new Date(T0 + h * 3600_000);

describe('fileVersions', () => {
  it('groups consecutive backups with the same content and treats absence as a gap', async () => {
    const src = join(dir, 'home', '.openclaw');
    const other = join(dir, 'elsewhere');
    await mkdir(join(src, 'agents'), { recursive: true });
    await mkdir(other, { recursive: true });
    const cfg = join(src, 'openclaw.json');
    const repo = await Repository.init(await LocalBackend.create(join(dir, 'repo')));
    const snap = async (h: number, paths = [src], host = 'box') => (await backup(repo, { paths, time: at(h), host })).id;

    const v1 = '{ "gateway": { "port": 18789 } }\n';
    await writeFile(cfg, v1);
    await chmod(cfg, 0o644);
    await utimes(cfg, at(-1), at(-1));
    const s1 = await snap(1);
    const s2 = await snap(2); // unchanged
    await snap(2.5, [other]); // does not cover the path: not a gap
    await snap(2.7, [src], 'other-host');
    const v2 = '{ "gateway": { "port": 18790 }, "agents": {} }\n';
    await writeFile(cfg, v2);
    const s3 = await snap(3);
    await chmod(cfg, 0o600); // same content, new mode
    const s4 = await snap(4);
    await unlink(cfg);
    await snap(5); // absent: a gap
    await writeFile(cfg, v1);
    await chmod(cfg, 0o644);
    const s6 = await snap(6);
    const s7 = await snap(7);

    const vs = await fileVersions(repo, cfg, { host: 'box' });
    expect(vs.map((v) => v.snapshots.map((s) => s.id))).toEqual([[s1, s2], [s3], [s4], [s6, s7]]);
    expect(vs.map((v) => v.number)).toEqual([1, 2, 3, 4]);
    expect(vs.map((v) => v.size)).toEqual([v1.length, v2.length, v2.length, v1.length]);
    expect(vs.map((v) => v.mode)).toEqual([0o644, 0o644, 0o600, 0o644]);
    expect(vs.every((v) => v.type === 'file')).toBe(true);
    expect(vs[0]!.firstSeen).toBe(at(1).toISOString());
    expect(vs[0]!.lastSeen).toBe(at(2).toISOString());
    expect(vs[0]!.mtime).toBe(at(-1).toISOString());
    // The same bytes have the same content hash; different bytes do not.
    expect(vs[3]!.contentHash).toBe(vs[0]!.contentHash);
    expect(vs[1]!.contentHash).toBe(vs[2]!.contentHash);
    expect(vs[1]!.contentHash).not.toBe(vs[0]!.contentHash);
    expect(vs[0]!.contentHash).toMatch(/^[0-9a-f]{12}$/);

    // Without the host filter the other host's backup (same bytes and mode as s2) joins version 1.
    const all = await fileVersions(repo, cfg);
    expect(all.map((v) => v.snapshots.length)).toEqual([3, 1, 1, 2]);
    // A path filter that matches no snapshot gives nothing; the source's own list gives the same as before.
    expect(await fileVersions(repo, cfg, { paths: [other] })).toEqual([]);
    expect((await fileVersions(repo, cfg, { host: 'box', paths: [src] })).length).toBe(4);
    // A path no snapshot holds has no versions.
    expect(await fileVersions(repo, join(src, 'missing.json'))).toEqual([]);
  });

  it('tracks symlinks by target and directories by content', async () => {
    const src = join(dir, 'state');
    await mkdir(join(src, 'skills'), { recursive: true });
    await writeFile(join(src, 'skills', 'a.md'), 'a');
    await symlink('/opt/skills/canvas', join(src, 'canvas'));
    const repo = await Repository.init(await LocalBackend.create(join(dir, 'repo')));
    const s1 = (await backup(repo, { paths: [src], time: at(1) })).id;
    await unlink(join(src, 'canvas'));
    await symlink('/opt/skills/canvas-v2', join(src, 'canvas'));
    const s2 = (await backup(repo, { paths: [src], time: at(2) })).id;
    await writeFile(join(src, 'skills', 'b.md'), 'b');
    const s3 = (await backup(repo, { paths: [src], time: at(3) })).id;
    await backup(repo, { paths: [src], time: at(4), tags: ['safety'] });

    const links = await fileVersions(repo, join(src, 'canvas'), { excludeTags: ['safety'] });
    expect(links.map((v) => [v.type, v.target, v.size])).toEqual([
      ['symlink', '/opt/skills/canvas', '/opt/skills/canvas'.length],
      ['symlink', '/opt/skills/canvas-v2', '/opt/skills/canvas-v2'.length],
    ]);
    expect(links[1]!.snapshots.map((s) => s.id)).toEqual([s2, s3]);
    expect((await fileVersions(repo, join(src, 'canvas')))[1]!.snapshots).toHaveLength(3); // the tagged one too
    const dirs = await fileVersions(repo, join(src, 'skills'), { excludeTags: ['safety'] });
    expect(dirs.map((v) => v.snapshots.map((s) => s.id))).toEqual([[s1, s2], [s3]]);
    expect(dirs.every((v) => v.type === 'dir')).toBe(true);
  });

  it('rejects a relative path', async () => {
    const repo = await Repository.init(await LocalBackend.create(join(dir, 'repo')));
    await expect(fileVersions(repo, 'openclaw.json')).rejects.toThrow(RangeError);
  });
});

describe('pathWithin', () => {
  it.each([
    ['/home/me/.openclaw/openclaw.json', '/home/me/.openclaw', true],
    ['/home/me/.openclaw', '/home/me/.openclaw', true],
    ['/home/me/.openclaw-work/x', '/home/me/.openclaw', false],
    ['/home/me', '/home/me/.openclaw', false],
    ['C:\\Users\\me\\.openclaw\\openclaw.json', 'C:\\Users\\me\\.openclaw', true],
    ['c:\\users\\ME\\.openclaw\\x', 'C:\\Users\\me\\.openclaw', true],
    ['D:\\Users\\me\\.openclaw\\x', 'C:\\Users\\me\\.openclaw', false],
  ])('%s within %s: %s', (p, root, want) => {
    expect(pathWithin(p, root)).toBe(want);
  });
});
