// Append-only files (JSONL transcripts) that grow while they are read are stored up to a line
// boundary within the size seen at the start, small files and large ones alike (lines larger than
// 1 MiB included), without a warning; a rewritten file takes the normal re-read path. The growth
// is made mid-read by the reader's hook and by the backup's progress callback, and then for real
// by a child process appending lines while backups run one after another.
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, lstatSync, readFileSync, renameSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backup } from '../../src/backup/backup.js';
import { readFileContent, type ChunkParams, type ReadFileOptions } from '../../src/backup/file-reader.js';
import { keyedGear } from '../../src/chunker/gear-table.js';
import { restore } from '../../src/restore/restore.js';
import { LocalBackend } from '../../src/store/backend-local.js';
import type { Id } from '../../src/store/ids.js';
import { Repository } from '../../src/store/repository.js';

let dir: string;
let repo: Repository;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clawback-grow-'));
  repo = await Repository.init(await LocalBackend.create(join(dir, 'repo')));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** One JSONL line of about `size` bytes, '\n' included. */
function line(seq: number, size: number): string {
  const head = JSON.stringify({ type: 'message', seq, text: '' });
  return head.slice(0, -2) + 'x'.repeat(Math.max(0, size - head.length - 1)) + '"}\n';
}

/** Reads `path` with readFileContent into this repository and returns the result with the stored bytes. */
async function read(path: string, opts: ReadFileOptions) {
  const saver = repo.blobSaver();
  const chunk: ChunkParams = { config: repo.config.chunker, gear: keyedGear(new Uint8Array(Buffer.from(repo.config.chunker.gearKey, 'hex'))) };
  const r = await readFileContent(path, lstatSync(path, { bigint: true }), saver, chunk, opts);
  await saver.flush();
  const parts = await Promise.all(r.content.map((id: Id) => repo.loadBlob(id, 'data')));
  return { ...r, bytes: Buffer.concat(parts) };
}

/** Appends once, on the first call. */
function growOnce(path: string, data: string): (n: number) => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    appendFileSync(path, data);
  };
}

describe('readFileContent, append-only', () => {
  it('a small file growing mid-read, its last line half written: stored up to the last whole line', async () => {
    const p = join(dir, 't.jsonl');
    const whole = line(0, 300) + line(1, 5000) + line(2, 40_000);
    const half = line(3, 2000);
    writeFileSync(p, whole + half.slice(0, 700));
    const r = await read(p, { appendOnly: true, onRead: growOnce(p, half.slice(700) + line(4, 100)) });
    expect(r.bytes.toString()).toBe(whole);
    expect(r.size).toBe(whole.length);
    expect(r).toMatchObject({ unstable: false, cut: true, attempts: 1 });
    expect(Number(r.stat.size)).toBeGreaterThan(whole.length + 700); // the stat is the grown file's: the next backup reads it again
  });

  it('a small file ending in a whole line that grows mid-read is stored as read', async () => {
    const p = join(dir, 't.jsonl');
    const whole = line(0, 300) + line(1, 5000);
    writeFileSync(p, whole);
    const r = await read(p, { appendOnly: true, onRead: growOnce(p, line(2, 100)) });
    expect(r.bytes.toString()).toBe(whole);
    expect(r).toMatchObject({ unstable: false, attempts: 1 });
  });

  it('without appendOnly the same growth is re-read whole', async () => {
    const p = join(dir, 't.jsonl');
    writeFileSync(p, line(0, 300) + 'partial');
    const r = await read(p, { onRead: growOnce(p, ' line\n' + line(1, 100)) });
    expect(r.bytes.toString()).toBe(readFileSync(p, 'utf8'));
    expect(r.attempts).toBe(2);
  });

  it('a large file growing mid-read, its unfinished last line over 1 MiB: the cut is found by scanning back', async () => {
    const p = join(dir, 'big.jsonl');
    const whole = line(0, 100_000) + line(1, 1_500_000) + line(2, 300);
    const half = line(3, 2_600_000);
    writeFileSync(p, whole + half.slice(0, 2_500_000));
    let reads = 0;
    const grow = growOnce(p, half.slice(2_500_000) + line(4, 1_200_000));
    const r = await read(p, {
      appendOnly: true,
      onRead: (n) => {
        reads++;
        if (n >= 1 << 20) grow(n); // after the first 1 MiB block: mid-read
      },
    });
    expect(reads).toBeGreaterThan(1);
    expect(r.bytes.equals(Buffer.from(whole))).toBe(true);
    expect(r).toMatchObject({ unstable: false, cut: true, attempts: 1 });
  });

  it('a large file ending in a whole line that grows mid-read is stored whole as read', async () => {
    const p = join(dir, 'big.jsonl');
    const whole = line(0, 1_200_000) + line(1, 900_000);
    writeFileSync(p, whole);
    const grow = growOnce(p, line(2, 1_000_000));
    const r = await read(p, { appendOnly: true, onRead: grow });
    expect(r.bytes.equals(Buffer.from(whole))).toBe(true);
    expect(r).toMatchObject({ unstable: false, attempts: 1 });
  });

  it('a file replaced since the walk (new inode) or shrunk mid-read is read again, not cut', async () => {
    const p = join(dir, 't.jsonl');
    writeFileSync(p, line(0, 2000) + line(1, 2000));
    const walked = lstatSync(p, { bigint: true });
    writeFileSync(join(dir, 'new'), line(7, 2000) + line(8, 2000) + line(9, 50));
    renameSync(join(dir, 'new'), p);
    const saver = repo.blobSaver();
    const chunk: ChunkParams = { config: repo.config.chunker, gear: keyedGear(new Uint8Array(Buffer.from(repo.config.chunker.gearKey, 'hex'))) };
    const r = await readFileContent(p, walked, saver, chunk, { appendOnly: true });
    expect(r).toMatchObject({ attempts: 2, cut: false, unstable: false, size: readFileSync(p).length });

    const shrink = join(dir, 's.jsonl');
    writeFileSync(shrink, line(0, 3000) + line(1, 3000));
    let once = false;
    const s = await read(shrink, {
      appendOnly: true,
      onRead: () => {
        if (once) return;
        once = true;
        truncateSync(shrink, 0);
        writeFileSync(shrink, line(5, 100));
      },
    });
    expect(s.bytes.toString()).toBe(line(5, 100));
    expect(s).toMatchObject({ attempts: 2, cut: false });
  });

  it('an unfinished last line is held back while just written (mtime now or later), stored when old', async () => {
    for (const size of [50_000, 3_000_000]) {
      const p = join(dir, `t${size}.jsonl`);
      const whole = line(0, size);
      writeFileSync(p, whole + '{"type":"mess');
      const future = new Date(Date.now() + 3_600_000);
      utimesSync(p, future, future);
      const held = await read(p, { appendOnly: true });
      expect(held.bytes.toString()).toBe(whole);
      expect(held).toMatchObject({ unstable: false, attempts: 1 });
      const past = new Date(Date.now() - 3_600_000);
      utimesSync(p, past, past);
      const old = await read(p, { appendOnly: true });
      expect(old.bytes.toString()).toBe(whole + '{"type":"mess');
      expect(old.cut).toBe(false);
    }
  });
});

describe('backup, append-only', () => {
  it('a transcript that grows between its stat and its read is stored at the size seen, without a warning, and read again next time', async () => {
    const src = join(dir, 'src');
    const t = join(src, 'b.jsonl');
    await mkdir(src);
    await writeFile(join(src, 'a.txt'), 'read first');
    const first = line(0, 400) + line(1, 90_000);
    writeFileSync(t, first);
    const more = line(2, 1_300_000) + line(3, 200).slice(0, 120); // ends in a half-written line
    const b1 = await backup(repo, {
      paths: [src],
      concurrency: 1, // files are read in name order: a.txt before b.jsonl
      appendOnly: (p) => p.endsWith('.jsonl'),
      onProgress: (e) => {
        if (e.type === 'file' && e.path.endsWith('a.txt')) appendFileSync(t, more);
      },
    });
    expect(b1.warnings).toEqual([]);
    expect(b1.retries).toBe(0);
    const out1 = join(dir, 'out1');
    await restore(repo, b1.id, { target: out1, from: src });
    expect(readFileSync(join(out1, 'b.jsonl'), 'utf8')).toBe(first);

    const b2 = await backup(repo, { paths: [src], appendOnly: (p) => p.endsWith('.jsonl') });
    expect(b2.summary.filesChanged).toBe(1); // the stored size differs from the file's: read again
    expect(b2.summary.filesUnchanged).toBe(1);
    const out2 = join(dir, 'out2');
    await restore(repo, b2.id, { target: out2, from: src });
    // The half-written line was written just now: held back until it is finished.
    expect(readFileSync(join(out2, 'b.jsonl'), 'utf8')).toBe(first + line(2, 1_300_000));
  });

  it('a real writer appending lines (some of 1-2 MB) while backups run: every stored transcript is a prefix of whole JSON lines', { timeout: 240_000 }, async () => {
    const src = join(dir, 'src');
    await mkdir(join(src, 'agents/main/sessions'), { recursive: true });
    const t = join(src, 'agents/main/sessions/s1.jsonl');
    writeFileSync(t, '');
    const stop = join(dir, 'stop');
    const script = join(dir, 'writer.mjs');
    writeFileSync(
      script,
      `import { appendFileSync, existsSync } from 'node:fs';
const [path, stop] = process.argv.slice(2);
let x = 12345;
const rnd = () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648);
const pause = new Int32Array(new SharedArrayBuffer(4));
const sleep = (ms) => Atomics.wait(pause, 0, 0, ms);
for (let seq = 0; !existsSync(stop); seq++) {
  if (seq % 6 !== 5) {
    appendFileSync(path, JSON.stringify({ type: 'message', seq, text: 'y'.repeat(100 + Math.floor(rnd() * 4000)) }) + '\\n');
    sleep(3);
    continue;
  }
  // A 1-2 MB line (an image) goes out in 256 KiB pieces, as a buffered stream writes it: a reader sees it half written.
  const big = Buffer.from(JSON.stringify({ type: 'image', seq, data: 'z'.repeat(1_000_000 + Math.floor(rnd() * 1_000_000)) }) + '\\n');
  for (let i = 0; i < big.length; i += 262144) {
    appendFileSync(path, big.subarray(i, i + 262144));
    sleep(25);
  }
  sleep(60);
}
`,
    );
    const child = spawn(process.execPath, [script, t, stop], { stdio: 'inherit' });
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const ids: Id[] = [];
    try {
      while (lstatSync(t).size < 1_000) await new Promise((r) => setTimeout(r, 5));
      for (let i = 0; i < 12; i++) {
        const b = await backup(repo, { paths: [src], appendOnly: (p) => p.endsWith('.jsonl') });
        expect(b.warnings).toEqual([]);
        ids.push(b.id);
      }
    } finally {
      writeFileSync(stop, '');
      expect(await exited).toBe(0);
    }
    const final = readFileSync(t);
    expect(existsSync(stop)).toBe(true);
    const sizes: number[] = [];
    for (const [i, id] of ids.entries()) {
      const out = join(dir, `out${i}`);
      await restore(repo, id, { target: out, from: src });
      const got = readFileSync(join(out, 'agents/main/sessions/s1.jsonl'));
      sizes.push(got.length);
      expect(final.subarray(0, got.length).equals(got), `snapshot ${i} is a prefix of the final file`).toBe(true);
      if (got.length === 0) continue;
      expect(got[got.length - 1], `snapshot ${i} ends in a newline`).toBe(0x0a);
      const lines = got.toString('utf8').split('\n').slice(0, -1);
      lines.forEach((l, n) => expect(() => JSON.parse(l), `snapshot ${i} line ${n}`).not.toThrow());
      await rm(out, { recursive: true });
    }
    // The writer ran during the backups: the stored transcripts grow.
    expect(sizes[sizes.length - 1]).toBeGreaterThan(sizes[0]!);
  });
});
