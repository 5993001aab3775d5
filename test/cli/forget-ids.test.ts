// `clawback forget SNAPSHOT...` (restic's forget ID...): removes exactly the named
// snapshots, resolves every name before deleting anything, refuses names together
// with a policy, and --prune frees their data.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cbInProcess, cbInProcessOk, summaryOf } from './repo-harness.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clawback-forget-ids-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('forget SNAPSHOT...', () => {
  it('removes the named snapshots only; an unknown name removes nothing', async () => {
    const repo = join(dir, 'repo');
    const src = join(dir, 'src');
    await cbInProcessOk(['init', '--repo', repo]);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      await rm(src, { recursive: true, force: true });
      await import('node:fs/promises').then((f) => f.mkdir(src));
      await writeFile(join(src, 'f'), `generation ${i} `.repeat(10_000));
      ids.push(summaryOf(await cbInProcessOk(['--json', 'backup', '--repo', repo, src]), 'backup')['snapshotId'] as string);
    }
    const bad = await cbInProcess(['forget', '--repo', repo, ids[0]!.slice(0, 8), 'deadbeef']);
    expect(bad.code).toBe(5);
    const list = () => cbInProcessOk(['--json', 'snapshots', '--repo', repo]).then((r) => (JSON.parse(r.stdout.toString().trim().split('\n').pop()!) as { id: string }[]).map((s) => s.id));
    expect(await list()).toHaveLength(3);
    const both = await cbInProcess(['forget', '--repo', repo, '--keep-last', '1', ids[0]!]);
    expect(both.code).toBe(2);
    const done = summaryOf(await cbInProcessOk(['--json', 'forget', '--repo', repo, '--prune', ids[0]!.slice(0, 8), ids[1]!]), 'forget');
    expect(done['removed']).toEqual([ids[0], ids[1]]);
    expect((done['prune'] as { bytesFreed: number }).bytesFreed).toBeGreaterThan(0);
    expect(await list()).toEqual([ids[2]]);
    expect((await cbInProcess(['check', '--repo', repo, '--read-data'])).code).toBe(0);
  });
});
