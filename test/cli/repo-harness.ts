/*
 * Shared by the repository-command tests (test/cli/repo-*.test.ts): run the
 * built binary (or main() in-process) against a repository, parse --json output, build a small real
 * source tree, and describe a directory (types, modes, bytes, link targets)
 * independently of clawback so restores can be compared with the source.
 */
import { lstat, mkdir, readdir, readFile, readlink, symlink, writeFile, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import { main } from '../../src/cli/main.js';
import { captureIo, clawback, seededBytes, type Ran } from './harness.js';

/** Runs clawback with CLAWBACK_REPO cleared (so only --repo or `env` names a repository). */
export function cb(args: string[], env: Record<string, string> = {}): Promise<Ran> {
  return clawback(args, { env: { CLAWBACK_REPO: '', ...env } });
}

/** Runs clawback and insists on exit status `code` (0 by default), showing stderr otherwise. */
export async function cbOk(args: string[], code = 0, env: Record<string, string> = {}): Promise<Ran> {
  const r = await cb(args, env);
  expect(r.code, `clawback ${args.join(' ')}\n${r.stderr}`).toBe(code);
  return r;
}

/**
 * Runs main() in this process, as the binary would run it (same commands, same output),
 * without the ~0.3 s of CPU a node start costs. For output-format checks; exit codes
 * through a real process are checked by spawning (`cb`).
 */
export async function cbInProcess(args: string[], env: Record<string, string> = {}): Promise<Ran> {
  const c = captureIo(new Uint8Array(0), { CLAWBACK_REPO: '', ...env });
  const code = await main(args, c.io);
  return { code, stdout: c.out(), stderr: c.err() };
}

/** cbInProcess, insisting on exit status `code` (0 by default). */
export async function cbInProcessOk(args: string[], code = 0, env: Record<string, string> = {}): Promise<Ran> {
  const r = await cbInProcess(args, env);
  expect(r.code, `clawback ${args.join(' ')}\n${r.stderr}`).toBe(code);
  return r;
}

/** Every stdout line parsed as JSON (each must parse). */
export function jsonLines(r: Ran): Record<string, unknown>[] {
  const text = r.stdout.toString('utf8');
  expect(text.endsWith('\n'), text).toBe(true);
  return text
    .slice(0, -1)
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** The last --json line, which must be the summary of `command`. */
export function summaryOf(r: Ran, command: string): Record<string, unknown> {
  const lines = jsonLines(r);
  const last = lines[lines.length - 1]!;
  expect(last).toMatchObject({ type: 'summary', command });
  return last;
}

/** The files the source tree starts with: relative path → bytes. */
export const FILES: Readonly<Record<string, Uint8Array>> = {
  'agents/main/sessions/s1.jsonl': Buffer.from('{"role":"user","text":"hi"}\n'.repeat(50)),
  'agents/main/sessions/s2.jsonl': seededBytes(70_000, 7),
  'openclaw.json': Buffer.from('{"model":"x","version":1}\n'),
  'media/photo.bin': seededBytes(150_000, 11),
  'ünïcödé name.txt': Buffer.from('unicode\n'),
};

/** Makes the source tree in `dir`: FILES, an empty dir, a symlink, one file with mode 0640. */
export async function makeTree(dir: string): Promise<void> {
  for (const [rel, data] of Object.entries(FILES)) {
    await mkdir(join(dir, rel, '..'), { recursive: true });
    await writeFile(join(dir, rel), data);
  }
  await chmod(join(dir, 'openclaw.json'), 0o640);
  await mkdir(join(dir, 'empty'), { recursive: true });
  await symlink('openclaw.json', join(dir, 'config-link'));
}

/** What a directory holds, described without clawback: relative path → kind, mode, bytes or target. */
export async function describeDir(dir: string, rel = ''): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const name of (await readdir(join(dir, rel))).sort()) {
    const r = rel ? `${rel}/${name}` : name;
    const p = join(dir, r);
    const st = await lstat(p);
    const mode = (st.mode & 0o7777).toString(8);
    if (st.isSymbolicLink()) out.set(r, `link -> ${await readlink(p)}`);
    else if (st.isDirectory()) {
      out.set(r, `dir ${mode}`);
      for (const [k, v] of await describeDir(dir, r)) out.set(k, v);
    } else out.set(r, `file ${mode} ${Buffer.from(await readFile(p)).toString('base64')}`);
  }
  return out;
}

/** Every path below `dir` (files, dirs, links) as absolute paths, sorted. */
export async function allPaths(dir: string): Promise<string[]> {
  return [...(await describeDir(dir)).keys()].map((r) => join(dir, r)).sort();
}
