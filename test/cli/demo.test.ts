// The demo (`npm run demo` runs dist/src/cli/demo.js): it exits 0, says each step with figures
// that agree with each other, and its tree comparison (demo-tree.ts) really catches differences.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { mustHold } from '../../src/cli/demo-context.js';
import { compareWithReference, removeTree, takeReference } from '../../src/cli/demo-tree.js';
import { describeFailure } from '../../src/cli/error-report.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import { DEMO, HAVE_RDIFF, run } from './harness.js';

/** The first capture group of `re` in `out`, as a number; fails the test when absent. */
function num(out: string, re: RegExp): number {
  const m = re.exec(out);
  expect(m, `no match for ${re}`).not.toBeNull();
  return Number(m![1]);
}

/** A size as the demo prints it (`23.0 MB`, `4.1 KB`, `812 B`), in bytes. */
function bytes(text: string): number {
  const m = /^([\d.]+) (B|KB|MB)$/.exec(text);
  expect(m, text).not.toBeNull();
  return Number(m![1]) * { B: 1, KB: 1e3, MB: 1e6 }[m![2] as 'B' | 'KB' | 'MB'];
}

describe('demo', () => {
  it('builds, backs up, changes, breaks, rolls back and verifies an OpenClaw home, then exits 0', { timeout: 180_000 }, async () => {
    const r = await run(process.execPath, [DEMO]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = r.stdout.toString();
    // The steps, in order.
    const titles = [
      /^1\. Built a realistic OpenClaw home/m,
      /^2\. Backed it up into a new repository$/m,
      /^3\. Lived a day/m,
      /^4\. Backed up again$/m,
      /^5\. Broke it/m,
      /^6\. Rolled back to the second snapshot, in place \(clawback rollback\)$/m,
      /^7\. Verified the rollback$/m,
      /^8\. The engine underneath/m,
    ];
    const at = titles.map((t) => out.search(t));
    expect(at.every((i) => i >= 0), out).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);

    // 1 → 2: the first backup holds every generated file but the few volatile ones the scope leaves out
    // (the gateway's FIFO *.sock, Chromium's Singleton* links, *.tmp-* files, SQLite -shm files); secrets are counted.
    const generated = num(out, /^ {5}(\d+) files, [\d.]+ [KM]?B, in \d+ directories/m);
    expect(generated).toBeGreaterThan(100);
    const first = num(out, /^ {5}snapshot [0-9a-f]{8} in [\d.]+ s: (\d+) files/m);
    expect(first).toBeLessThan(generated);
    expect(first).toBeGreaterThan(generated - 10);
    expect(out).toMatch(/^ {5}left out as volatile or regenerable: .*\*\.sock/m);
    expect(num(out, /^ {5}(\d+) files hold secrets/m)).toBeGreaterThan(10);
    expect(out).not.toMatch(/warning/i);

    // 3 → 4: the second backup's new + changed + unchanged files are the files verified in step 7.
    const m = /snapshot [0-9a-f]{8} in [\d.]+ s, parent [0-9a-f]{8}: (\d+) new files, (\d+) changed, (\d+) unchanged/.exec(out);
    expect(m, out).not.toBeNull();
    const secondFiles = Number(m![1]) + Number(m![2]) + Number(m![3]);
    expect(Number(m![3])).toBeGreaterThan(0); // unchanged files are not read again
    const grew = /the repository grew by ([\d.]+ [KM]?B) .*: [\d.]+% of the ([\d.]+ [KM]?B) home/.exec(out);
    expect(grew, out).not.toBeNull();
    expect(bytes(grew![1]!)).toBeLessThan(bytes(grew![2]!) / 2); // dedup: far less than a second copy

    // 5 → 6: the three damaged files are rewritten, the rest left alone; the damaged database is mostly reused.
    const deletedTranscript = /deleted a conversation: (\S+\.jsonl) /.exec(out)?.[1];
    const damagedDb = /^ {5}(\S+\.sqlite): 3 of its \d+ pages zeroed/m.exec(out)?.[1];
    expect(deletedTranscript).toBeDefined();
    expect(damagedDb).toBeDefined();
    expect(out).toMatch(/JSON\.parse says "[^"]+"/);
    const written = [...out.matchAll(/^ {7}written: (\S+)$/gm)].map((w) => w[1]).sort();
    expect(written).toEqual([deletedTranscript, damagedDb, 'openclaw.json'].sort());
    expect(num(out, /^ {5}3 files written, (\d+) unchanged/m)).toBe(secondFiles - 3);
    // A safety snapshot first, and the unchanged files known from it without being read.
    expect(out).toMatch(/^ {5}took a safety snapshot of the broken state first: [0-9a-f]{8} \('clawback rollback --undo'/m);
    expect(out).toMatch(/unchanged \(known from the safety snapshot's records, not even read\)/);
    // The gateway's FIFO is in no snapshot, and a rollback leaves special files alone.
    expect(out).not.toMatch(/deleted: tmp\/openclaw-0\/gateway\.sock/);
    const reuse = /of the ([\d.]+ [KM]?B) written, ([\d.]+ [KM]?B) were reused from the damaged files on disk and ([\d.]+ [KM]?B) fetched/.exec(out);
    expect(reuse, out).not.toBeNull();
    expect(bytes(reuse![2]!)).toBeGreaterThan(0);

    // 7: byte-for-byte against the copy, against the listing, and the repository check.
    expect(num(out, /^ {5}verified (\d+) files, identical$/m)).toBe(secondFiles);
    expect(num(out, /the snapshot's listing \(clawback ls\) agrees: (\d+) files/)).toBe(secondFiles);
    expect(out).toMatch(/^ {5}openclaw\.json parses again; /m);
    expect(out).toMatch(/re-read and re-hashed in [\d.]+ s: no errors/);

    // 8: both formats on both files; rdiff cross-checks when it is installed.
    expect(out.match(/both patches byte-identical to the new file/g)).toHaveLength(2);
    if (HAVE_RDIFF) expect(out.match(/rdiff: its signature is byte-identical to ours; it applied our delta and we applied its delta: both exact/g)).toHaveLength(2);
    else expect(out).toMatch(/rdiff is not on PATH, so the cross-check was skipped/);
    expect(out).toMatch(/^Done in [\d.]+ s: every check above passed\.$/m);
    expect(out).not.toMatch(/^\s+at /m);
  });

  it('--json prints one result line', { timeout: 180_000 }, async () => {
    const r = await run(process.execPath, [DEMO, '--json']);
    expect(r.code).toBe(0);
    const lines = r.stdout.toString().trim().split('\n');
    expect(lines).toHaveLength(1);
    const res = JSON.parse(lines[0]!) as { snapshots: string[]; verified: number; files: number };
    expect(res).toMatchObject({ command: 'demo', ok: true });
    expect(res.snapshots).toHaveLength(2);
    expect(res.verified).toBeGreaterThan(res.files); // the day of changes adds files
  });

  it('a failed check is one INTEGRITY line with exit status 4', () => {
    expect(() => mustHold(true, 'fine')).not.toThrow();
    let caught: unknown;
    try {
      mustHold(false, 'openclaw.json differs');
    } catch (e) {
      caught = e;
    }
    const f = describeFailure(caught);
    expect(f.exitCode).toBe(EXIT.INTEGRITY);
    expect(f.message).toBe('demo check failed: openclaw.json differs');
    expect(f.hint).toMatch(/--keep/);
  });
});

describe('demo tree comparison', () => {
  const T = 1_700_000_000;
  const dirs: string[] = [];
  afterEach(async () => {
    for (const d of dirs.splice(0)) await removeTree(d);
  });

  /** A small tree with a file, a read-only directory, a symlink and (where mkfifo exists) a FIFO, plus its reference copy. */
  function tree() {
    const dir = mkdtempSync(join(tmpdir(), 'clawback-demo-tree-'));
    dirs.push(dir);
    const root = join(dir, 'root');
    mkdirSync(join(root, 'a', 'ro'), { recursive: true });
    writeFileSync(join(root, 'a', 'f.txt'), 'hello world\n');
    chmodSync(join(root, 'a', 'f.txt'), 0o644);
    utimesSync(join(root, 'a', 'f.txt'), T, T); // whole seconds: set again exactly below
    writeFileSync(join(root, 'a', 'ro', 'g.bin'), Buffer.alloc(10_000, 7));
    chmodSync(join(root, 'a', 'ro'), 0o500);
    symlinkSync('a/f.txt', join(root, 'link'));
    const fifo = spawnSync('mkfifo', [join(root, 'pipe')]).status === 0;
    const ref = takeReference(root, join(dir, 'ref'));
    return { root, ref, fifo };
  }

  it('finds an unchanged tree identical, with special files left out', () => {
    const { root, ref, fifo } = tree();
    const c = compareWithReference(root, ref);
    expect(c.differences).toEqual([]);
    expect(c).toMatchObject({ files: 2, bytes: 10_012, symlinks: 1, dirs: 2 });
    expect(c.special).toEqual(fifo ? ['pipe'] : []);
    if (fifo) unlinkSync(join(root, 'pipe')); // a missing FIFO is not a difference
    expect(compareWithReference(root, ref).differences).toEqual([]);
  });

  it('catches one changed byte even with the same size and mtime', () => {
    const { root, ref } = tree();
    const p = join(root, 'a', 'f.txt');
    const data = readFileSync(p);
    data[0] = 'j'.charCodeAt(0);
    writeFileSync(p, data);
    expect(ref.entries.get('a/f.txt')!.mtimeMs).toBe(T * 1000);
    utimesSync(p, T, T);
    expect(compareWithReference(root, ref).differences).toEqual(['a/f.txt: content differs (12 bytes, was 12)']);
  });

  it('catches a mode, a symlink target, a missing and an extra file', () => {
    const { root, ref } = tree();
    chmodSync(join(root, 'a', 'f.txt'), 0o600);
    unlinkSync(join(root, 'link'));
    symlinkSync('elsewhere', join(root, 'link'));
    chmodSync(join(root, 'a', 'ro'), 0o700);
    unlinkSync(join(root, 'a', 'ro', 'g.bin'));
    writeFileSync(join(root, 'new.txt'), 'x');
    const d = compareWithReference(root, ref).differences;
    expect(d).toContain('a/f.txt: mode 600, was 644');
    expect(d).toContain('link: points to elsewhere, pointed to a/f.txt');
    expect(d).toContain('a/ro: mode 700, was 500');
    expect(d).toContain('a/ro/g.bin: missing');
    expect(d).toContain('new.txt: not there before');
  });
});
