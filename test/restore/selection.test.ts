// Restore in place with a selection, as a rollback uses it: --delete inside an
// included directory removes what the snapshot lacks there and nothing outside it;
// keep patterns restore the manifests a backup took from an excluded directory and
// leave the rest of that directory alone.
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backup } from '../../src/backup/backup.js';
import { restore } from '../../src/restore/restore.js';
import { LocalBackend } from '../../src/store/backend-local.js';
import { Repository } from '../../src/store/repository.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clawback-selection-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const exists = (p: string) => stat(p).then(() => true, () => false);

describe('restore selection', () => {
  it('--delete under an include removes extras inside the included directory only', async () => {
    const src = join(dir, 'state');
    await mkdir(join(src, 'agents/main/sessions'), { recursive: true });
    await mkdir(join(src, 'agents/work'), { recursive: true });
    await writeFile(join(src, 'agents/main/sessions/a.jsonl'), 'a\n');
    const repo = await Repository.init(await LocalBackend.create(join(dir, 'repo')));
    const snap = await backup(repo, { paths: [src] });
    await writeFile(join(src, 'agents/main/sessions/new.jsonl'), 'created later\n');
    await writeFile(join(src, 'agents/work/other.txt'), 'outside the include');
    await writeFile(join(src, 'top.txt'), 'outside the include');
    const r = await restore(repo, snap.id, { target: src, from: src, delete: true, include: ['agents/main'] });
    expect(await exists(join(src, 'agents/main/sessions/new.jsonl'))).toBe(false);
    expect(await exists(join(src, 'agents/work/other.txt'))).toBe(true);
    expect(await exists(join(src, 'top.txt'))).toBe(true);
    expect(r.deleted).toBe(1);
  });

  it('keep patterns bring back manifests from an excluded directory and touch nothing else there', async () => {
    const src = join(dir, 'state');
    const plugin = join(src, 'extensions', 'voice');
    await mkdir(join(plugin, 'dist'), { recursive: true });
    await writeFile(join(plugin, 'package.json'), '{"name":"voice"}');
    await writeFile(join(plugin, 'openclaw.plugin.json'), '{"id":"voice"}');
    await writeFile(join(plugin, 'dist', 'index.js'), 'export {}');
    const sel = { exclude: ['extensions'], keep: ['extensions/*/package.json', 'extensions/*/openclaw.plugin.json'] };
    const repo = await Repository.init(await LocalBackend.create(join(dir, 'repo')));
    const snap = await backup(repo, { paths: [src], ...sel });
    await rm(join(plugin, 'package.json'));
    await writeFile(join(plugin, 'openclaw.plugin.json'), '{"id":"changed"}');
    await writeFile(join(plugin, 'dist', 'extra.js'), 'not in the backup, but excluded: left alone');
    await restore(repo, snap.id, { target: src, from: src, delete: true, ...sel });
    expect(await readFile(join(plugin, 'package.json'), 'utf8')).toBe('{"name":"voice"}');
    expect(await readFile(join(plugin, 'openclaw.plugin.json'), 'utf8')).toBe('{"id":"voice"}');
    expect(await exists(join(plugin, 'dist', 'extra.js'))).toBe(true);
    expect(await exists(join(plugin, 'dist', 'index.js'))).toBe(true);
  });
});
