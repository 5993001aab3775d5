// `clawback rdiff` against the real rdiff: identical signatures, and deltas that each tool applies for the other.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, clawback, editedPair, rdiff, requireRdiff, seededBytes, tempDir, writeFiles } from './harness.js';

let t: Awaited<ReturnType<typeof tempDir>>;
const sizes = { empty: 0, tiny: 1000, mid: 70_000, big: 600_000 } as const;

beforeAll(async () => {
  requireRdiff();
  t = await tempDir();
  for (const [name, size] of Object.entries(sizes)) {
    const { oldData, newData } = editedPair(size, size + 1);
    await writeFiles(t.dir, { [`${name}.old`]: oldData, [`${name}.new`]: newData });
  }
});
afterAll(async () => {
  await t?.rmAll();
});

const read = (name: string) => readFile(t.path(name));

describe('signature', () => {
  const optionSets: string[][] = [[], ['-b', '1024'], ['-S', '8'], ['-S', '-1'], ['-H', 'md4'], ['-R', 'rollsum'], ['-H', 'md4', '-R', 'rollsum', '-b', '300', '-S', '6'], ['--block-size=4096', '--sum-size=-1']];
  // Every option set on a size under 64 KiB (256-byte blocks) and one above; defaults on the rest.
  const cases: [string, string[]][] = [...optionSets.flatMap((o): [string, string[]][] => [['tiny', o], ['big', o]]), ['empty', []], ['mid', []]];
  for (const [name, opts] of cases) {
    it(`${name} ${opts.join(' ') || '(defaults)'}: byte-identical to rdiff's, file to file`, async () => {
      const tag = `${name}${opts.join('')}`;
      const r = await clawback(['rdiff', 'signature', ...opts, t.path(`${name}.old`), t.path(`${tag}.ours.sig`)]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      await rdiff(['signature', ...opts, t.path(`${name}.old`), t.path(`${tag}.rdiff.sig`)]);
      expect((await read(`${tag}.ours.sig`)).equals(await read(`${tag}.rdiff.sig`))).toBe(true);
    });
  }

  it('from a pipe (size unknown) to stdout: identical to rdiff reading the same pipe', async () => {
    const input = await read('big.old');
    for (const opts of [[], ['-S', '-1'], ['-b', '512']]) {
      const ours = await clawback(['rdiff', 'signature', ...opts, '-', '-'], { input });
      expect(ours.code).toBe(0);
      const theirs = await rdiff(['signature', ...opts, '-', '-'], { input });
      expect(ours.stdout.equals(theirs)).toBe(true);
    }
  });

  it('with BASIS and SIG left out it reads stdin and writes stdout, like rdiff', async () => {
    const input = await read('mid.old');
    const ours = await clawback(['rdiff', 'signature'], { input });
    expect(ours.code).toBe(0);
    expect(ours.stdout.equals(await rdiff(['signature'], { input }))).toBe(true);
  });

  it('from stdin redirected from a file (size known), like rdiff with < file', async () => {
    const sh = (cmd: string) => import('node:child_process').then(({ execSync }) => execSync(cmd, { cwd: t.dir }));
    const ours = await sh(`"${process.execPath}" "${BIN}" rdiff signature -S -1 - - < big.old`);
    const theirs = await sh('rdiff signature -S -1 - - < big.old');
    expect(ours.equals(theirs)).toBe(true);
    // and it is the size-aware signature, not the unknown-size one
    await rdiff(['signature', '-S', '-1', t.path('big.old'), t.path('big.sized.sig')]);
    expect(ours.equals(await read('big.sized.sig'))).toBe(true);
  });
});

describe('delta and patch across the two tools', () => {
  for (const name of Object.keys(sizes)) {
    it(`${name}: rdiff patch applies clawback's delta; clawback patch applies rdiff's`, async () => {
      await rdiff(['signature', t.path(`${name}.old`), t.path(`${name}.x.sig`)]);
      const newData = await read(`${name}.new`);

      const d = await clawback(['rdiff', 'delta', t.path(`${name}.x.sig`), t.path(`${name}.new`), t.path(`${name}.ours.delta`)]);
      expect(d.code).toBe(0);
      await rdiff(['patch', t.path(`${name}.old`), t.path(`${name}.ours.delta`), t.path(`${name}.by-rdiff`)]);
      expect((await read(`${name}.by-rdiff`)).equals(newData)).toBe(true);

      await rdiff(['delta', t.path(`${name}.x.sig`), t.path(`${name}.new`), t.path(`${name}.rdiff.delta`)]);
      const p = await clawback(['rdiff', 'patch', t.path(`${name}.old`), t.path(`${name}.rdiff.delta`), t.path(`${name}.by-us`)]);
      expect(p.code).toBe(0);
      expect((await read(`${name}.by-us`)).equals(newData)).toBe(true);
    });
  }

  it('md4 + rollsum signatures made by rdiff drive our delta, which rdiff applies', async () => {
    await rdiff(['signature', '-H', 'md4', '-R', 'rollsum', t.path('big.old'), t.path('big.md4.sig')]);
    const d = await clawback(['rdiff', 'delta', t.path('big.md4.sig'), t.path('big.new'), '-']);
    expect(d.code).toBe(0);
    const out = await rdiff(['patch', t.path('big.old'), '-', '-'], { input: d.stdout });
    expect(out.equals(await read('big.new'))).toBe(true);
  });

  it('stdin/stdout all the way: sig from a pipe, delta from a pipe to a pipe, patch from a pipe to a pipe', async () => {
    const oldData = await read('big.old');
    const newData = await read('big.new');
    const sig = await clawback(['rdiff', 'signature', '-', '-'], { input: oldData });
    expect(sig.code).toBe(0);
    await writeFiles(t.dir, { 'pipe.sig': sig.stdout });
    const delta = await clawback(['rdiff', 'delta', t.path('pipe.sig'), '-', '-'], { input: newData });
    expect(delta.code).toBe(0);
    const patched = await clawback(['rdiff', 'patch', t.path('big.old'), '-', '-'], { input: delta.stdout });
    expect(patched.code).toBe(0);
    expect(patched.stdout.equals(newData)).toBe(true);
    // the piped delta is one rdiff accepts too
    expect((await rdiff(['patch', t.path('big.old'), '-', '-'], { input: delta.stdout })).equals(newData)).toBe(true);
    // and the signature read from stdin works as well
    const delta2 = await clawback(['rdiff', 'delta', '-', t.path('big.new'), '-'], { input: sig.stdout });
    expect(delta2.stdout.equals(delta.stdout)).toBe(true);
  });

  it('a delta of unrelated data is all literal and still round-trips through rdiff', async () => {
    await writeFiles(t.dir, { 'other.bin': seededBytes(50_000, 99) });
    await rdiff(['signature', t.path('big.old'), t.path('big.other.sig')]);
    const d = await clawback(['rdiff', 'delta', '-s', t.path('big.other.sig'), t.path('other.bin'), '-']);
    expect(d.stderr).toMatch(/literal\[\d+ cmds, 50000 bytes\] copy\[0 cmds, 0 bytes/);
    expect(d.code).toBe(0);
    expect((await rdiff(['patch', t.path('big.old'), '-', '-'], { input: d.stdout })).equals(await read('other.bin'))).toBe(true);
  });
});
