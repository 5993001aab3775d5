// forget, prune and check through the CLI: policies with reasons, dry runs, data actually freed, and a damaged pack found by
// check --read-data (exit 4, naming the object). Exit statuses through the built binary (`cb`); the output checks run main()
// in-process (`run`: same code, no node start per call).
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backup } from '../../src/backup/backup.js';
import { LocalBackend } from '../../src/store/backend-local.js';
import { Repository } from '../../src/store/repository.js';
import { seededBytes, tempDir } from './harness.js';
import { cb, cbInProcess as run, cbInProcessOk as runOk, jsonLines, makeTree, summaryOf } from './repo-harness.js';

let t: Awaited<ReturnType<typeof tempDir>>;

beforeAll(async () => {
  t = await tempDir();
});

afterAll(async () => {
  await t.rmAll();
});

/**
 * A repository with `n` snapshots of a tree whose big file changes each time; returns the ids, oldest first.
 * Made through the library (setup is not what these tests are about; it saves a dozen process spawns).
 */
async function repoWithSnapshots(name: string, n: number): Promise<{ repo: string; src: string; ids: string[] }> {
  const src = t.path(`${name}-src`);
  const repo = t.path(`${name}-repo`);
  await makeTree(src);
  const backend = await LocalBackend.create(repo);
  try {
    const r = await Repository.init(backend, { packSize: 64 * 1024 });
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      await writeFile(join(src, 'big.bin'), seededBytes(120_000, 100 + i));
      // Distinct, increasing times: the policy orders by time.
      ids.push((await backup(r, { paths: [src], tags: [`n${i}`], time: new Date(Date.now() - (n - i) * 60_000) })).id);
    }
    return { repo, src, ids };
  } finally {
    await backend.close();
  }
}

async function snapshotIds(repo: string): Promise<string[]> {
  return (jsonLines(await runOk(['snapshots', '--json', '--repo', repo]))[0] as unknown as { id: string }[]).map((s) => s.id);
}

async function repoBytes(dir: string): Promise<number> {
  let n = 0;
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) n += (await readFile(join(e.parentPath, e.name))).length;
  }
  return n;
}

describe('forget', () => {
  it('--dry-run shows kept (with reasons) and removed per group and removes nothing', async () => {
    const { repo, src, ids } = await repoWithSnapshots('dry', 3);
    const r = await runOk(['forget', '--repo', repo, '--keep-last', '1', '--keep-tag', 'n0', '--dry-run']);
    const out = r.stdout.toString();
    expect(out).toMatch(/^Applying Policy: keep 1 latest snapshots and all snapshots with tags \[\[n0\]\]$/m);
    expect(out).toMatch(new RegExp(`^snapshots for \\(host \\S+, path \\[${src}\\]\\):$`, 'm'));
    expect(out).toMatch(/^keep 2 snapshots:$/m);
    expect(out).toMatch(new RegExp(`^${ids[2]!.slice(0, 8)} .*last snapshot`, 'm'));
    expect(out).toMatch(new RegExp(`^${ids[0]!.slice(0, 8)} .*tags \\[n0\\]`, 'm'));
    expect(out).toMatch(new RegExp(`^would remove 1 snapshot:\\n.*\\n-+\\n${ids[1]!.slice(0, 8)} `, 'm'));
    expect(await snapshotIds(repo)).toEqual(ids);
  });

  it('removes what the policy does not keep; --json reports groups, reasons and removed ids', async () => {
    const { repo, ids } = await repoWithSnapshots('real', 3);
    const r = await runOk(['forget', '--json', '--repo', repo, '--keep-last', '2']);
    const s = summaryOf(r, 'forget') as { groups: { keep: { id: string; reasons: string[] }[]; remove: { id: string }[] }[]; removed: string[]; kept: number; dryRun: boolean };
    expect(s.dryRun).toBe(false);
    expect(s.removed).toEqual([ids[0]]);
    expect(s.kept).toBe(2);
    expect(s.groups).toHaveLength(1);
    expect(s.groups[0]!.keep.map((k) => [k.id, k.reasons])).toEqual([
      [ids[2], ['last snapshot']],
      [ids[1], ['last snapshot']],
    ]);
    expect(await snapshotIds(repo)).toEqual(ids.slice(1));
  });

  it('refuses to run without a policy (usage, exit 2) and rejects bad values', async () => {
    const { repo, ids } = await repoWithSnapshots('nopolicy', 1);
    const r = await cb(['forget', '--repo', repo]); // the built binary
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no policy/);
    for (const bad of [['--keep-within', '3w'], ['--group-by', 'colour'], ['--keep-daily', '-2']]) {
      expect((await run(['forget', '--repo', repo, ...bad])).code, bad.join(' ')).toBe(2);
    }
    expect(await snapshotIds(repo)).toEqual(ids);
  });

  it('--keep-within and --group-by are passed on; --host filters', async () => {
    const { repo, ids } = await repoWithSnapshots('within', 2);
    // Both snapshots are within a day of the newest: nothing goes.
    const s = summaryOf(await runOk(['forget', '--json', '--repo', repo, '--keep-within', '1d', '--group-by', 'host']), 'forget') as { removed: string[]; groups: { key: object; keep: { reasons: string[] }[] }[] };
    expect(s.removed).toEqual([]);
    expect(Object.keys(s.groups[0]!.key)).toEqual(['host']);
    expect(s.groups[0]!.keep[0]!.reasons).toEqual(['within 1d']);
    const other = summaryOf(await runOk(['forget', '--json', '--repo', repo, '--keep-last', '1', '--host', 'elsewhere']), 'forget');
    expect(other).toMatchObject({ removed: [], kept: 0 });
    expect(await snapshotIds(repo)).toEqual(ids);
  });
});

describe('prune', () => {
  it('after forget, prune frees the data only the forgotten snapshots used; check passes; restore still works', async () => {
    const { repo, ids } = await repoWithSnapshots('prune', 3);
    await runOk(['forget', '--repo', repo, '--keep-last', '1']);
    const dry = summaryOf(await runOk(['prune', '--json', '--dry-run', '--repo', repo]), 'prune');
    expect(dry['dryRun']).toBe(true);
    expect(dry['bytesFreed']).toBeGreaterThan(200_000); // two versions of the 120 KB random file
    const before = await repoBytes(repo);
    expect(await repoBytes(repo)).toBe(before); // the dry run changed nothing
    const text = await runOk(['prune', '--repo', repo]);
    expect(text.stdout.toString()).toMatch(/^prune: \d+ packs? deleted, \d+ repacked, \d+ kept; \d+ blobs? removed, .* freed$/m);
    const after = await repoBytes(repo);
    expect(before - after).toBeGreaterThan(200_000);
    await runOk(['check', '--read-data', '--repo', repo]);
    await runOk(['restore', '--repo', repo, ids[2]!, '--target', t.path('prune-restore'), '--verify']);
  });

  it('forget --prune does both under one lock', async () => {
    const { repo } = await repoWithSnapshots('fp', 2);
    const s = summaryOf(await runOk(['forget', '--json', '--prune', '--max-unused', '0%', '--repo', repo, '--keep-last', '1']), 'forget') as { removed: string[]; prune: { bytesFreed: number; dryRun: boolean } };
    expect(s.removed).toHaveLength(1);
    expect(s.prune.dryRun).toBe(false);
    expect(s.prune.bytesFreed).toBeGreaterThan(100_000);
    expect((await run(['prune', '--repo', repo, '--max-unused', '150%'])).code).toBe(2);
  });
});

describe('check', () => {
  it('a sound repository: exit 0, "no errors were found"; --json ends with the summary', async () => {
    const { repo } = await repoWithSnapshots('ok', 1);
    const r = await runOk(['check', '--read-data', '--repo', repo]);
    expect(r.stdout.toString()).toMatch(/^no errors were found$/m);
    const j = await runOk(['check', '--json', '--repo', repo]);
    expect(summaryOf(j, 'check')).toMatchObject({ ok: true, errors: [], snapshots: 1 });
  });

  it('a flipped byte in a pack: check --read-data exits 4 and names the pack', async () => {
    const { repo } = await repoWithSnapshots('bad', 1);
    // Damage the largest pack (file data) in the middle.
    const packs: { path: string; name: string; size: number }[] = [];
    for (const e of await readdir(join(repo, 'data'), { withFileTypes: true, recursive: true })) {
      if (e.isFile()) packs.push({ path: join(e.parentPath, e.name), name: e.name, size: (await readFile(join(e.parentPath, e.name))).length });
    }
    packs.sort((a, b) => b.size - a.size);
    const victim = packs[0]!;
    const bytes = await readFile(victim.path);
    bytes[Math.floor(bytes.length / 3)]! ^= 0x40;
    await rm(victim.path, { force: true });
    await writeFile(victim.path, bytes);
    const r = await cb(['check', '--read-data', '--repo', repo]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(new RegExp(`^error: data/${victim.name}: .*damaged`, 'm'));
    expect(r.stderr).toMatch(/^error: blob\/[0-9a-f]{64}: /m);
    expect(r.stderr).toMatch(/^clawback: check found \d+ errors? in the repository; /m);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    const j = await run(['check', '--json', '--read-data', '--repo', repo]);
    expect(j.code).toBe(4);
    const lines = jsonLines(j);
    expect(lines.some((l) => l['type'] === 'error' && l['object'] === `data/${victim.name}`)).toBe(true);
    expect(summaryOf(j, 'check')).toMatchObject({ ok: false });
  });
});
