/*
 * The file tier on real temp files of a few MB: signatureFile, deltaFile and
 * patchFile agree with the buffer API and with rdiff; AbortSignal aborts leave
 * no output and no temp files; progress climbs to the total; existing outputs
 * are refused unless overwrite; a failed patch never leaves an output behind.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { delta, deltaFile, patch, patchFile, signature, signatureFile, type FileProgress } from '../../src/rsync/index.js';
import { concat, firstDiff } from '../helpers/bytes.js';
import { randomBytes, textBytes } from '../helpers/prng.js';
import { Rdiff } from '../helpers/rdiff.js';
import { codeOf } from '../helpers/errors.js';
import { makeTempDir, type TempDir } from '../helpers/temp-dir.js';

let dir: TempDir;
const rdiff = new Rdiff();
const basis = concat(randomBytes(2_000_000, 1), textBytes(1_500_000, 2));
const data = concat(basis.subarray(0, 700_000), randomBytes(5000, 3), basis.subarray(700_100, 3_000_000), textBytes(40_000, 4), basis.subarray(3_100_000));
let basisPath: string;
let newPath: string;
/** Files the suite created on purpose; anything else in the directory is a leftover. */
const expected = new Set<string>();

beforeAll(() => {
  dir = makeTempDir('files');
  basisPath = dir.write('basis.bin', basis);
  newPath = dir.write('new.bin', data);
  expected.add('basis.bin').add('new.bin');
});
afterAll(() => {
  dir.remove();
  rdiff.remove();
});

const read = (p: string) => new Uint8Array(readFileSync(p));
const out = (name: string) => {
  expected.add(name);
  return dir.file(name);
};
function leftovers(): string[] {
  return dir.list().filter((f) => !expected.has(f));
}

describe('file API == buffer API == rdiff', () => {
  it('signatureFile: librsync default, rollsum/md4 and native', async () => {
    const info = await signatureFile(basisPath, out('basis.sig'), { chunkSize: 65_536 + 7 });
    const bytes = read(dir.file('basis.sig'));
    expect(firstDiff(bytes, signature(basis))).toBeUndefined();
    expect(firstDiff(bytes, rdiff.signatureOfFile(basisPath))).toBeUndefined();
    expect(info).toMatchObject({ blockLen: 1792, strongLen: 32, basisLength: basis.length, signatureLength: bytes.length });

    await signatureFile(basisPath, out('basis-md4.sig'), { weak: 'rollsum', strong: 'md4', strongLen: -1 });
    expect(firstDiff(read(dir.file('basis-md4.sig')), rdiff.signatureOfFile(basisPath, { weak: 'rollsum', strong: 'md4', strongLen: -1 }))).toBeUndefined();

    await signatureFile(basisPath, out('basis.nsig'), { format: 'native' });
    expect(firstDiff(read(dir.file('basis.nsig')), signature(basis, { format: 'native' }))).toBeUndefined();
    expect(leftovers()).toEqual([]);
  });

  it('deltaFile: matches delta(), and rdiff patch applies it; native deltaFile matches too', async () => {
    const stats = await deltaFile(dir.file('basis.sig'), newPath, out('ours.delta'), { chunkSize: 100_003 });
    const ours = read(dir.file('ours.delta'));
    expect(firstDiff(ours, delta(signature(basis), data))).toBeUndefined();
    expect(stats.newLength).toBe(data.length);
    expect(stats.deltaLength).toBe(ours.length);
    expect(ours.length).toBeLessThan(60_000);
    expect(firstDiff(rdiff.patch(basis, ours), data)).toBeUndefined();

    await deltaFile(dir.file('basis.nsig'), newPath, out('ours.ndelta'));
    expect(firstDiff(read(dir.file('ours.ndelta')), delta(signature(basis, { format: 'native' }), data))).toBeUndefined();
    expect(leftovers()).toEqual([]);
  });

  it("patchFile: applies rdiff's delta and our native delta", async () => {
    const r = rdiff.run(['delta', dir.file('basis.sig'), newPath, out('rdiff.delta')]);
    expect(r.status, r.stderr).toBe(0);
    const res = await patchFile(basisPath, dir.file('rdiff.delta'), out('patched.bin'), { chunkSize: 4096 });
    expect(res.outputLength).toBe(data.length);
    expect(firstDiff(read(dir.file('patched.bin')), data)).toBeUndefined();
    expect(firstDiff(read(dir.file('patched.bin')), patch(basis, read(dir.file('rdiff.delta'))))).toBeUndefined();

    await patchFile(basisPath, dir.file('ours.ndelta'), out('patched-native.bin'));
    expect(firstDiff(read(dir.file('patched-native.bin')), data)).toBeUndefined();
    expect(leftovers()).toEqual([]);
  });
});

describe('progress', () => {
  it('bytesDone increases to bytesTotal for all three calls', async () => {
    const runs: [string, (cb: (p: FileProgress) => void) => Promise<unknown>, number][] = [
      ['signatureFile', (cb) => signatureFile(basisPath, out('p.sig'), { onProgress: cb, chunkSize: 250_000 }), basis.length],
      ['deltaFile', (cb) => deltaFile(dir.file('basis.sig'), newPath, out('p.delta'), { onProgress: cb, chunkSize: 250_000 }), data.length],
      ['patchFile', (cb) => patchFile(basisPath, dir.file('ours.delta'), out('p.bin'), { onProgress: cb, chunkSize: 1000 }), read(dir.file('ours.delta')).length],
    ];
    for (const [name, run, total] of runs) {
      const seen: FileProgress[] = [];
      await run((p) => seen.push({ ...p }));
      expect(seen.length, name).toBeGreaterThan(3);
      for (let i = 1; i < seen.length; i++) expect(seen[i]!.bytesDone, name).toBeGreaterThan(seen[i - 1]!.bytesDone);
      expect(seen.every((p) => p.bytesTotal === total && p.bytesDone <= total), name).toBe(true);
      expect(seen.at(-1)!.bytesDone, name).toBe(total);
    }
    expect(leftovers()).toEqual([]);
  });
});

describe('abort', () => {
  const calls: [string, string, (opts: { signal: AbortSignal; onProgress?: (p: FileProgress) => void; chunkSize: number }) => Promise<unknown>][] = [
    ['signatureFile', 'a.sig', (o) => signatureFile(basisPath, dir.file('a.sig'), o)],
    ['deltaFile', 'a.delta', (o) => deltaFile(dir.file('basis.sig'), newPath, dir.file('a.delta'), o)],
    ['patchFile', 'a.bin', (o) => patchFile(basisPath, dir.file('ours.delta'), dir.file('a.bin'), o)],
  ];
  for (const [name, target, run] of calls) {
    it(`${name}: an already-aborted signal, and an abort midway, leave nothing behind`, async () => {
      expect(await codeOf(run({ signal: AbortSignal.abort(), chunkSize: 65_536 }))).toBe('ABORTED');
      expect(dir.list()).not.toContain(target);
      expect(leftovers()).toEqual([]);

      const ac = new AbortController();
      let calls = 0;
      const code = await codeOf(
        run({
          signal: ac.signal,
          chunkSize: 8192,
          onProgress: () => {
            if (++calls === 2) ac.abort(new Error('stop'));
          },
        }),
      );
      expect(code).toBe('ABORTED');
      expect(calls).toBeGreaterThanOrEqual(2);
      expect(dir.list()).not.toContain(target);
      expect(leftovers()).toEqual([]);
    });
  }
});

describe('existing outputs', () => {
  it('EXISTS unless overwrite, and the old content survives the refusal', async () => {
    const target = out('exists.sig');
    writeFileSync(target, 'keep me');
    expect(await codeOf(signatureFile(basisPath, target))).toBe('EXISTS');
    expect(await codeOf(deltaFile(dir.file('basis.sig'), newPath, target))).toBe('EXISTS');
    expect(await codeOf(patchFile(basisPath, dir.file('ours.delta'), target))).toBe('EXISTS');
    expect(readFileSync(target, 'utf8')).toBe('keep me');
    await signatureFile(basisPath, target, { overwrite: true });
    expect(firstDiff(read(target), read(dir.file('basis.sig')))).toBeUndefined();
    expect(leftovers()).toEqual([]);
  });
});

describe('patchFile never leaves a wrong or partial output', () => {
  const bad: [string, () => Uint8Array, string][] = [
    ['truncated librsync delta', () => read(dir.file('ours.delta')).subarray(0, 30_000), 'TRUNCATED'],
    ['truncated native delta', () => read(dir.file('ours.ndelta')).subarray(0, read(dir.file('ours.ndelta')).length - 1), 'TRUNCATED'],
    [
      'native delta with a literal byte changed',
      () => {
        const d = read(dir.file('ours.ndelta')).slice();
        // Inside the 40 KB text literal: after it come only a COPY, END and the 40-byte trailer.
        d[d.length - 100]! ^= 0x40;
        return d;
      },
      'INTEGRITY',
    ],
    // COPY_N4_N4 of 4096 bytes at 4 MiB, past the 3.5 MB basis.
    ['COPY beyond the basis', () => Uint8Array.of(0x72, 0x73, 0x02, 0x36, 0x4f, 0x00, 0x40, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00), 'CORRUPT'],
    ['not a delta', () => read(dir.file('basis.sig')), 'BAD_MAGIC'],
  ];
  for (const [name, make, code] of bad) {
    it(name, async () => {
      const d = dir.write('bad.delta', make());
      expected.add('bad.delta');
      expect(await codeOf(patchFile(basisPath, d, dir.file('bad-out.bin'), { chunkSize: 65_536 }))).toBe(code);
      expect(dir.list()).not.toContain('bad-out.bin');
      expect(leftovers()).toEqual([]);
      // With overwrite the old file stays as it was.
      writeFileSync(out('victim.bin'), 'old');
      expect(await codeOf(patchFile(basisPath, d, dir.file('victim.bin'), { overwrite: true }))).toBe(code);
      expect(readFileSync(dir.file('victim.bin'), 'utf8')).toBe('old');
      expect(leftovers()).toEqual([]);
    });
  }

  it('native delta on the wrong basis: INTEGRITY, no output', async () => {
    const wrong = basis.slice();
    wrong[1_000_000]! ^= 1;
    const wrongPath = out('wrong-basis.bin');
    writeFileSync(wrongPath, wrong);
    expect(await codeOf(patchFile(wrongPath, dir.file('ours.ndelta'), dir.file('wrong-out.bin')))).toBe('INTEGRITY');
    expect(dir.list()).not.toContain('wrong-out.bin');
    expect(leftovers()).toEqual([]);
  });

  it('deltaFile with a corrupt signature file: typed error, no output', async () => {
    const sig = read(dir.file('basis.sig')).subarray(0, 1000);
    const p = dir.write('short.sig', sig);
    expected.add('short.sig');
    expect(await codeOf(deltaFile(p, newPath, dir.file('short.delta')))).toBe('TRUNCATED');
    expect(dir.list()).not.toContain('short.delta');
    expect(leftovers()).toEqual([]);
  });
});
