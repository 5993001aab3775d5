// The repository commands end to end on a small real tree: init, backup, snapshots, ls, diff, restore, cat, with `latest` and id prefixes.
// The repository and first snapshots are made by the built binary; the many output checks after that run main() in-process
// (same code, no node start per call); exit codes through a real process are in repo-errors.test.ts.
import { mkdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from './harness.js';
import { allPaths, cbInProcess as run, cbInProcessOk as runOk, cbOk, describeDir, FILES, jsonLines, makeTree, summaryOf } from './repo-harness.js';

let t: Awaited<ReturnType<typeof tempDir>>;
let src: string;
let repo: string;
let repoId: string;
/** Snapshot ids, oldest first. */
const snaps: string[] = [];
/** The source as it was at each snapshot. */
const states: Map<string, string>[] = [];
const nFiles = Object.keys(FILES).length;

beforeAll(async () => {
  t = await tempDir();
  src = t.path('src');
  repo = t.path('repo');
  await makeTree(src);
  const init = await cbOk(['init', '--json', '--repo', repo]);
  const s = summaryOf(init, 'init');
  repoId = s['id'] as string;
  // First backup, tagged.
  const b1 = await cbOk(['backup', '--json', '--repo', repo, '--tag', 'first,daily', src]);
  snaps.push(summaryOf(b1, 'backup')['snapshotId'] as string);
  states.push(await describeDir(src));
  // Change one file, add one, remove one, then the second backup.
  await writeFile(join(src, 'openclaw.json'), '{"model":"y","version":2}\n');
  await writeFile(join(src, 'agents/main/sessions/s3.jsonl'), 'new session\n');
  await unlink(join(src, 'media/photo.bin'));
  const b2 = await cbOk(['backup', '--json', '--repo', repo, src]);
  snaps.push(summaryOf(b2, 'backup')['snapshotId'] as string);
  states.push(await describeDir(src));
});

afterAll(async () => {
  await t.rmAll();
});

describe('init', () => {
  it('printed the repository id and location, and the config says so', async () => {
    expect(repoId).toMatch(/^[0-9a-f]{64}$/);
    const text = await runOk(['init', '--repo', t.path('repo-text')]);
    expect(text.stdout.toString()).toMatch(new RegExp(`^created clawback repository [0-9a-f]{10} at ${t.path('repo-text')}\\n`));
    const cfg = JSON.parse((await runOk(['cat', 'config', '--repo', repo])).stdout.toString()) as { id: string };
    expect(cfg.id).toBe(repoId);
  });

  it('takes chunk size, compression and pack size, and checks them', async () => {
    const dir = t.path('repo-opts');
    await runOk(['init', '--repo', dir, '--chunk-size', '8K', '--compression', '0', '--pack-size', '64KiB']);
    const cfg = JSON.parse(await readFile(join(dir, 'config'), 'utf8')) as { chunker: { avgSize: number; minSize: number; maxSize: number }; compression: { level: number }; packSize: number };
    expect(cfg.chunker).toMatchObject({ avgSize: 8192, minSize: 2048, maxSize: 32768 });
    expect(cfg.compression.level).toBe(0);
    expect(cfg.packSize).toBe(65536);
    for (const bad of [['--compression', '10'], ['--chunk-size', '3000'], ['--pack-size', '12'], ['--chunk-size', 'lots']]) {
      const r = await run(['init', '--repo', t.path('repo-bad'), ...bad]);
      expect(r.code, bad.join(' ')).toBe(2);
    }
  });

  it('refuses an existing repository and a non-empty directory (EXISTS, exit 6)', async () => {
    const again = await run(['init', '--repo', repo]);
    expect(again.code).toBe(6);
    expect(again.stderr).toMatch(/already exists/);
    const notEmpty = await run(['init', '--repo', src]);
    expect(notEmpty.code).toBe(6);
    expect(notEmpty.stderr).toMatch(/not empty/);
  });
});

describe('backup', () => {
  it('the first backup read every file, the second only the changed and new ones', async () => {
    const all = jsonLines(await runOk(['snapshots', '--json', '--repo', repo]))[0] as unknown as { summary: Record<string, number> }[];
    expect(all[0]!.summary).toMatchObject({ filesNew: nFiles, filesChanged: 0, filesUnchanged: 0, totalFiles: nFiles });
    // openclaw.json changed, s3 is new, photo.bin gone, the other files untouched.
    expect(all[1]!.summary).toMatchObject({ filesNew: 1, filesChanged: 1, filesUnchanged: nFiles - 2, totalFiles: nFiles });
  });

  it('prints a restic-like summary; --json gives progress lines and the summary last', async () => {
    await writeFile(join(src, 'openclaw.json'), '{"model":"z","version":3}\n');
    const text = await runOk(['backup', '--repo', repo, src]);
    const out = text.stdout.toString();
    expect(out).toMatch(/^Files:\s+0 new,\s+1 changed,\s+\d+ unmodified$/m);
    expect(out).toMatch(/^Dirs:\s+\d+$/m);
    expect(out).toMatch(/^Added to the repository: \d.* \(.* stored\)$/m);
    expect(out).toMatch(/^snapshot [0-9a-f]{8} saved$/m);
    expect(text.stderr).toBe('');
    await writeFile(join(src, 'openclaw.json'), '{"model":"z","version":4}\n');
    const r = await runOk(['backup', '--json', '--repo', repo, src]);
    const lines = jsonLines(r);
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines.slice(0, -1).every((l) => l['type'] === 'progress' && l['command'] === 'backup')).toBe(true);
    const s = summaryOf(r, 'backup');
    expect(s).toMatchObject({ filesChanged: 1, partial: false, warnings: 0 });
    const quiet = await runOk(['backup', '--quiet', '--repo', repo, src]);
    expect(quiet.stdout.length + quiet.stderr.length).toBe(0);
    // --force reads everything again.
    const forced = summaryOf(await runOk(['backup', '--json', '--force', '--repo', repo, src]), 'backup');
    expect(forced).toMatchObject({ filesUnchanged: 0, parent: null });
    // Back to the state of the second snapshot for the tests below.
    await writeFile(join(src, 'openclaw.json'), '{"model":"y","version":2}\n');
  });
});

describe('snapshots', () => {
  it('lists every snapshot as a table and as a JSON array', async () => {
    const arr = jsonLines(await runOk(['snapshots', '--json', '--repo', repo]))[0] as unknown as { id: string; shortId: string; tags: string[]; host: string; paths: string[] }[];
    expect(arr.slice(0, 2).map((s) => s.id)).toEqual(snaps);
    expect(arr[0]!.tags).toEqual(['daily', 'first']);
    expect(arr[0]!.paths).toEqual([src]);
    const table = (await runOk(['snapshots', '--repo', repo])).stdout.toString().split('\n');
    expect(table[0]).toMatch(/^ID\s+Time\s+Host\s+Tags\s+Paths\s+Size$/);
    for (const s of arr) expect(table.some((l) => l.startsWith(`${s.shortId}  `) && l.includes(src))).toBe(true);
    expect(table).toContain(`${arr.length} snapshots`);
  });

  it('filters by tag, host and path', async () => {
    const tagged = jsonLines(await runOk(['snapshots', '--json', '--repo', repo, '--tag', 'first']))[0] as unknown as { id: string }[];
    expect(tagged.map((s) => s.id)).toEqual([snaps[0]]);
    const both = jsonLines(await runOk(['snapshots', '--json', '--repo', repo, '--tag', 'first,nope']))[0] as unknown as unknown[];
    expect(both).toEqual([]);
    const host = jsonLines(await runOk(['snapshots', '--json', '--repo', repo, '--host', 'no-such-host']))[0] as unknown as unknown[];
    expect(host).toEqual([]);
    const path = jsonLines(await runOk(['snapshots', '--json', '--repo', repo, '--path', src]))[0] as unknown as unknown[];
    expect(path.length).toBeGreaterThanOrEqual(2);
  });
});

describe('ls', () => {
  it('lists every path of the snapshot below the source, with latest and id prefixes', async () => {
    const r = await runOk(['ls', '--repo', repo, snaps[0]!.slice(0, 7)]);
    const listed = r.stdout.toString().trim().split('\n');
    const expected = [...states[0]!.keys()].map((k) => join(src, k));
    expect(listed.filter((p) => p.startsWith(src + '/')).sort()).toEqual(expected.sort());
    expect(listed).toContain(src);
    expect(r.stderr).toMatch(new RegExp(`^snapshot ${snaps[0]!.slice(0, 8)} of \\[${src}\\]`));
  });

  it('--long shows mode, size and link targets; --no-recursive one level; PATH a subdirectory', async () => {
    const long = (await runOk(['ls', '--long', '--repo', repo, snaps[1]!, src])).stdout.toString();
    expect(long).toMatch(new RegExp(`^-rw-r-----\\s+\\d+\\s+\\d+\\s+26 \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d ${join(src, 'openclaw.json')}$`, 'm'));
    expect(long).toMatch(new RegExp(`^lrwxrwxrwx .* ${join(src, 'config-link')} -> openclaw.json$`, 'm'));
    const flat = (await runOk(['ls', '--no-recursive', '--repo', repo, snaps[1]!, src])).stdout.toString().trim().split('\n');
    expect(flat.sort()).toEqual(['agents', 'config-link', 'empty', 'media', 'openclaw.json', 'ünïcödé name.txt'].map((n) => join(src, n)).sort());
    const sub = (await runOk(['ls', '--repo', repo, snaps[1]!, join(src, 'agents/main')])).stdout.toString().trim().split('\n');
    expect(sub).toEqual(['sessions', 'sessions/s1.jsonl', 'sessions/s2.jsonl', 'sessions/s3.jsonl'].map((n) => join(src, 'agents/main', n)));
  });

  it('--json gives one node per entry, then the summary', async () => {
    const r = await runOk(['ls', '--json', '--repo', repo, snaps[1]!, join(src, 'agents')]);
    const lines = jsonLines(r);
    const nodes = lines.slice(0, -1);
    expect(nodes.every((n) => n['type'] === 'node')).toBe(true);
    expect(nodes.find((n) => n['name'] === 's3.jsonl')).toMatchObject({ nodeType: 'file', size: 12 });
    expect(summaryOf(r, 'ls')).toMatchObject({ snapshotId: snaps[1], entries: nodes.length });
  });

  it('latest is the newest snapshot', async () => {
    const newest = (jsonLines(await runOk(['snapshots', '--json', '--repo', repo]))[0] as unknown as { id: string }[]).at(-1)!.id;
    const a = await runOk(['ls', '--json', '--repo', repo, 'latest', src]);
    expect(summaryOf(a, 'ls')['snapshotId']).toBe(newest);
  });
});

describe('diff', () => {
  it('prints +, - and M lines and the totals', async () => {
    const r = await runOk(['diff', '--repo', repo, snaps[0]!.slice(0, 8), snaps[1]!.slice(0, 8)]);
    const lines = r.stdout.toString().trim().split('\n');
    expect(lines).toEqual([
      `+    ${join(src, 'agents/main/sessions/s3.jsonl')}`,
      `-    ${join(src, 'media/photo.bin')}`,
      `M    ${join(src, 'openclaw.json')}`,
      '1 added, 1 removed, 1 modified',
    ]);
    const j = await runOk(['diff', '--json', '--repo', repo, snaps[0]!, snaps[1]!]);
    const changes = jsonLines(j).slice(0, -1);
    expect(changes.map((c) => [c['modifier'], c['change']])).toEqual([
      ['+', 'added'],
      ['-', 'removed'],
      ['M', 'modified'],
    ]);
    expect(summaryOf(j, 'diff')).toMatchObject({ from: snaps[0], to: snaps[1], added: 1, removed: 1, modified: 1 });
  });

  it('a snapshot against itself is empty', async () => {
    const r = await runOk(['diff', '--repo', repo, snaps[0]!, snaps[0]!]);
    expect(r.stdout.toString()).toBe('0 added, 0 removed, 0 modified\n');
  });
});

describe('restore', () => {
  it('restores the first snapshot byte for byte, with modes and links, and verifies', async () => {
    const target = t.path('restore-1');
    const r = await runOk(['restore', '--json', '--verify', '--repo', repo, snaps[0]!.slice(0, 10), '--target', target]);
    expect(await describeDir(join(target, src))).toEqual(states[0]);
    expect(summaryOf(r, 'restore')).toMatchObject({ snapshotId: snaps[0], filesWritten: nFiles, verified: nFiles });
  });

  it('--path restores one directory; in place over another state with --delete gives exactly the snapshot', async () => {
    const target = t.path('restore-2');
    await runOk(['restore', '--repo', repo, snaps[0]!, '--target', target, '--path', src]);
    expect(await describeDir(target)).toEqual(states[0]);
    await writeFile(join(target, 'stray.txt'), 'not in the snapshot');
    const text = await runOk(['restore', '--repo', repo, snaps[1]!, '--target', target, '--path', src, '--delete']);
    expect(text.stdout.toString()).toMatch(/^Files: \d+ written, \d+ unchanged, 2 deleted/m);
    expect(await describeDir(target)).toEqual(states[1]);
  });

  it('--include and --exclude select what is restored', async () => {
    const inc = t.path('restore-inc');
    await runOk(['restore', '--repo', repo, snaps[1]!, '--target', inc, '--path', src, '--include', '*.jsonl']);
    expect((await allPaths(inc)).filter((p) => p.endsWith('.jsonl') || p.endsWith('.json') || p.endsWith('.txt'))).toEqual(
      ['s1.jsonl', 's2.jsonl', 's3.jsonl'].map((f) => join(inc, 'agents/main/sessions', f)),
    );
    const exc = t.path('restore-exc');
    await runOk(['restore', '--repo', repo, snaps[1]!, '--target', exc, '--path', src, '--exclude', 'agents']);
    const got = await describeDir(exc);
    expect([...got.keys()].some((k) => k.startsWith('agents'))).toBe(false);
    expect(got.get('openclaw.json')).toBe(states[1]!.get('openclaw.json'));
  });
});

describe('cat', () => {
  it('snapshot, tree, index, pack and blob', async () => {
    const snap = JSON.parse((await runOk(['cat', 'snapshot', snaps[1]!.slice(0, 6), '--repo', repo])).stdout.toString()) as { id: string; tree: string; paths: string[] };
    expect(snap).toMatchObject({ id: snaps[1], paths: [src] });
    const dirTree = JSON.parse((await runOk(['cat', '--json', 'tree', `${snaps[1]}:${src}`, '--repo', repo])).stdout.toString()) as { nodes: { name: string; content?: string[] }[] };
    const cfgNode = dirTree.nodes.find((n) => n.name === 'openclaw.json')!;
    expect(cfgNode.content).toHaveLength(1);
    // The blob is the file's bytes.
    const blob = await runOk(['cat', 'blob', cfgNode.content![0]!.slice(0, 12), '--repo', repo]);
    expect(blob.stdout.toString()).toBe('{"model":"y","version":2}\n');
    // The root tree by id (prefix) is the snapshot's.
    const root = JSON.parse((await runOk(['cat', 'tree', snap.tree.slice(0, 8), '--repo', repo])).stdout.toString()) as { id: string };
    expect(root.id).toBe(snap.tree);
    // An index file lists packs; the header of each is what the index says it holds.
    const { readdir } = await import('node:fs/promises');
    const [indexName] = await readdir(join(repo, 'index'));
    const idx = JSON.parse((await runOk(['cat', 'index', indexName!.slice(0, 8), '--repo', repo])).stdout.toString()) as { id: string; packs: { packId: string; blobs: { id: string; offset: number }[] }[] };
    expect(idx.id).toBe(indexName);
    const packId = idx.packs[0]!.packId;
    const pack = JSON.parse((await runOk(['cat', 'pack', packId.slice(0, 10), '--repo', repo])).stdout.toString()) as { id: string; blobs: { id: string; offset: number }[] };
    expect(pack.id).toBe(packId);
    expect(pack.blobs.map((b) => [b.id, b.offset])).toEqual(idx.packs[0]!.blobs.map((b) => [b.id, b.offset]));
  });

  it('unknown types, missing ids and bad prefixes are refused', async () => {
    expect((await run(['cat', 'frob', 'x', '--repo', repo])).code).toBe(2);
    expect((await run(['cat', 'snapshot', '--repo', repo])).code).toBe(2);
    expect((await run(['cat', 'config', 'extra', '--repo', repo])).code).toBe(2);
    const none = await run(['cat', 'blob', 'ffffffffffff', '--repo', repo]);
    expect(none.code).toBe(5);
    expect(none.stderr).toMatch(/no data blob matches ffffffffffff/);
  });
});

describe('snapshot names', () => {
  it('a prefix matching no snapshot, or not hex, is NOT_FOUND (exit 5)', async () => {
    const unused = ['0000', '1111', '2222', '3333', '4444', '5555'].find((p) => !snaps.some((s) => s.startsWith(p)))!;
    const r = await run(['ls', '--repo', repo, unused]);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(new RegExp(`no snapshot matches ${unused}`));
    expect((await run(['restore', '--repo', repo, 'newest', '--target', t.path('x')])).code).toBe(5);
  });

  it('latest in an empty repository is NOT_FOUND', async () => {
    const empty = t.path('repo-empty');
    await mkdir(empty);
    await runOk(['init', '--repo', empty]);
    const r = await run(['ls', '--repo', empty, 'latest']);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/no snapshots/);
    await rm(empty, { recursive: true });
  });
});
