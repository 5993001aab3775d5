// The embedding API as ClawPal calls it: no arguments beyond the host facts (a temp
// HOME with XDG dirs), on a generated OpenClaw home. The default repository is
// created on first use, owner-only; backups carry what a UI shows; rollback and its
// undo give the two states back exactly; restore copies a backup out; forget and
// check work with no policy; nothing reaches the console.
import { lstat, mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { generateState, mutateState, scanTree, type Scan } from '../../fixtures/index.js';
import { isClawbackError } from '../../src/core/errors.js';
import { PathFilter } from '../../src/core/path-filter.js';
import { backup, check, forget, listBackups, restore, rollback, type ClawbackProgress } from '../../src/openclaw/api.js';
import type { HostInfo } from '../../src/openclaw/platform-dirs.js';
import { DEFAULT_EXCLUDES } from '../../src/openclaw/scope.js';

let dir: string;
let host: HostInfo;
let state: string;
const repoDir = () => join(dir, 'data', 'clawback', 'repository');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clawback-api-'));
  state = join(dir, 'home', '.openclaw');
  host = { platform: process.platform, homedir: join(dir, 'home'), env: { HOME: join(dir, 'home'), XDG_DATA_HOME: join(dir, 'data'), XDG_CONFIG_HOME: join(dir, 'config') } };
  await generateState({ dir: state, seed: 11, scale: 0.02, profile: 'legacy' });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The state as a backup selects it: every entry but the default excludes (and FIFOs, never stored). */
function selected(root: string): Scan {
  const filter = new PathFilter({ exclude: [...DEFAULT_EXCLUDES] });
  const out: Scan = new Map();
  for (const [p, e] of scanTree(root, { hash: true })) {
    if (e.type === 'fifo' || p.split('/').some((_, i, parts) => filter.excluded(parts.slice(0, i + 1).join('/')))) continue;
    out.set(p, e.type === 'dir' ? { ...e, mtimeMs: 0 } : e);
  }
  return out;
}

describe('embedding API', () => {
  it('lists nothing and creates nothing before the first backup', async () => {
    expect(await listBackups({ host })).toEqual([]);
    await expect(stat(repoDir())).rejects.toThrow();
  });

  it('backs up, lists, rolls back and undoes, restores, checks and forgets, silently', async () => {
    const log = vi.spyOn(console, 'log');
    const out = vi.spyOn(process.stdout, 'write');
    const err = vi.spyOn(process.stderr, 'write');
    try {
      const events: ClawbackProgress[] = [];
      const a = await backup({ host, name: 'first', onProgress: (e) => events.push(e) });
      const stateA = selected(state);
      expect(a.repositoryCreated).toBe(true);
      expect(a.repository).toBe(repoDir());
      expect(a.name).toBe('first');
      expect(a.kind).toBe('backup');
      expect(a.files.total).toBe([...stateA.values()].filter((e) => e.type === 'file').length);
      expect(a.sizeBytes).toBe([...stateA.values()].reduce((n, e) => n + (e.type === 'file' ? e.size : 0), 0));
      expect(a.addedBytes).toBeGreaterThan(0);
      expect(a.secrets).toBeGreaterThan(10);
      expect(a.partial).toBe(false);
      expect(Date.parse(a.createdAt)).not.toBeNaN();
      expect(events.some((e) => e.type === 'file')).toBe(true);
      // Owner-only repository: 0700 directories, 0600 files.
      const walk = async (d: string): Promise<void> => {
        for (const name of await readdir(d)) {
          const p = join(d, name);
          const st = await lstat(p);
          expect((st.mode & 0o777).toString(8), p).toBe(st.isDirectory() ? '700' : '600');
          if (st.isDirectory()) await walk(p);
        }
      };
      await walk(repoDir());

      await mutateState({ dir: state, seed: 11, scale: 0.02 });
      const b = await backup({ host });
      const stateB = selected(state);
      expect(b.repositoryCreated).toBe(false);
      expect(b.addedBytes).toBeLessThan(a.addedBytes);
      expect(b.files.unchanged).toBeGreaterThan(0);
      const list = await listBackups({ host });
      expect(list.map((x) => x.id)).toEqual([b.id, a.id]);
      expect(list[1]!.name).toBe('first');
      expect(list[0]!.name).toMatch(/^Backup \d{4}-\d\d-\d\d \d\d:\d\d$/);

      const rb = await rollback({ host, backup: a.id });
      expect(rb.backup.id).toBe(a.id);
      expect(rb.safety?.kind).toBe('safety');
      expect(selected(state)).toEqual(stateA);
      const undo = await rollback({ host, undo: true });
      expect(undo.backup.id).toBe(rb.safety!.id);
      expect(selected(state)).toEqual(stateB);
      expect((await listBackups({ host })).filter((x) => x.kind === 'safety')).toHaveLength(2);

      const copy = join(dir, 'copy');
      const r = await restore({ host, backup: a.id, target: copy });
      expect(r.backup.id).toBe(a.id);
      expect(selected(copy)).toEqual(stateA);

      const c = await check({ host, readData: true });
      expect(c.ok).toBe(true);
      expect(c.backups).toBe(4);
      const one = await forget({ host, backups: [rb.safety!.shortId] });
      expect(one.removed).toEqual([rb.safety!.id]);
      const f = await forget({ host, policy: { last: 1 } });
      expect(f.removed).toHaveLength(2);
      expect(f.bytesFreed).toBeGreaterThan(0);
      expect((await check({ host, readData: true })).ok).toBe(true);
      expect(await listBackups({ host })).toHaveLength(1);
      // No policy anywhere: the default one, which keeps the single backup left.
      expect((await forget({ host })).removed).toEqual([]);

      expect(log).not.toHaveBeenCalled();
      expect(out).not.toHaveBeenCalled();
      expect(err).not.toHaveBeenCalled();
    } finally {
      log.mockRestore();
      out.mockRestore();
      err.mockRestore();
    }
  });

  it('refuses a repository inside the OpenClaw state and creates nothing there', async () => {
    const inside = join(state, 'backups');
    const e = await backup({ host, repository: inside }).catch((x: unknown) => x);
    expect(isClawbackError(e, 'UNSAFE_PATH')).toBe(true);
    await expect(stat(inside)).rejects.toThrow();
  });

  it('a missing state dir is NOT_FOUND naming where it looked', async () => {
    const empty = join(dir, 'empty-home');
    await mkdir(empty);
    const e = await backup({ host: { ...host, homedir: empty, env: { ...host.env, HOME: empty } } }).catch((x: unknown) => x);
    expect(isClawbackError(e, 'NOT_FOUND')).toBe(true);
    expect(String((e as Error).message)).toContain(join(empty, '.openclaw'));
  });
});
