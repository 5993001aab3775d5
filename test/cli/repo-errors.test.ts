// Exit codes and one-line errors of the repository commands: no repository given (the default), a missing one, a partial backup, a locked repository;
// and where progress goes (TTY or not). The first case of each exit status runs the built binary (`cb`), the variants main() in-process (`run`).
import { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { hostname, userInfo } from 'node:os';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { expectOneLineError, tempDir } from './harness.js';
import { cb, cbInProcess as run, cbInProcessOk as runOk, cbOk, jsonLines, makeTree, summaryOf } from './repo-harness.js';

let t: Awaited<ReturnType<typeof tempDir>>;
let src: string;
let repo: string;

beforeAll(async () => {
  t = await tempDir();
  src = t.path('src');
  repo = t.path('repo');
  await makeTree(src);
  await runOk(['init', '--repo', repo]);
  await runOk(['backup', '--repo', repo, src]);
});

afterAll(async () => {
  await t.rmAll();
});

describe('which repository', () => {
  it('neither --repo nor CLAWBACK_REPO: the default repository in the data dir, created on first use', async () => {
    // HOME and the XDG dirs point into the temp dir: nothing touches the real home.
    const data = t.path('xdg-data');
    const env = { HOME: t.path('home'), XDG_DATA_HOME: data, XDG_CONFIG_HOME: t.path('xdg-config'), CLAWBACK_CONFIG: '' };
    for (const [i, cmd] of [['snapshots'], ['backup', src], ['cat', 'config'], ['forget', '--keep-last', '1']].entries()) {
      const r = i === 0 ? await cb(cmd, env) : await run(cmd, env);
      expect(r.code, `${cmd.join(' ')}\n${r.stderr}`).toBe(0);
      expect(r.stderr.includes('created the default repository'), cmd.join(' ')).toBe(i === 0);
    }
    const snaps = jsonLines(await runOk(['snapshots', '--json', '--repo', join(data, 'clawback', 'repository')]))[0];
    expect(snaps).toHaveLength(1);
  });

  it('--repo "" is a usage error (exit 2)', async () => {
    const r = await run(['snapshots', '--repo', '']);
    expect(r.code).toBe(2);
    expectOneLineError(r.stderr, /--repo/);
  });

  it('CLAWBACK_REPO is used when --repo is not given, and --repo wins over it', async () => {
    const r = await cbOk(['snapshots', '--json'], 0, { CLAWBACK_REPO: repo });
    expect(jsonLines(r)[0]).toHaveLength(1);
    const other = await run(['snapshots', '--repo', t.path('nope')], { CLAWBACK_REPO: repo });
    expect(other.code).toBe(5);
  });

  it('a directory that does not exist or holds no repository: NOT_FOUND (exit 5), one line naming it', async () => {
    const missing = await cb(['snapshots', '--repo', t.path('nope')]);
    expect(missing.code).toBe(5);
    expectOneLineError(missing.stderr, /no clawback repository at .*nope/, /clawback init/);
    const notRepo = await run(['backup', '--repo', src, src]);
    expect(notRepo.code).toBe(5);
    expectOneLineError(notRepo.stderr, /no clawback repository/);
    const json = await run(['--json', 'check', '--repo', t.path('nope')]);
    expect(jsonLines(json).at(-1)).toMatchObject({ error: { code: 'NOT_FOUND', exitCode: 5 } });
  });

  it('no lock object is left in a directory that is not a repository', async () => {
    const plain = t.path('plain');
    await mkdir(plain);
    expect((await run(['check', '--repo', plain])).code).toBe(5);
    const { readdir } = await import('node:fs/promises');
    expect(await readdir(plain)).toEqual([]);
  });
});

describe('usage errors', () => {
  it('backup without PATH and without an OpenClaw state: exit 5 naming where it looked', async () => {
    const home = t.path('empty-home');
    await mkdir(home, { recursive: true });
    const r = await cb(['backup', '--repo', repo], { HOME: home, OPENCLAW_STATE_DIR: '', OPENCLAW_HOME: '' });
    expect(r.code).toBe(5);
    expectOneLineError(r.stderr, new RegExp(`${join(home, '.openclaw')}`));
  });

  it('missing arguments and bad option values are exit 2 with one line', async () => {
    const cases: [string[], RegExp][] = [
      [['backup', '--repo', repo, '--profile', 'work', '--dev'], /--profile and --dev/],
      [['backup', '--repo', repo, '--force', '--parent', 'latest', src], /--force/],
      [['restore', '--repo', repo, 'latest'], /--target/],
      [['diff', '--repo', repo, 'latest'], /two snapshots/],
      [['ls', '--repo', repo, 'latest', '/a', '/b'], /3 arguments/],
      [['backup', '--repo', repo, '--lock-wait', 'soon', src], /--lock-wait/],
      [['snapshots', '--repo', repo, '--frob'], /--frob/],
    ];
    for (const [i, [args, m]] of cases.entries()) {
      const r = i === 0 ? await cb(args) : await run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expectOneLineError(r.stderr, m);
    }
  });

  it('every command has --help, and the top-level help lists them', async () => {
    const top = (await cbOk(['--help'])).stdout.toString();
    for (const c of ['init', 'backup', 'snapshots', 'ls', 'diff', 'restore', 'forget', 'prune', 'check', 'cat']) {
      expect(top).toMatch(new RegExp(`^\\s+${c}\\s+\\S`, 'm'));
      const h = await runInProcess([c, '--help'], false);
      expect(h.code).toBe(0);
      expect(h.stdout).toMatch(new RegExp(`^Usage: clawback ${c}`));
    }
    expect((await runInProcess(['backup', '--help'], false)).stdout).toMatch(/1 partial/);
  });
});

describe('partial backup', () => {
  it('a FIFO is skipped with a warning but does not make the backup partial', async () => {
    const dir = t.path('with-fifo');
    await makeTree(dir);
    expect(spawnSync('mkfifo', [join(dir, 'pipe')]).status, 'mkfifo').toBe(0);
    const r = await cb(['backup', '--repo', repo, dir]);
    expect(r.code).toBe(0);
    const warnings = r.stderr.split('\n').filter((l) => l.startsWith('warning: '));
    expect(warnings).toEqual([`warning: ${join(dir, 'pipe')}: skipped FIFO`]);
  });

  it('an entry that cannot be read is skipped with one warning line; the snapshot is saved and the exit status is 1', async () => {
    // A name that is not valid UTF-8 cannot be named from JavaScript (it reads back as U+FFFD):
    // a deterministic unreadable entry, even as root.
    const dir = t.path('with-bad-name');
    await makeTree(dir);
    writeFileSync(Buffer.concat([Buffer.from(`${dir}/bad-`), Buffer.from([0xff])]), 'x');
    const bad = join(dir, 'bad-\ufffd');
    const r = await cb(['backup', '--repo', repo, dir]);
    expect(r.code).toBe(1);
    const warnings = r.stderr.split('\n').filter((l) => l.startsWith('warning: '));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(bad);
    expect(r.stderr).toMatch(/backup is partial/);
    expect(r.stdout.toString()).toMatch(/^snapshot [0-9a-f]{8} saved \(partial\)$/m);
    const j = await run(['backup', '--json', '--repo', repo, dir]);
    expect(j.code).toBe(1);
    const lines = jsonLines(j);
    expect(lines.filter((l) => l['type'] === 'warning')).toEqual([expect.objectContaining({ type: 'warning', command: 'backup', path: bad, code: 'UNREADABLE' })]);
    expect(summaryOf(j, 'backup')).toMatchObject({ partial: true, skipped: 1, warnings: 1 });
    const snaps = jsonLines(await runOk(['snapshots', '--json', '--repo', repo, '--path', dir]))[0] as unknown as unknown[];
    expect(snaps).toHaveLength(2);
  });

  it('a source path that does not exist is NOT_FOUND (exit 5), not a partial backup', async () => {
    const r = await run(['backup', '--repo', repo, t.path('no-such-dir')]);
    expect(r.code).toBe(5);
    expectOneLineError(r.stderr, /no-such-dir/);
  });
});

describe('locks', () => {
  it('a live exclusive lock makes every command fail with LOCKED (exit 7) naming the holder, also after --lock-wait', async () => {
    const dir = t.path('locked-repo');
    await runOk(['init', '--repo', dir]);
    await runOk(['backup', '--repo', dir, src]);
    let user = 'unknown';
    try {
      user = userInfo().username;
    } catch {
      // no user database entry
    }
    const lock = { time: new Date().toISOString(), exclusive: true, hostname: hostname(), username: user, pid: process.pid };
    await writeFile(join(dir, 'locks', 'ab'.repeat(32)), JSON.stringify(lock));
    for (const [i, cmd] of [['backup', src], ['snapshots'], ['restore', 'latest', '--target', t.path('lr')], ['check'], ['prune'], ['forget', '--keep-last', '1']].entries()) {
      const r = i === 0 ? await cb([...cmd, '--repo', dir]) : await run([...cmd, '--repo', dir]);
      expect(r.code, cmd.join(' ')).toBe(7);
      expectOneLineError(r.stderr, new RegExp(`exclusive lock held by .*@${hostname()} pid ${process.pid}`));
    }
    const waited = await run(['backup', '--repo', dir, '--lock-wait', '300ms', src]);
    expect(waited.code).toBe(7);
    const json = await run(['--json', 'snapshots', '--repo', dir]);
    expect(jsonLines(json).at(-1)).toMatchObject({ error: { code: 'LOCKED', exitCode: 7 } });
    // The failed attempts left no lock objects of their own behind.
    const { readdir } = await import('node:fs/promises');
    expect(await readdir(join(dir, 'locks'))).toEqual(['ab'.repeat(32)]);
  });
});

/** Runs main() in-process with a stderr that claims to be (or not be) a terminal. */
async function runInProcess(args: string[], tty: boolean): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = Object.assign(new PassThrough(), { isTTY: tty, columns: 100 });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  const code = await main(args, { stdin: new PassThrough(), stdout, stderr, env: { CLAWBACK_REPO: repo } });
  return { code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}

describe('progress display', () => {
  it('on a terminal: a \\r-updated status line on stderr, cleared before the summary', async () => {
    const r = await runInProcess(['backup', '--force', src], true);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^\r[^\n]*\d+ files?, .* read/);
    expect(r.stderr.endsWith('\r\x1b[K')).toBe(true);
    expect(r.stderr).not.toMatch(/\n/);
    expect(r.stdout).toMatch(/^snapshot [0-9a-f]{8} saved$/m);
  });

  it('not on a terminal, or with --quiet: no status line at all', async () => {
    const plain = await runInProcess(['backup', '--force', src], false);
    expect(plain.code).toBe(0);
    expect(plain.stderr).toBe('');
    const quiet = await runInProcess(['backup', '--force', '--quiet', src], true);
    expect(quiet.stderr).toBe('');
    expect(quiet.stdout).toBe('');
  });

  it('cat blob refuses a terminal on stdout', async () => {
    const stdout = Object.assign(new PassThrough(), { isTTY: true });
    const stderr = new PassThrough();
    const err: Buffer[] = [];
    stderr.on('data', (c: Buffer) => err.push(c));
    const code = await main(['cat', 'blob', 'abcd'], { stdin: new PassThrough(), stdout, stderr, env: { CLAWBACK_REPO: repo } });
    expect(code).toBe(2);
    expect(Buffer.concat(err).toString()).toMatch(/terminal/);
  });
});
