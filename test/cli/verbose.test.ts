// --verbose lists what a command did, file by file (restic -v style) on stdout, and
// as {"type":"file"} lines with --json; without it only the summary; with --quiet,
// nothing on success.
import { appendFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cbInProcessOk, jsonLines } from './repo-harness.js';

let dir: string;
let repo: string;
let src: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clawback-verbose-'));
  repo = join(dir, 'repo');
  src = join(dir, 'src');
  await mkdir(join(src, 'sessions'), { recursive: true });
  await writeFile(join(src, 'openclaw.json'), '{}');
  await writeFile(join(src, 'sessions', 'a.jsonl'), '{"type":"session"}\n');
  await cbInProcessOk(['init', '--repo', repo]);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('--verbose and --quiet', () => {
  it('backup: new and changed files one per line; JSON file events; quiet prints nothing', async () => {
    const first = await cbInProcessOk(['backup', '-v', '--repo', repo, src]);
    const lines = first.stdout.toString().split('\n');
    expect(lines).toContain(`new     ${join(src, 'openclaw.json')}`);
    expect(lines).toContain(`new     ${join(src, 'sessions', 'a.jsonl')}`);
    await appendFile(join(src, 'sessions', 'a.jsonl'), '{"type":"message"}\n');
    const second = await cbInProcessOk(['--json', 'backup', '-v', '--repo', repo, src]);
    const files = jsonLines(second).filter((l) => l['type'] === 'file');
    expect(files).toEqual([{ type: 'file', command: 'backup', action: 'changed', path: join(src, 'sessions', 'a.jsonl') }]);
    const plain = await cbInProcessOk(['backup', '--repo', repo, src]);
    expect(plain.stdout.toString()).not.toMatch(/^(new|changed) /m);
    expect(plain.stdout.toString()).toMatch(/snapshot [0-9a-f]{8} saved/);
    const quiet = await cbInProcessOk(['backup', '-q', '--repo', repo, src]);
    expect(quiet.stdout.toString()).toBe('');
    expect(quiet.stderr).toBe('');
  });

  it('restore: written and deleted entries one per line', async () => {
    await writeFile(join(src, 'created-later.txt'), 'x');
    await writeFile(join(src, 'openclaw.json'), '{"changed":true}');
    const r = await cbInProcessOk(['restore', '-v', '--repo', repo, '--delete', '--path', src, '--target', src, 'latest']);
    const lines = r.stdout.toString().split('\n');
    expect(lines).toContain(`written ${join(src, 'openclaw.json')}`);
    expect(lines).toContain(`deleted ${join(src, 'created-later.txt')}`);
    expect(lines.filter((l) => /^(written|deleted) /.test(l))).toHaveLength(2);
  });
});
