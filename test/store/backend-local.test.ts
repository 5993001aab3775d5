/*
 * The local file-system backend: the conformance suite on a real directory,
 * then what only a disk has: the restic layout, temporaries left by a crash
 * (including a real SIGKILL mid-write), modes under a hostile umask, and
 * file-system errors mapped to codes with the path in the message.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalBackend, TEMP_PREFIX } from '../../src/store/backend-local.js';
import { listAll } from '../../src/store/backend.js';
import { backendConformance, idOf, testBytes } from './backend-conformance.js';

/** Every file and directory under `root` (root included), with modes. */
async function walk(root: string): Promise<Array<{ path: string; kind: 'dir' | 'file'; mode: number }>> {
  const out: Array<{ path: string; kind: 'dir' | 'file'; mode: number }> = [];
  const visit = async (p: string): Promise<void> => {
    const st = await stat(p);
    out.push({ path: relative(root, p) || '.', kind: st.isDirectory() ? 'dir' : 'file', mode: st.mode });
    if (st.isDirectory()) for (const e of await readdir(p)) await visit(join(p, e));
  };
  await visit(root);
  return out;
}

async function tempFilesUnder(root: string): Promise<string[]> {
  return (await walk(root)).filter((e) => e.path.split(/[\\/]/).pop()!.startsWith(TEMP_PREFIX)).map((e) => e.path);
}

backendConformance('LocalBackend', async () => {
  const parent = await mkdtemp(join(tmpdir(), 'clawback-backend-'));
  const dir = join(parent, 'repo');
  return {
    backend: await LocalBackend.create(dir),
    tempFiles: () => tempFilesUnder(dir),
    modes: () => walk(dir),
    reopen: () => LocalBackend.open(dir),
    dispose: () => rm(parent, { recursive: true, force: true }),
  };
});

describe('LocalBackend on disk', () => {
  let parent: string;
  let dir: string;
  beforeEach(async () => {
    parent = await mkdtemp(join(tmpdir(), 'clawback-local-'));
    dir = join(parent, 'repo');
  });
  afterEach(async () => {
    await rm(parent, { recursive: true, force: true });
  });

  it('lays objects out as restic does', async () => {
    const b = await LocalBackend.create(dir);
    const data = testBytes(10, 1);
    const id = idOf(data);
    for (const type of ['keys', 'locks', 'snapshots', 'index', 'data'] as const) await b.write(type, id, data);
    await b.write('config', 'config', data);
    for (const rel of ['config', `keys/${id}`, `locks/${id}`, `snapshots/${id}`, `index/${id}`, `data/${id.slice(0, 2)}/${id}`]) {
      expect(new Uint8Array(await readFile(join(dir, ...rel.split('/'))))).toEqual(data);
    }
    expect(b.pathOf('data', id)).toBe(join(dir, 'data', id.slice(0, 2), id));
    expect(b.location()).toBe(dir);
  });

  it('create is idempotent and keeps existing objects; open finds them', async () => {
    const b = await LocalBackend.create(dir);
    await b.write('snapshots', 'ab01', testBytes(3, 1));
    await LocalBackend.create(dir);
    const o = await LocalBackend.open(dir);
    expect(await listAll(o, 'snapshots')).toEqual([{ name: 'ab01', size: 3 }]);
  });

  it('open fails with NOT_FOUND for a missing directory and IO for a file', async () => {
    await expect(LocalBackend.open(join(parent, 'nope'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await writeFile(join(parent, 'file'), 'x');
    await expect(LocalBackend.open(join(parent, 'file'))).rejects.toMatchObject({ code: 'IO' });
    await expect(LocalBackend.open('')).rejects.toThrow(RangeError);
  });

  it('recreates a missing type or prefix directory on write, owner-only', async () => {
    const b = await LocalBackend.create(dir);
    await rm(join(dir, 'data'), { recursive: true });
    await rm(join(dir, 'keys'), { recursive: true });
    expect(await listAll(b, 'data')).toEqual([]);
    await b.write('data', 'abcd', testBytes(4, 2));
    await b.write('keys', 'abcd', testBytes(4, 2));
    expect(await b.read('data', 'abcd')).toEqual(testBytes(4, 2));
    if (process.platform !== 'win32') {
      for (const d of ['data', 'data/ab', 'keys']) expect((await stat(join(dir, d))).mode & 0o777).toBe(0o700);
    }
  });

  it('ignores temporaries and foreign files in listings, and cleanupTemp removes only old temporaries', async () => {
    const b = await LocalBackend.create(dir);
    await b.write('data', 'abcd', testBytes(4, 3));
    await writeFile(join(dir, 'data', 'ab', `${TEMP_PREFIX}0123`), 'partial');
    await writeFile(join(dir, 'data', 'ab', 'ABCD'), 'upper case');
    await writeFile(join(dir, 'data', 'ab', 'cdef'), 'wrong prefix dir');
    await mkdir(join(dir, 'data', 'zz'));
    await writeFile(join(dir, 'data', 'zz', 'zz01'), 'bad prefix');
    await writeFile(join(dir, 'keys', `${TEMP_PREFIX}4567`), 'partial');
    await writeFile(join(dir, 'keys', 'README'), 'foreign');
    await writeFile(join(dir, `${TEMP_PREFIX}89ab`), 'partial config');
    expect(await listAll(b, 'data')).toEqual([{ name: 'abcd', size: 4 }]);
    expect(await listAll(b, 'keys')).toEqual([]);
    expect(await listAll(b, 'config')).toEqual([]);

    const old = new Date(Date.now() - 2 * 3600_000);
    await utimes(join(dir, 'keys', `${TEMP_PREFIX}4567`), old, old);
    expect(await b.cleanupTemp({ minAgeMs: 3600_000 })).toBe(1);
    expect(existsSync(join(dir, 'keys', `${TEMP_PREFIX}4567`))).toBe(false);
    expect(existsSync(join(dir, 'data', 'ab', `${TEMP_PREFIX}0123`))).toBe(true);
    expect(await b.cleanupTemp()).toBe(2);
    expect(await tempFilesUnder(dir)).toEqual([]);
    expect(existsSync(join(dir, 'keys', 'README'))).toBe(true);
    await expect(b.cleanupTemp({ minAgeMs: -1 })).rejects.toThrow(RangeError);
  });

  it.runIf(process.platform !== 'win32')('sets 0700/0600 even under a umask that removes owner bits', async () => {
    const saved = process.umask(0o277);
    try {
      const b = await LocalBackend.create(dir);
      await b.write('data', 'abcd', testBytes(4, 4));
      await b.write('config', 'config', testBytes(4, 4));
      await rm(join(dir, 'locks'), { recursive: true });
      await b.write('locks', 'abcd', testBytes(4, 4));
    } finally {
      process.umask(saved);
    }
    const entries = await walk(dir);
    expect(entries.length).toBe(10); // root, 5 type dirs, data/ab, 3 files
    for (const e of entries) expect([e.path, e.mode & 0o777]).toEqual([e.path, e.kind === 'dir' ? 0o700 : 0o600]);
  });

  it('maps file-system errors to codes with the path in the message', async () => {
    const b = await LocalBackend.create(dir);
    // A directory where an object file should be: EISDIR on read, not a file on stat.
    await mkdir(join(dir, 'snapshots', 'abcd'));
    await expect(b.read('snapshots', 'abcd')).rejects.toMatchObject({ code: 'IO', message: expect.stringContaining(join(dir, 'snapshots', 'abcd')) });
    await expect(b.stat('snapshots', 'abcd')).rejects.toMatchObject({ code: 'IO' });
    await expect(b.write('snapshots', 'abcd', testBytes(1, 1))).rejects.toMatchObject({ code: 'IO' });
    // A file where a prefix directory should be: ENOTDIR on write.
    await writeFile(join(dir, 'data', 'ef'), 'not a directory');
    const w = b.write('data', 'ef01', testBytes(3, 1));
    await expect(w).rejects.toMatchObject({ code: 'IO', message: expect.stringContaining(join(dir, 'data', 'ef')) });
    await expect(b.read('data', 'ef01')).rejects.toMatchObject({ code: 'IO' });
    expect(await listAll(b, 'data')).toEqual([]);
  });

  it.runIf(process.platform !== 'win32' && process.getuid?.() !== 0)('maps EACCES to IO', async () => {
    const b = await LocalBackend.create(dir);
    await b.write('index', 'abcd', testBytes(4, 5));
    await chmod(join(dir, 'index', 'abcd'), 0o000);
    await expect(b.read('index', 'abcd')).rejects.toMatchObject({ code: 'IO', message: expect.stringContaining('EACCES') });
  });
});

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The sources the backend needs, transpiled so a plain `node` child can run them. */
const CHILD_SOURCES = ['src/store/backend-local.ts', 'src/store/backend.ts', 'src/store/backend-errors.ts', 'src/core/assert.ts', 'src/core/errors.ts', 'src/core/atomic-file.ts'];

/**
 * A child that writes objects (content from a counter, named by SHA-256) forever,
 * printing a line after each chunk it hands over and after each commit.
 */
const CHILD_SCRIPT = `
import { createHash } from 'node:crypto';
import { LocalBackend } from './src/store/backend-local.js';
const b = await LocalBackend.open(process.argv[2]);
for (let i = Number(process.argv[3]); ; i++) {
  const data = new Uint8Array(300_000 + i * 1000);
  for (let j = 0; j < data.length; j++) data[j] = (j * 31 + i * 7) & 0xff;
  const name = createHash('sha256').update(data).digest('hex');
  async function* chunks() {
    for (let off = 0; off < data.length; off += 16_384) {
      yield data.subarray(off, off + 16_384);
      process.stdout.write('progress ' + name + ' ' + off + '\\n');
      await new Promise((r) => setImmediate(r));
    }
  }
  await b.write(i % 2 ? 'data' : 'locks', name, chunks());
  process.stdout.write('committed ' + (i % 2 ? 'data' : 'locks') + ' ' + name + '\\n');
}
`;

describe('LocalBackend crash safety', () => {
  it('a SIGKILL at any moment leaves each object absent or whole, and cleanupTemp removes the debris', async () => {
    const work = await mkdtemp(join(tmpdir(), 'clawback-crash-'));
    try {
      for (const rel of CHILD_SOURCES) {
        const src = await readFile(join(REPO_ROOT, rel), 'utf8');
        const out = ts.transpileModule(src, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } });
        await mkdir(dirname(join(work, rel)), { recursive: true });
        await writeFile(join(work, rel.replace(/\.ts$/, '.js')), out.outputText);
      }
      await writeFile(join(work, 'package.json'), '{"type":"module"}');
      await writeFile(join(work, 'child.js'), CHILD_SCRIPT);
      const dir = join(work, 'repo');
      const b = await LocalBackend.create(dir);
      const committed: Array<[string, string]> = [];
      // Kill at the 5th, 22nd, 39th... event: after a chunk, mid-object, or just after a commit.
      for (let run = 0; run < 5; run++) {
        const killAt = 5 + run * 17;
        const first = run * 100; // distinct names per run: lock names must not collide
        const child = spawn(process.execPath, [join(work, 'child.js'), dir, String(first)], { stdio: ['ignore', 'pipe', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
        const exited = new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_code, signal) => r(signal)));
        let seen = 0;
        for await (const line of createInterface({ input: child.stdout })) {
          const [event, type, name] = line.split(' ');
          if (event === 'committed') committed.push([type!, name!]);
          if (++seen === killAt) {
            child.kill('SIGKILL');
            break;
          }
        }
        expect(await exited, stderr).toBe('SIGKILL');
      }
      // Every listed object is whole (its bytes hash to its name), and every committed one is listed.
      const listed = new Set<string>();
      for (const type of ['data', 'locks'] as const) {
        for (const { name, size } of await listAll(b, type)) {
          const bytes = await b.read(type, name);
          expect(bytes.length).toBe(size);
          expect(idOf(bytes)).toBe(name);
          listed.add(`${type} ${name}`);
        }
      }
      expect(committed.length).toBeGreaterThan(0);
      for (const [type, name] of committed) expect(listed).toContain(`${type} ${name}`);
      // What a crash may leave besides whole objects: temporaries, which list never showed.
      const debris = await tempFilesUnder(dir);
      expect(await b.cleanupTemp()).toBe(debris.length);
      expect(await tempFilesUnder(dir)).toEqual([]);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });
});
