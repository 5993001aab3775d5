/*
 * Shared by the CLI tests: spawn the built binary (and the real rdiff) with
 * bytes on stdin, make seeded test files in a temp dir, and check that an
 * error report is one line with no stack trace.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PassThrough } from 'node:stream';
import { expect, inject } from 'vitest';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The build made by test/global-setup.ts (what `npm run build` puts in dist/, in a private directory). */
const BUILD = inject('buildRoot');
/** The built binary: package.json's bin, `dist/src/cli/main.js`. */
export const BIN = join(BUILD, 'src', 'cli', 'main.js');
/** What `npm run demo` runs: `dist/src/cli/demo.js`. */
export const DEMO = join(BUILD, 'src', 'cli', 'demo.js');

/** What a finished process left behind. */
export interface Ran {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/** Runs a program to completion, feeding `input` (if any) on stdin. */
export function run(cmd: string, args: string[], opts: { cwd?: string; input?: Uint8Array; env?: Record<string, string> } = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') }));
    child.stdin.on('error', () => {}); // the child may exit before reading everything
    child.stdin.end(opts.input ?? Buffer.alloc(0));
  });
}

/** Runs `node dist/src/cli/main.js ...args`. */
export function clawback(args: string[], opts: { cwd?: string; input?: Uint8Array; env?: Record<string, string> } = {}): Promise<Ran> {
  return run(process.execPath, [BIN, ...args], opts);
}

/** Runs the real rdiff and insists it succeeded. */
export async function rdiff(args: string[], opts: { cwd?: string; input?: Uint8Array } = {}): Promise<Buffer> {
  const r = await run('rdiff', args, opts);
  if (r.code !== 0) throw new Error(`rdiff ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

/** True when rdiff is on PATH; the interop tests fail with this message otherwise. */
export const HAVE_RDIFF = spawnSync('rdiff', ['--version']).status === 0;
export function requireRdiff(): void {
  if (!HAVE_RDIFF) throw new Error('rdiff is not on PATH: install it (apt install rdiff) to run the cross-checks');
}

/** A temp dir under os.tmpdir(); `rmAll()` in afterAll. */
export async function tempDir(): Promise<{ dir: string; path: (name: string) => string; list: () => Promise<string[]>; rmAll: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'clawback-cli-test-'));
  return {
    dir,
    path: (name) => join(dir, name),
    list: async () => (await readdir(dir)).sort(),
    rmAll: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Seeded bytes (mulberry32). */
export function seededBytes(n: number, seed: number): Uint8Array {
  let s = seed >>> 0;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (t ^ (t >>> 14)) & 0xff;
  }
  return out;
}

/** An old file and a new one made from it by an insert, a change, a deletion and an append. */
export function editedPair(size: number, seed: number): { oldData: Uint8Array; newData: Uint8Array } {
  const oldData = seededBytes(size, seed);
  const q = Math.floor(size / 4);
  const newData = Buffer.concat([
    oldData.subarray(0, q),
    seededBytes(777, seed + 1), // inserted
    oldData.subarray(q, 2 * q),
    seededBytes(300, seed + 2), // replaced
    oldData.subarray(2 * q + 300, 3 * q),
    oldData.subarray(3 * q + 5000), // deleted 5000
    seededBytes(4321, seed + 3), // appended
  ]);
  return { oldData, newData };
}

/** Writes files into a dir. */
export async function writeFiles(dir: string, files: Record<string, Uint8Array>): Promise<void> {
  for (const [name, data] of Object.entries(files)) await writeFile(join(dir, name), data);
}

/** Asserts `stderr` is exactly one `clawback: <what>; <what to do>` line and no stack trace. */
export function expectOneLineError(stderr: string, ...mentions: RegExp[]): void {
  const lines = stderr.split('\n').filter((l) => l.length > 0);
  expect(lines, stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^clawback: [^;]+; .+/);
  expect(stderr).not.toMatch(/^\s+at /m);
  expect(stderr).not.toMatch(/Error:|node:internal/);
  for (const m of mentions) expect(lines[0]).toMatch(m);
}

/** In-memory stdin/stdout/stderr for running `main()` in process; out() and err() read what was written. */
export function captureIo(input: Uint8Array = new Uint8Array(0), env: Record<string, string> = {}) {
  const stdin = new PassThrough();
  stdin.end(input);
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  return { io: { stdin, stdout, stderr, env }, out: () => Buffer.concat(out), err: () => Buffer.concat(err).toString('utf8') };
}
