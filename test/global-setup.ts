/*
 * vitest global setup: builds the package once so the CLI tests can spawn the
 * built binary (<build>/src/cli/main.js). It runs the same build as `npm run
 * build` (tsc -p tsconfig.build.json) into a private directory named by a hash
 * of the sources, published by rename: other `npm run build`s rewriting dist/
 * in place cannot break a running test, and an unchanged tree is not rebuilt.
 * A failed build stops the run with tsc's output.
 */
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The build the CLI tests spawn: `${buildRoot}/src/cli/main.js`. */
    buildRoot: string;
  }
}

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
// Inside the repository so the build resolves node_modules and finds package.json by walking up.
const CACHE = join(ROOT, 'node_modules', '.cache', 'clawback-test-build');
const INPUTS = ['src', 'fixtures', 'package.json', 'tsconfig.json', 'tsconfig.build.json'];
const DAY_MS = 24 * 3600 * 1000;

function files(path: string): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((name) => files(join(path, name)));
}

/** SHA-256 over the names and bytes of every build input. */
function inputsHash(): string {
  const h = createHash('sha256');
  for (const f of INPUTS.flatMap((p) => files(join(ROOT, p)))) {
    h.update(relative(ROOT, f) + '\0');
    h.update(readFileSync(f));
    h.update('\0');
  }
  return h.digest('hex').slice(0, 20);
}

function build(outDir: string): void {
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', outDir], { cwd: ROOT, encoding: 'utf8' });
  // Exit 2 is "type errors, JavaScript emitted": the CLI tests can still run (the
  // type check is its own CI step), and a tree several people are editing at once
  // does not block everyone's tests on one file in progress.
  if (r.status === 2 && !r.error) {
    process.stderr.write(`test/global-setup.ts: the build has type errors (run npm run typecheck); testing the emitted JavaScript:\n${r.stdout ?? ''}\n`);
    return;
  }
  if (r.error || r.status !== 0) {
    rmSync(outDir, { recursive: true, force: true });
    const output = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
    throw new Error(`test/global-setup.ts: the build (tsc -p tsconfig.build.json) failed (${r.error?.message ?? `exit ${r.status}`}); the CLI tests need it:\n${output}`);
  }
}

/** Removes builds not used for a day (best effort; another run may be using a fresh one). */
function prune(keep: string): void {
  for (const name of existsSync(CACHE) ? readdirSync(CACHE) : []) {
    const p = join(CACHE, name);
    if (p !== keep && Date.now() - statSync(p).mtimeMs > DAY_MS) rmSync(p, { recursive: true, force: true });
  }
}

export default function setup(project: TestProject): void {
  const out = join(CACHE, inputsHash());
  if (!existsSync(join(out, '.complete'))) {
    mkdirSync(CACHE, { recursive: true });
    const tmp = join(CACHE, `.building-${process.pid}-${randomBytes(4).toString('hex')}`);
    build(tmp);
    writeFileSync(join(tmp, '.complete'), `${new Date().toISOString()}\n`);
    try {
      renameSync(tmp, out);
    } catch {
      rmSync(tmp, { recursive: true, force: true }); // another run published the same build first
      if (!existsSync(join(out, '.complete'))) throw new Error(`test/global-setup.ts: could not publish the build to ${out}`);
    }
  }
  const now = new Date();
  utimesSync(out, now, now); // in use: not pruned
  prune(out);
  project.provide('buildRoot', out);
}
