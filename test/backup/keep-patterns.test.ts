// Keep patterns in a real backup: dependency manifests are taken even when an exclude pattern
// matches them or a directory above them; an excluded directory holding no kept file is left out
// whole; '!node_modules' withdraws manifests inside node_modules.
import { chmod, mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backup } from '../../src/backup/backup.js';
import { restore } from '../../src/restore/restore.js';
import { LocalBackend } from '../../src/store/backend-local.js';
import { Repository } from '../../src/store/repository.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clawback-keep-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const FILES = [
  'openclaw.json',
  'extensions/voice/package.json',
  'extensions/voice/openclaw.plugin.json',
  'extensions/voice/package-lock.json',
  'extensions/voice/dist/index.js',
  'extensions/voice/node_modules/.package-lock.json',
  'extensions/voice/node_modules/lodash/package.json',
  'extensions/voice/node_modules/lodash/index.js',
  'extensions/no-manifest/dist/x.js',
  'workspace/project/package.json',
  'workspace/project/src/main.ts',
];
const MANIFESTS = ['package.json', 'package-lock.json', 'openclaw.plugin.json'];

async function files(root: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(join(root, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await files(root, r)));
    else out.push(r);
  }
  return out.sort();
}

async function backupAndList(opts: { exclude: string[]; keep?: string[] }): Promise<string[]> {
  const src = join(dir, 'src');
  for (const f of FILES) {
    await mkdir(dirname(join(src, f)), { recursive: true });
    await writeFile(join(src, f), `content of ${f}\n`);
  }
  await chmod(join(src, 'extensions/voice'), 0o750);
  const repo = await Repository.init(await LocalBackend.create(join(dir, 'repo')));
  const b = await backup(repo, { paths: [src], ...opts });
  expect(b.warnings).toEqual([]);
  const out = join(dir, 'out');
  await restore(repo, b.id, { target: out, from: src, verify: true });
  if ((await files(out)).some((f) => f.startsWith('extensions/voice/'))) {
    expect((await stat(join(out, 'extensions/voice'))).mode & 0o777).toBe(0o750); // a directory entered for kept files keeps its metadata
  }
  return files(out);
}

describe('keep patterns', () => {
  it('exclude extensions/*/node_modules, keep manifests except inside node_modules', async () => {
    const got = await backupAndList({ exclude: ['extensions/*/node_modules'], keep: [...MANIFESTS, '!node_modules'] });
    expect(got).toEqual(FILES.filter((f) => !f.includes('/node_modules/')).sort());
  });

  it('exclude extensions/*/node_modules, keep manifests everywhere: the walk enters node_modules for them only', async () => {
    const got = await backupAndList({ exclude: ['extensions/*/node_modules'], keep: MANIFESTS });
    expect(got).toEqual(FILES.filter((f) => !f.includes('/node_modules/') || f.endsWith('/lodash/package.json')).sort());
  });

  it('exclude extensions, keep manifests: only the manifests of extensions, no directory without one', async () => {
    const got = await backupAndList({ exclude: ['extensions'], keep: [...MANIFESTS, '!node_modules'] });
    expect(got).toEqual(
      [
        'openclaw.json',
        'extensions/voice/openclaw.plugin.json',
        'extensions/voice/package-lock.json',
        'extensions/voice/package.json',
        'workspace/project/package.json',
        'workspace/project/src/main.ts',
      ].sort(),
    );
  });

  it('exclude extensions without keep patterns leaves the whole directory out', async () => {
    const got = await backupAndList({ exclude: ['extensions'] });
    expect(got).toEqual(['openclaw.json', 'workspace/project/package.json', 'workspace/project/src/main.ts']);
  });

  it('a kept directory is taken with its contents, minus what the excludes match inside it', async () => {
    const got = await backupAndList({ exclude: ['extensions', '*.js'], keep: ['extensions/voice/dist', 'extensions/voice/node_modules'] });
    expect(got).toEqual([
        'extensions/voice/node_modules/.package-lock.json',
        'extensions/voice/node_modules/lodash/package.json',
        'openclaw.json',
        'workspace/project/package.json',
        'workspace/project/src/main.ts',
      ].sort(),);
  });
});
