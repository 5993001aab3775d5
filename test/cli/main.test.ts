// The top level of the CLI: help, version, unknown commands and options, and main() run in-process.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { captureIo, clawback, editedPair, expectOneLineError, rdiff, requireRdiff, ROOT, tempDir, writeFiles } from './harness.js';

describe('clawback (top level)', () => {
  it('--help lists the commands and the exit status table, exit 0', async () => {
    const r = await clawback(['--help']);
    expect(r.code).toBe(0);
    const text = r.stdout.toString();
    expect(text).toMatch(/^Usage: clawback/);
    expect(text).toMatch(/^\s+rdiff\s+\S/m);
    expect(text).toMatch(/^\s+demo\s+\S/m);
    for (const code of [0, 1, 2, 3, 4, 5, 6, 7, 130]) expect(text).toMatch(new RegExp(`^\\s+${code}\\s+\\S`, 'm'));
    expect(r.stderr).toBe('');
  });

  it('--version prints the version from package.json', async () => {
    const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const r = await clawback(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toBe(`clawback ${pkg.version}\n`);
    const j = await clawback(['--json', '-V']);
    expect(JSON.parse(j.stdout.toString())).toEqual({ name: 'clawback', version: pkg.version });
  });

  it('an unknown command is a usage error (exit 2) with one line naming it', async () => {
    const r = await clawback(['frobnicate', 'x']);
    expect(r.code).toBe(2);
    expect(r.stdout.length).toBe(0);
    expectOneLineError(r.stderr, /frobnicate/, /clawback --help/);
  });

  it('no command, or an unknown top-level option, is a usage error', async () => {
    const none = await clawback([]);
    expect(none.code).toBe(2);
    expectOneLineError(none.stderr, /no command/);
    const opt = await clawback(['--frob', 'rdiff']);
    expect(opt.code).toBe(2);
    expectOneLineError(opt.stderr, /--frob/);
  });

  it('with --json a usage error is one JSON line on stdout', async () => {
    const r = await clawback(['--json', 'frobnicate']);
    expect(r.code).toBe(2);
    const lines = r.stdout.toString().trim().split('\n');
    expect(lines).toHaveLength(1);
    const obj = JSON.parse(lines[0]!) as { error: { code: string; message: string; exitCode: number } };
    expect(obj.error.code).toBe('USAGE');
    expect(obj.error.exitCode).toBe(2);
    expect(obj.error.message).toMatch(/frobnicate/);
    expect(r.stderr).toBe('');
  });

  it("'help rdiff' is 'rdiff --help'", async () => {
    const a = await clawback(['help', 'rdiff']);
    const b = await clawback(['rdiff', '--help']);
    expect(a.code).toBe(0);
    expect(a.stdout.toString()).toBe(b.stdout.toString());
    expect(a.stdout.toString()).toMatch(/signature/);
  });
});

describe('main() in-process', () => {
  let t: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    t = await tempDir();
  });
  afterAll(async () => {
    await t.rmAll();
  });

  const streams = (input: Uint8Array) => captureIo(input);

  it('signs stdin to stdout exactly as rdiff does with a pipe', async () => {
    requireRdiff();
    const { oldData } = editedPair(200_000, 11);
    const s = streams(oldData);
    const code = await main(['rdiff', 'signature', '-', '-'], s.io);
    expect(s.err()).toBe('');
    expect(code).toBe(0);
    const theirs = await rdiff(['signature', '-', '-'], { input: oldData });
    expect(s.out().equals(theirs)).toBe(true);
  });

  it('returns the exit status instead of throwing, with one line on stderr', async () => {
    const s = streams(new Uint8Array(0));
    const code = await main(['rdiff', 'patch', t.path('no-such-basis'), t.path('no-such-delta'), t.path('out')], s.io);
    expect(code).toBe(5);
    expectOneLineError(s.err(), /basis file ".*no-such-basis" does not exist/);
  });

  it('an AbortSignal that has fired gives 130 and leaves no output', async () => {
    const { oldData } = editedPair(100_000, 12);
    await writeFiles(t.dir, { 'basis.bin': oldData });
    const s = streams(new Uint8Array(0));
    const ac = new AbortController();
    ac.abort(new Error('interrupted (test)'));
    const code = await main(['rdiff', 'signature', t.path('basis.bin'), t.path('basis.sig')], { ...s.io, signal: ac.signal });
    expect(code).toBe(130);
    expectOneLineError(s.err(), /interrupted \(test\)/);
    expect(await t.list()).toEqual(['basis.bin']);
  });
});
