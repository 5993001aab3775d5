// Rollback on generated OpenClaw state of both eras: B → A gives exactly A (volatile excluded
// entries aside), files created after A included; undo gives exactly B; one path restores alone;
// a dry run writes nothing and predicts the real run. On small hand-made trees: refusing with
// BUSY while a (fake) gateway listens on the configured port, --force; a symlinked directory
// pointing outside the state is replaced, never written through; single-path anchoring.
import { copyFile, chmod, lstat, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { closeAll, freePort, listen } from '../helpers/net.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateState, mutateState, scanTree, type Scan } from '../../fixtures/index.js';
import { backup } from '../../src/backup/backup.js';
import { isClawbackError } from '../../src/core/errors.js';
import { PathFilter } from '../../src/core/path-filter.js';
import { rollback, type RollbackOptions } from '../../src/openclaw/rollback.js';
import type { OpenClawScope } from '../../src/openclaw/scope.js';
import { LocalBackend } from '../../src/store/backend-local.js';
import { Repository } from '../../src/store/repository.js';

/** The plan's default excludes (volatile entries only). */
const EXCLUDES = ['Singleton*', '*.sock', '*.pid', '*.tmp', '*.tmp-*', '*.tmp.*', '*-shm', 'cache/control-ui-assets'];
const SECRET = /(^|\/)(credentials|identity)\/|(^|\/)auth-profiles\.json$|(^|\/)\.env$|(^|\/)state\/openclaw\.sqlite(-wal)?$/;

let dir: string;
let lockTmp: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clawback-rollback-'));
  lockTmp = join(dir, 'ostmp');
  await mkdir(lockTmp);
});
afterEach(async () => {
  await closeAll();
  await rm(dir, { recursive: true, force: true });
});

function makeScope(state: string, gatewayPort: number, paths = [state]): OpenClawScope {
  return {
    location: { stateDir: state, configPath: join(state, 'openclaw.json'), home: dirname(state), reason: 'option' },
    paths,
    exclude: [...EXCLUDES],
    include: [],
    keep: [],
    isSecret: (p) => SECRET.test(p.slice(state.length + 1)),
    isAppendOnly: (p) => p.endsWith('.jsonl'),
    gatewayPort,
    warnings: [],
  };
}

/** Rollback options with the gateway check confined to this test's temp dir. */
function rb(scope: OpenClawScope, extra: Partial<RollbackOptions> = {}): RollbackOptions {
  return { scope, gateway: { tmpDir: lockTmp, connectTimeoutMs: 2000 }, ...extra };
}

const filter = new PathFilter({ exclude: EXCLUDES });
/** Is `rel` or a directory above it excluded? */
function excluded(rel: string): boolean {
  const parts = rel.split('/');
  return parts.some((_, i) => filter.excluded(parts.slice(0, i + 1).join('/')));
}

/** The scan without excluded entries, FIFOs (never backed up) and directory mtimes (changed by writing inside). */
function comparable(s: Scan): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [p, e] of s) {
    if (e.type === 'fifo' || excluded(p)) continue;
    out[p] = e.type === 'dir' ? { type: 'dir', mode: e.mode } : e;
  }
  return out;
}

async function openRepo(): Promise<Repository> {
  return Repository.init(await LocalBackend.create(join(dir, 'repo')));
}

describe.each(['legacy', 'sqlite'] as const)('rollback of generated state, %s era', (profile) => {
  it('B → A gives exactly A, undo gives exactly B, one path restores alone, a dry run predicts and writes nothing', { timeout: 300_000 }, async () => {
    const state = join(dir, 'home', '.openclaw');
    const fx = { dir: state, seed: 21, scale: 0.02, profile } as const;
    await generateState(fx);
    const scope = makeScope(state, await freePort());
    const repo = await openRepo();
    const scanA = scanTree(state, { hash: true });
    const a = await backup(repo, { paths: [state], exclude: scope.exclude, isSecret: scope.isSecret });
    await mutateState(fx);
    // A secret widened by mistake in B: the rollback must bring 0600 back.
    const secretRel = [...scanA.keys()].find((p) => SECRET.test(p) && scanA.get(p)!.type === 'file')!;
    expect(scanA.get(secretRel)?.mode).toBe(0o600);
    await chmod(join(state, secretRel), 0o644);
    const scanB = scanTree(state, { hash: true });
    const createdAfterA = [...scanB.keys()].filter((p) => !scanA.has(p) && !excluded(p) && scanB.get(p)!.type === 'file');
    expect(createdAfterA.length).toBeGreaterThan(0);

    // Dry run first: nothing written, no snapshot taken; then the real run does what it said.
    const before = (await repo.snapshots()).length;
    const dry = await rollback(repo, rb(scope, { dryRun: true }));
    expect(dry.snapshotId).toBe(a.id);
    expect(dry.safetySnapshotId).toBeUndefined();
    expect(comparable(scanTree(state, { hash: true }))).toEqual(comparable(scanB));
    expect((await repo.snapshots()).length).toBe(before);
    const plan = dry.plan!;
    expect(plan.write.length).toBeGreaterThan(0);
    expect(plan.delete.length).toBeGreaterThan(0);

    // The real rollback: no snapshot named, so the latest backup of this state (A).
    const events: { path: string; action: string }[] = [];
    const r = await rollback(repo, rb(scope, { verify: true, onProgress: (e) => e.type === 'restore' && events.push(e) }));
    expect(r.snapshotId).toBe(a.id);
    expect(r.safetySnapshotId).toBeDefined();
    expect(r.gateway.running).toBe(false);
    const scanAfter = scanTree(state, { hash: true });
    expect(comparable(scanAfter)).toEqual(comparable(scanA));
    for (const p of createdAfterA) expect(existsSync(join(state, p)), p).toBe(false);
    expect(scanAfter.get(secretRel)?.mode).toBe(0o600);
    for (const [p, e] of scanA) if (e.type === 'file' && SECRET.test(p)) expect(scanAfter.get(p)?.mode, p).toBe(e.mode);
    expect(r.restored.verified).toBe(r.restored.filesWritten);
    // The dry run predicted it: every deletion, and every file written.
    expect(new Set(events.filter((e) => e.action === 'deleted').map((e) => e.path))).toEqual(new Set(plan.delete));
    const predicted = new Set(plan.write);
    for (const e of events.filter((e) => e.action === 'written')) expect(predicted.has(e.path), e.path).toBe(true);
    // The safety snapshot is tagged and holds B.
    const safety = await repo.loadSnapshot(r.safetySnapshotId!);
    expect(safety.tags).toEqual(['rollback-to:' + a.id.slice(0, 8), 'safety']);

    if (profile === 'sqlite') {
      // Stale -shm files next to rewritten databases are gone, and the databases are sound.
      // (A database created after A is deleted by the rollback; its -shm goes with it.)
      const dbs = r.removedShm.map((shm) => shm.slice(0, -'-shm'.length)).filter((db) => existsSync(db));
      expect(dbs.some((db) => db.endsWith('openclaw-agent.sqlite'))).toBe(true);
      for (const shm of r.removedShm) expect(existsSync(shm)).toBe(false);
      for (const db of dbs) {
        const scratch = join(dir, 'scratch', String(dbs.indexOf(db)));
        await mkdir(scratch, { recursive: true });
        await copyFile(db, join(scratch, 'x.sqlite'));
        if (existsSync(`${db}-wal`)) await copyFile(`${db}-wal`, join(scratch, 'x.sqlite-wal'));
        const conn = new Database(join(scratch, 'x.sqlite'));
        expect(conn.pragma('integrity_check', { simple: true })).toBe('ok');
        conn.close();
      }
    }

    // Undo: back to the safety snapshot, exactly B.
    const u = await rollback(repo, rb(scope, { undo: true }));
    expect(u.snapshotId).toBe(r.safetySnapshotId);
    expect(comparable(scanTree(state, { hash: true }))).toEqual(comparable(scanB));

    // One path from A: openclaw.json only; the nested workspace/project/openclaw.json stays as in B.
    await writeFile(join(state, 'workspace', 'project', 'openclaw.json'), '{"changed":"after B"}\n');
    const scanB2 = scanTree(state, { hash: true });
    const p = await rollback(repo, rb(scope, { snapshot: a.id.slice(0, 10), path: 'openclaw.json' }));
    expect(p.path).toBe(join(state, 'openclaw.json'));
    const scanP = scanTree(state, { hash: true });
    const want = { ...comparable(scanB2), 'openclaw.json': scanA.get('openclaw.json') };
    expect(comparable(scanP)).toEqual(want);
    expect(scanB2.get('openclaw.json')?.sha256).not.toBe(scanA.get('openclaw.json')?.sha256);
  });
});

/** A small state dir: config, a nested config, a session, a secret. */
async function smallState(state: string): Promise<void> {
  await mkdir(join(state, 'agents', 'main', 'sessions'), { recursive: true });
  await mkdir(join(state, 'agents', 'main', 'agent'), { recursive: true });
  await mkdir(join(state, 'workspace', 'project'), { recursive: true });
  await writeFile(join(state, 'openclaw.json'), '{"v":"A"}\n');
  await writeFile(join(state, 'workspace', 'project', 'openclaw.json'), '{"nested":"A"}\n');
  await writeFile(join(state, 'agents', 'main', 'sessions', 's1.jsonl'), '{"line":1}\n');
  await writeFile(join(state, 'agents', 'main', 'agent', 'auth-profiles.json'), '{"key":"sk-fake"}\n', { mode: 0o600 });
  await writeFile(join(state, 'workspace', 'Notes [draft] (1).md'), 'draft A\n');
}

/** Every entry below `root`: kind, mode and content, read without clawback. */
async function describeTree(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const scan = scanTree(root, { hash: true });
  for (const [p, e] of scan) out[p] = `${e.type} ${e.mode.toString(8)} ${e.sha256 ?? e.target ?? ''}`;
  return out;
}

describe('rollback on a small state', () => {
  it('refuses with BUSY while a gateway listens on the configured port, and goes ahead with force', async () => {
    const state = join(dir, '.openclaw');
    await smallState(state);
    const { port } = await listen();
    const scope = makeScope(state, port);
    const repo = await openRepo();
    await backup(repo, { paths: [state] });
    await writeFile(join(state, 'openclaw.json'), '{"v":"B"}\n');
    const tree = await describeTree(state);
    const err = await rollback(repo, rb(scope)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isClawbackError(err, 'BUSY')).toBe(true);
    expect((err as Error).message).toContain(`127.0.0.1:${port}`);
    expect((err as Error).message).toMatch(/stop the gateway/);
    expect((err as Error).message).toMatch(/--force/);
    expect(await describeTree(state)).toEqual(tree);
    expect((await repo.snapshots()).length).toBe(1); // no safety snapshot either

    const r = await rollback(repo, rb(scope, { force: true }));
    expect(r.gateway.running).toBe(true);
    expect(await readFile(join(state, 'openclaw.json'), 'utf8')).toBe('{"v":"A"}\n');
  });

  it('replaces a symlinked directory pointing outside the state instead of writing through it', async () => {
    const state = join(dir, '.openclaw');
    const outside = join(dir, 'outside');
    await smallState(state);
    const scope = makeScope(state, await freePort());
    const repo = await openRepo();
    const a = await backup(repo, { paths: [state] });
    const treeA = await describeTree(state);
    // agents/main becomes a symlink to a directory outside the state, with files of the same names.
    await mkdir(join(outside, 'sessions'), { recursive: true });
    await writeFile(join(outside, 'sessions', 's1.jsonl'), 'outside, must not change\n');
    await writeFile(join(outside, 'keep-me.txt'), 'outside\n');
    await rm(join(state, 'agents', 'main'), { recursive: true });
    await symlink(outside, join(state, 'agents', 'main'));
    const outsideTree = await describeTree(outside);

    // One path below the link first, then everything.
    await rollback(repo, rb(scope, { snapshot: a.id, path: 'agents/main/sessions/s1.jsonl' }));
    expect(await describeTree(outside)).toEqual(outsideTree);
    expect((await lstat(join(state, 'agents', 'main'))).isDirectory()).toBe(true);
    await rm(join(state, 'agents', 'main'), { recursive: true });
    await symlink(outside, join(state, 'agents', 'main'));
    await rollback(repo, rb(scope, { snapshot: a.id }));
    expect(await describeTree(outside)).toEqual(outsideTree);
    expect(await describeTree(state)).toEqual(treeA);
  });

  it('restores one file or one directory alone, including names with glob characters', async () => {
    const state = join(dir, '.openclaw');
    await smallState(state);
    const scope = makeScope(state, await freePort());
    const repo = await openRepo();
    const a = await backup(repo, { paths: [state] });
    await writeFile(join(state, 'openclaw.json'), '{"v":"B"}\n');
    await writeFile(join(state, 'workspace', 'project', 'openclaw.json'), '{"nested":"B"}\n');
    await writeFile(join(state, 'workspace', 'Notes [draft] (1).md'), 'draft B\n');
    await writeFile(join(state, 'workspace', 'Notes d (1).md'), 'a look-alike name\n');
    await writeFile(join(state, 'agents', 'main', 'sessions', 's2.jsonl'), '{"new":true}\n');
    await writeFile(join(state, 'agents', 'main', 'sessions', 's1.jsonl'), '{"line":1}\n{"line":2}\n');
    await writeFile(join(state, 'agents', 'new.txt'), 'new beside main\n');

    await rollback(repo, rb(scope, { snapshot: a.id, path: 'workspace/Notes [draft] (1).md' }));
    expect(await readFile(join(state, 'workspace', 'Notes [draft] (1).md'), 'utf8')).toBe('draft A\n');
    expect(await readFile(join(state, 'workspace', 'Notes d (1).md'), 'utf8')).toBe('a look-alike name\n');
    expect(await readFile(join(state, 'openclaw.json'), 'utf8')).toBe('{"v":"B"}\n');

    await rollback(repo, rb(scope, { snapshot: a.id, path: join(state, 'agents', 'main') }));
    expect(await readFile(join(state, 'agents', 'main', 'sessions', 's1.jsonl'), 'utf8')).toBe('{"line":1}\n');
    expect(existsSync(join(state, 'agents', 'main', 'sessions', 's2.jsonl'))).toBe(false);
    expect(existsSync(join(state, 'agents', 'new.txt'))).toBe(true);
    expect(await readFile(join(state, 'workspace', 'project', 'openclaw.json'), 'utf8')).toBe('{"nested":"B"}\n');

    // A path outside the state, and two ways of naming the target at once, are bad arguments.
    await expect(rollback(repo, rb(scope, { path: join(dir, 'elsewhere.json') }))).rejects.toThrow(RangeError);
    await expect(rollback(repo, rb(scope, { snapshot: a.id, undo: true }))).rejects.toThrow(RangeError);
  });

  it('restores a source that is a single file outside the state dir without touching its neighbours', async () => {
    const state = join(dir, '.openclaw');
    const etc = join(dir, 'etc-openclaw');
    const cfg = join(etc, 'openclaw.json');
    await smallState(state);
    await mkdir(etc);
    await writeFile(cfg, '{"outside":"A"}\n');
    await writeFile(join(etc, 'neighbour.txt'), 'not backed up\n');
    const scope = makeScope(state, await freePort(), [state, cfg]);
    const repo = await openRepo();
    await backup(repo, { paths: [state, cfg] });
    await writeFile(cfg, '{"outside":"B"}\n');
    await writeFile(join(etc, 'new-neighbour.txt'), 'created after the backup, outside the scope\n');
    await writeFile(join(state, 'openclaw.json'), '{"v":"B"}\n');
    const r = await rollback(repo, rb(scope));
    expect(r.restored.deleted).toBe(0);
    expect(await readFile(cfg, 'utf8')).toBe('{"outside":"A"}\n');
    expect(await readFile(join(state, 'openclaw.json'), 'utf8')).toBe('{"v":"A"}\n');
    expect(await readFile(join(etc, 'neighbour.txt'), 'utf8')).toBe('not backed up\n');
    expect(existsSync(join(etc, 'new-neighbour.txt'))).toBe(true);
  });

  it('picks the latest backup strictly before a time, skips safety snapshots, and says when there is none', async () => {
    const state = join(dir, '.openclaw');
    await smallState(state);
    const scope = makeScope(state, await freePort());
    const repo = await openRepo();
    const t = (h: number) => new Date(Date.UTC(2026, 2, 1, h));
    const s1 = await backup(repo, { paths: [state], time: t(1) });
    await writeFile(join(state, 'openclaw.json'), '{"v":"2"}\n');
    const s2 = await backup(repo, { paths: [state], time: t(2) });
    await writeFile(join(state, 'openclaw.json'), '{"v":"3"}\n');
    await backup(repo, { paths: [state], time: t(3), tags: ['safety'] });
    await backup(repo, { paths: [join(state, 'workspace')], time: t(4) }); // another path list: not eligible

    expect((await rollback(repo, rb(scope, { dryRun: true }))).snapshotId).toBe(s2.id);
    expect((await rollback(repo, rb(scope, { before: t(2), dryRun: true }))).snapshotId).toBe(s1.id);
    expect((await rollback(repo, rb(scope, { before: new Date(t(2).getTime() + 1), dryRun: true }))).snapshotId).toBe(s2.id);
    const none = await rollback(repo, rb(scope, { before: t(1), dryRun: true })).catch((e: unknown) => e);
    expect(isClawbackError(none, 'NOT_FOUND')).toBe(true);
    const r = await rollback(repo, rb(scope, { before: t(2) }));
    expect(r.snapshotId).toBe(s1.id);
    expect(await readFile(join(state, 'openclaw.json'), 'utf8')).toBe('{"v":"A"}\n');
  });
});
