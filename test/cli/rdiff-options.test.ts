// `clawback rdiff` options: --format native, -f/--force, --no-fsync, --json, --statistics, per-command help and usage errors.
import { readFile, stat, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, clawback, editedPair, expectOneLineError, rdiff, requireRdiff, run, tempDir, writeFiles } from './harness.js';

let t: Awaited<ReturnType<typeof tempDir>>;
let oldData: Uint8Array;
let newData: Uint8Array;

beforeAll(async () => {
  t = await tempDir();
  ({ oldData, newData } = editedPair(400_000, 5));
  await writeFiles(t.dir, { old: oldData, new: newData });
});
afterAll(async () => {
  await t?.rmAll();
});

const read = (name: string) => readFile(t.path(name));
const magicOf = async (name: string) => (await read(name)).subarray(0, 4).toString('latin1');

describe('--format native', () => {
  it('round-trips: signature "cls1", delta "cld1", patch gives the new file', async () => {
    expect((await clawback(['rdiff', 'signature', '--format', 'native', t.path('old'), t.path('n.sig')])).code).toBe(0);
    expect(await magicOf('n.sig')).toBe('cls1');
    // the delta follows the signature's format without being told
    expect((await clawback(['rdiff', 'delta', t.path('n.sig'), t.path('new'), t.path('n.delta')])).code).toBe(0);
    expect(await magicOf('n.delta')).toBe('cld1');
    expect((await clawback(['rdiff', 'patch', '--format=native', t.path('old'), t.path('n.delta'), t.path('n.out')])).code).toBe(0);
    expect((await read('n.out')).equals(Buffer.from(newData))).toBe(true);
  });

  it('a native delta applied to the wrong basis fails INTEGRITY (exit 4) and writes no output', async () => {
    const wrong = Buffer.from(oldData);
    wrong[50_000] = wrong[50_000]! ^ 1; // one bit in the first quarter, which the delta copies
    await writeFiles(t.dir, { 'wrong-basis': wrong });
    const r = await clawback(['rdiff', 'patch', t.path('wrong-basis'), t.path('n.delta'), t.path('n.wrong')]);
    expect(r.code).toBe(4);
    expectOneLineError(r.stderr, /checksum|match/);
    expect((await t.list()).filter((f) => f.includes('n.wrong'))).toEqual([]);
  });

  it('--format librsync on patch refuses a native delta (exit 3) before writing', async () => {
    const r = await clawback(['rdiff', 'patch', '--format', 'librsync', t.path('old'), t.path('n.delta'), t.path('n.refused')]);
    expect(r.code).toBe(3);
    expectOneLineError(r.stderr, /native format/, /--format/);
    const piped = await clawback(['rdiff', 'patch', '--format', 'librsync', t.path('old'), '-', '-'], { input: await read('n.delta') });
    expect(piped.code).toBe(3);
    expect(piped.stdout.length).toBe(0);
  });

  it('--format native with --hash or --rollsum is a usage error', async () => {
    const r = await clawback(['rdiff', 'signature', '--format', 'native', '-H', 'md4', t.path('old'), t.path('x.sig')]);
    expect(r.code).toBe(2);
    expectOneLineError(r.stderr, /native/);
  });

  it('delta --format native from an rdiff signature gives a verified native delta', async () => {
    requireRdiff();
    await rdiff(['signature', t.path('old'), t.path('r.sig')]);
    expect((await clawback(['rdiff', 'delta', '--format', 'native', t.path('r.sig'), t.path('new'), t.path('rn.delta')])).code).toBe(0);
    expect(await magicOf('rn.delta')).toBe('cld1');
    const p = await clawback(['rdiff', 'patch', t.path('old'), t.path('rn.delta'), '-']);
    expect(p.code).toBe(0);
    expect(p.stdout.equals(Buffer.from(newData))).toBe(true);
  });
});

describe('--no-fsync', () => {
  // strace counts the process's fsync calls (the CI installs it); the outputs must be the same either way.
  const syncs = async (args: string[]) => {
    const log = t.path(`strace-${args[2]}-${args.length}.log`);
    const r = await run('strace', ['-f', '-qq', '-e', 'trace=fsync,fdatasync', '-o', log, process.execPath, BIN, ...args]);
    expect(r.code).toBe(0);
    return (await readFile(log, 'utf8')).split('\n').filter((l) => /\b(fsync|fdatasync)\(/.test(l)).length;
  };

  it('writes the same outputs without a single fsync; by default every output is synced', async () => {
    for (const [verb, files] of [
      ['signature', ['old', 'ns.sig']],
      ['delta', ['ns.sig', 'new', 'ns.delta']],
      ['patch', ['old', 'ns.delta', 'ns.out']],
    ] as const) {
      const paths = files.map((f) => t.path(f));
      const fmt = verb === 'signature' ? ['--format', 'native'] : [];
      expect(await syncs(['rdiff', '-f', verb, ...fmt, ...paths])).toBeGreaterThan(0);
      const synced = await read(files.at(-1)!);
      expect(await syncs(['rdiff', '-f', verb, '--no-fsync', ...fmt, ...paths])).toBe(0);
      expect((await read(files.at(-1)!)).equals(synced)).toBe(true);
    }
    expect((await read('ns.out')).equals(Buffer.from(newData))).toBe(true);
    expect((await t.list()).filter((f) => f.includes('clawback-'))).toEqual([]);
  });
});

describe('-f/--force', () => {
  for (const [verb, args] of [
    ['signature', ['old', 'f.sig']],
    ['delta', ['f.sig', 'new', 'f.delta']],
    ['patch', ['old', 'f.delta', 'f.out']],
  ] as const) {
    it(`${verb}: an existing output is refused (exit 6, unchanged) unless -f is given`, async () => {
      const paths = args.map((a) => t.path(a));
      const out = paths[paths.length - 1]!;
      if (verb === 'signature') await writeFile(out, 'precious');
      else if (verb === 'delta') {
        expect((await clawback(['rdiff', 'signature', '-f', t.path('old'), t.path('f.sig')])).code).toBe(0);
        await writeFile(out, 'precious');
      } else {
        expect((await clawback(['rdiff', 'delta', '-f', t.path('f.sig'), t.path('new'), t.path('f.delta')])).code).toBe(0);
        await writeFile(out, 'precious');
      }
      const refused = await clawback(['rdiff', verb, ...paths]);
      expect(refused.code).toBe(6);
      expectOneLineError(refused.stderr, /already exists/, /--force/);
      expect((await readFile(out, 'utf8'))).toBe('precious');
      const forced = await clawback(['rdiff', verb, '--force', ...paths]);
      expect(forced.stderr).toBe('');
      expect(forced.code).toBe(0);
      expect((await readFile(out, 'utf8'))).not.toBe('precious');
    });
  }

  it('the forced patch output is the new file; no temp files are left', async () => {
    expect((await read('f.out')).equals(Buffer.from(newData))).toBe(true);
    expect((await t.list()).filter((f) => f.includes('clawback-'))).toEqual([]);
  });
});

describe('--json', () => {
  const lines = (s: string) => s.split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l) as Record<string, unknown>);

  it('each command ends with a result line that parses; fields add up', async () => {
    const s = await clawback(['rdiff', 'signature', '--json', '-b', '1024', t.path('old'), t.path('j.sig')]);
    expect(s.code).toBe(0);
    const sig = lines(s.stdout.toString());
    expect(sig.at(-1)).toMatchObject({ command: 'rdiff signature', blockLen: 1024, blocks: Math.ceil(oldData.length / 1024), bytesIn: oldData.length, bytesOut: (await stat(t.path('j.sig'))).size });
    const d = await clawback(['--json', 'rdiff', 'delta', t.path('j.sig'), t.path('new'), t.path('j.delta')]);
    expect(d.code).toBe(0);
    const dl = lines(d.stdout.toString()).at(-1)!;
    expect(dl).toMatchObject({ command: 'rdiff delta', format: 'librsync', newLength: newData.length, deltaLength: (await stat(t.path('j.delta'))).size });
    expect((dl['literalBytes'] as number) + (dl['copyBytes'] as number)).toBe(newData.length);
    const p = await clawback(['rdiff', 'patch', t.path('old'), t.path('j.delta'), t.path('j.out'), '--json']);
    expect(lines(p.stdout.toString()).at(-1)).toMatchObject({ command: 'rdiff patch', outputLength: newData.length, deltaLength: (await stat(t.path('j.delta'))).size });
    expect(s.stderr + d.stderr + p.stderr).toBe('');
  });

  it('when stdout carries data the JSON goes to stderr and the data stays clean', async () => {
    const r = await clawback(['rdiff', 'patch', '--json', t.path('old'), t.path('j.delta'), '-']);
    expect(r.code).toBe(0);
    expect(r.stdout.equals(Buffer.from(newData))).toBe(true);
    expect(lines(r.stderr).at(-1)).toMatchObject({ command: 'rdiff patch', output: '-' });
  });

  it('an error is {"error":{code,message}} as the last line, with the exit status', async () => {
    const r = await clawback(['rdiff', 'patch', '--json', t.path('old'), t.path('missing.delta'), t.path('j.none')]);
    expect(r.code).toBe(5);
    const last = lines(r.stdout.toString()).at(-1) as { error: { code: string; message: string; exitCode: number } };
    expect(last.error).toMatchObject({ code: 'NOT_FOUND', exitCode: 5 });
    expect(last.error.message).toMatch(/missing\.delta/);
    const usage = await clawback(['rdiff', 'patch', '--json', '-b', '5', t.path('old')]);
    expect(usage.code).toBe(2);
    expect((lines(usage.stdout.toString()).at(-1) as { error: { code: string } }).error.code).toBe('USAGE');
  });
});

describe('--statistics', () => {
  it('signature: block count and block length match the signature written', async () => {
    const r = await clawback(['rdiff', 'signature', '-s', t.path('old'), t.path('s.sig')]);
    expect(r.code).toBe(0);
    const sig = await read('s.sig');
    const blockLen = sig.readUInt32BE(4);
    const strongLen = sig.readUInt32BE(8);
    expect((sig.length - 12) / (4 + strongLen)).toBe(Math.ceil(oldData.length / blockLen));
    expect(r.stderr).toMatch(new RegExp(`^clawback: signature statistics: signature\\[${Math.ceil(oldData.length / blockLen)} blocks, ${blockLen} bytes per block`));
    expect(r.stderr).toMatch(/speed\[0\.4 MB \([\d.]+ MB\/s\) in, [\d.]+ MB \([\d.]+ MB\/s\) out, [\d.]+ sec\]/);
  });

  it('delta: literal + copy bytes add up to the new file; patch reports its sizes', async () => {
    const d = await clawback(['rdiff', 'delta', '--statistics', t.path('s.sig'), t.path('new'), t.path('s.delta')]);
    expect(d.code).toBe(0);
    const m = /literal\[(\d+) cmds, (\d+) bytes\] copy\[(\d+) cmds, (\d+) bytes, (\d+) false\]/.exec(d.stderr);
    expect(m, d.stderr).not.toBeNull();
    expect(Number(m![2]) + Number(m![4])).toBe(newData.length);
    expect(Number(m![1])).toBeGreaterThanOrEqual(3); // the insert, the replacement and the append
    expect(Number(m![4])).toBeGreaterThan(newData.length / 2);
    const p = await clawback(['rdiff', 'patch', '-s', t.path('old'), t.path('s.delta'), t.path('s.out')]);
    expect(p.stderr).toMatch(new RegExp(`patch statistics: patch\\[${(await stat(t.path('s.delta'))).size} delta bytes, ${newData.length} bytes out`));
  });
});

describe('help and usage errors', () => {
  it('each subcommand has its own --help', async () => {
    for (const [verb, mention] of [['signature', /--block-size/], ['delta', /SIG \[NEW \[DELTA\]\]/], ['patch', /BASIS \[DELTA \[NEW\]\]/]] as const) {
      const r = await clawback(['rdiff', verb, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout.toString()).toMatch(mention);
      expect(r.stdout.toString()).toMatch(/--force/);
    }
  });

  const cases: [string, string[], RegExp][] = [
    ['no subcommand', ['rdiff'], /needs a command/],
    ['unknown subcommand', ['rdiff', 'sign'], /unknown rdiff command "sign"/],
    ['unknown option', ['rdiff', 'signature', '--frob', 'a', 'b'], /--frob/],
    ['missing option value', ['rdiff', 'signature', 'a', 'b', '--block-size'], /block-size/],
    ['bad number', ['rdiff', 'signature', '-b', 'big', 'a', 'b'], /--block-size expects an integer/],
    ['sum size over the hash', ['rdiff', 'signature', '-H', 'md4', '-S', '20', 'a', 'b'], /sum-size/],
    ['bad hash', ['rdiff', 'signature', '-H', 'sha1', 'a', 'b'], /--hash expects one of blake2, md4/],
    ['too many names', ['rdiff', 'signature', 'a', 'b', 'c'], /at most 2/],
    ['patch without basis', ['rdiff', 'patch'], /needs a basis file/],
    ['patch basis from stdin', ['rdiff', 'patch', '-', 'd', 'o'], /BASIS cannot be stdin/],
    ['two stdin inputs', ['rdiff', 'delta', '-', '-', 'o'], /only one input can be stdin/],
    ['signature option on patch', ['rdiff', 'patch', '-b', '512', 'a', 'd', 'o'], /--block-size applies to signature only/],
  ];
  for (const [what, args, mention] of cases) {
    it(`${what}: exit 2, one line`, async () => {
      const r = await clawback(args, { cwd: t.dir });
      expect(r.code).toBe(2);
      expect(r.stdout.length).toBe(0);
      expectOneLineError(r.stderr, mention, /--help/);
    });
  }
});
