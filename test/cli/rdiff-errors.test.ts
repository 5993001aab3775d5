// Bad input and missing files: the right exit status, one line that says what to do, no stack trace, no partial output.
import { mkdir, readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clawback, editedPair, expectOneLineError, seededBytes, tempDir, writeFiles } from './harness.js';

let t: Awaited<ReturnType<typeof tempDir>>;
let delta: Buffer;
let nativeDelta: Buffer;

beforeAll(async () => {
  t = await tempDir();
  const { oldData, newData } = editedPair(120_000, 21);
  await writeFiles(t.dir, { old: oldData, new: newData });
  for (const [fmt, name] of [['librsync', 'good.delta'], ['native', 'good.ndelta']] as const) {
    expect((await clawback(['rdiff', 'signature', '--format', fmt, t.path('old'), t.path(`${fmt}.sig`)])).code).toBe(0);
    expect((await clawback(['rdiff', 'delta', t.path(`${fmt}.sig`), t.path('new'), t.path(name)])).code).toBe(0);
  }
  delta = await readFile(t.path('good.delta'));
  nativeDelta = await readFile(t.path('good.ndelta'));
});
afterAll(async () => {
  await t?.rmAll();
});

/** Output files other than the inputs made above. */
async function leftovers(): Promise<string[]> {
  const inputs = new Set(['old', 'new', 'librsync.sig', 'native.sig', 'good.delta', 'good.ndelta', 'bad', 'a-dir']);
  return (await t.list()).filter((f) => !inputs.has(f));
}

async function patchWith(bad: Uint8Array, extra: string[] = []) {
  await writeFiles(t.dir, { bad });
  return clawback(['rdiff', 'patch', ...extra, t.path('old'), t.path('bad'), t.path('out')]);
}

describe('corrupt deltas', () => {
  it('not a delta at all: BAD_MAGIC, exit 3', async () => {
    const r = await patchWith(Buffer.from('this is not a delta, just some text\n'));
    expect(r.code).toBe(3);
    expectOneLineError(r.stderr, /magic/i, /right file/);
    expect(await leftovers()).toEqual([]);
  });

  it('cut short: TRUNCATED, exit 3, no output file (rdiff would leave a partial one)', async () => {
    const r = await patchWith(delta.subarray(0, Math.floor(delta.length / 2)));
    expect(r.code).toBe(3);
    expectOneLineError(r.stderr, /truncated/, /incomplete/);
    expect(await leftovers()).toEqual([]);
  });

  it('a bad command byte: CORRUPT, exit 3', async () => {
    const bad = Buffer.from(delta);
    bad[4] = 0x55; // the first command after the magic; 0x55 is reserved in librsync's table
    const r = await patchWith(bad);
    expect(r.code).toBe(3);
    expectOneLineError(r.stderr, /damaged|corrupt|command|opcode/i);
    expect(await leftovers()).toEqual([]);
  });

  it('a flipped literal byte in a native delta: INTEGRITY, exit 4, no output file', async () => {
    const replaced = Buffer.from(seededBytes(300, 23)); // editedPair(…, 21)'s replacement bytes, carried as a literal
    const at = nativeDelta.indexOf(replaced.subarray(0, 32));
    expect(at).toBeGreaterThan(4);
    const bad = Buffer.from(nativeDelta);
    bad[at + 10] = bad[at + 10]! ^ 0x20;
    const r = await patchWith(bad);
    expect(r.code).toBe(4);
    expectOneLineError(r.stderr, /checksum/, /does not belong together|damaged/);
    expect(await leftovers()).toEqual([]);
  });

  it('a flipped bit in the native trailer: INTEGRITY, exit 4', async () => {
    const bad = Buffer.from(nativeDelta);
    bad[bad.length - 1] = bad[bad.length - 1]! ^ 1;
    const r = await patchWith(bad);
    expect(r.code).toBe(4);
    expectOneLineError(r.stderr);
    expect(await leftovers()).toEqual([]);
  });

  it('garbage on stdin gives the same code and nothing on stdout', async () => {
    const r = await clawback(['rdiff', 'patch', t.path('old'), '-', '-'], { input: Buffer.from('garbage garbage') });
    expect(r.code).toBe(3);
    expect(r.stdout.length).toBe(0);
    expectOneLineError(r.stderr, /magic/i);
  });

  it('a delta given as the signature: BAD_MAGIC, exit 3', async () => {
    const r = await clawback(['rdiff', 'delta', t.path('good.delta'), t.path('new'), t.path('out')]);
    expect(r.code).toBe(3);
    expectOneLineError(r.stderr, /not a signature/);
    expect(await leftovers()).toEqual([]);
  });

  it('--verbose adds the stack after the line; CLAWBACK_DEBUG=1 too', async () => {
    for (const r of [await patchWith(Buffer.from('nope nope'), ['--verbose']), await clawback(['rdiff', 'patch', t.path('old'), t.path('bad'), t.path('out')], { env: { CLAWBACK_DEBUG: '1' } })]) {
      expect(r.code).toBe(3);
      const lines = r.stderr.trim().split('\n');
      expect(lines[0]).toMatch(/^clawback: .*magic/i);
      expect(lines.length).toBeGreaterThan(2);
      expect(r.stderr).toMatch(/^\s+at /m);
    }
  });
});

describe('missing and unusable files', () => {
  it('a missing basis, signature, new file or delta names the file and its role, exit 5', async () => {
    const cases: [string[], RegExp][] = [
      [['signature', t.path('nope'), t.path('out')], /basis file ".*nope" does not exist/],
      [['delta', t.path('nope.sig'), t.path('new'), t.path('out')], /signature file ".*nope\.sig" does not exist/],
      [['delta', t.path('librsync.sig'), t.path('nope.new'), t.path('out')], /new file ".*nope\.new" does not exist/],
      [['patch', t.path('old'), t.path('nope.delta'), t.path('out')], /delta file ".*nope\.delta" does not exist/],
      [['patch', t.path('nope.old'), t.path('good.delta'), '-'], /basis file ".*nope\.old" does not exist/],
    ];
    for (const [args, mention] of cases) {
      const r = await clawback(['rdiff', ...args]);
      expect(r.code, r.stderr).toBe(5);
      expectOneLineError(r.stderr, mention, /check the name/);
    }
    expect(await leftovers()).toEqual([]);
  });

  it('a directory as input is refused clearly, exit 5', async () => {
    await mkdir(t.path('a-dir'), { recursive: true });
    const r = await clawback(['rdiff', 'signature', t.path('a-dir'), t.path('out')]);
    expect(r.code).toBe(5);
    expectOneLineError(r.stderr, /is a directory/);
  });

  it('an output in a missing directory: exit 5, one line', async () => {
    const r = await clawback(['rdiff', 'signature', t.path('old'), t.path('no/such/dir/out.sig')]);
    expect(r.code).toBe(5);
    expectOneLineError(r.stderr, /no such file or directory/);
  });
});
