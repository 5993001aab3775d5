// Entries deleted between the directory listing and their read (as a running OpenClaw deletes
// files) are reported as VANISHED and counted in summary.vanished, and the backup is not partial;
// an entry that is there but cannot be read (a name that is not valid UTF-8) still makes it partial.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { makeTestDb } from '../helpers/sqlite.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backup } from '../../src/backup/backup.js';
import { restore } from '../../src/restore/restore.js';
import { LocalBackend } from '../../src/store/backend-local.js';
import { Repository } from '../../src/store/repository.js';

let dir: string;
let repo: Repository;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clawback-vanish-'));
  repo = await Repository.init(await LocalBackend.create(join(dir, 'repo')));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('vanished entries', () => {
  it('a file deleted after the listing is a VANISHED warning, counted, and the backup is not partial', async () => {
    const src = join(dir, 'src');
    mkdirSync(src);
    for (const n of ['a.txt', 'b.txt', 'c.txt']) writeFileSync(join(src, n), `${n}\n`);
    const b = await backup(repo, {
      paths: [src],
      concurrency: 1, // read in name order: b.txt is listed and stat'ed, then deleted after a.txt is read
      onProgress: (e) => {
        if (e.type === 'file' && e.path.endsWith('a.txt')) rmSync(join(src, 'b.txt'));
      },
    });
    expect(b.warnings).toEqual([expect.objectContaining({ path: join(src, 'b.txt'), code: 'VANISHED' })]);
    expect(b.summary).toMatchObject({ vanished: 1, skipped: 1, partial: false, filesNew: 2 });
    expect((await repo.loadSnapshot(b.id)).summary).toMatchObject({ vanished: 1, partial: false });
    const out = join(dir, 'out');
    await restore(repo, b.id, { target: out, from: src });
    expect((await readdir(out)).sort()).toEqual(['a.txt', 'c.txt']);
  });

  it('a rollback journal deleted before its database is read: VANISHED, and the database is stored as committed', async () => {
    const src = join(dir, 'src');
    mkdirSync(src);
    writeFileSync(join(src, 'a.txt'), 'first');
    const dbPath = join(src, 'db');
    const db = makeTestDb(dbPath, { journal: 'DELETE', rows: 100, rowBytes: 1000, cacheSize: 4 });
    const ins = db.prepare('INSERT INTO t (v) VALUES (?)');
    try {
      db.exec('BEGIN');
      for (let i = 0; i < 300; i++) ins.run(randomBytes(1000));
      expect(existsSync(dbPath + '-journal')).toBe(true); // listed with the database
      const b = await backup(repo, {
        paths: [src],
        concurrency: 1,
        onProgress: (e) => {
          if (e.type === 'file' && e.path.endsWith('a.txt')) db.exec('ROLLBACK'); // SQLite deletes the journal
        },
      });
      expect(existsSync(dbPath + '-journal')).toBe(false);
      expect(b.warnings).toEqual([expect.objectContaining({ path: dbPath + '-journal', code: 'VANISHED' })]);
      expect(b.summary).toMatchObject({ vanished: 1, partial: false });
      const out = join(dir, 'out');
      await restore(repo, b.id, { target: out, from: src });
      const r = new Database(join(out, 'db'));
      try {
        expect(r.pragma('integrity_check', { simple: true })).toBe('ok');
        expect(r.prepare('SELECT count(*) FROM t').pluck().get()).toBe(100);
      } finally {
        r.close();
      }
    } finally {
      db.close();
    }
  });

  it('an entry that cannot be read still makes the backup partial, beside a vanished one', async () => {
    const src = join(dir, 'src');
    mkdirSync(src);
    for (const n of ['a.txt', 'b.txt']) writeFileSync(join(src, n), n);
    // A name that is not valid UTF-8 cannot be opened from JavaScript (it reads back with U+FFFD).
    writeFileSync(Buffer.concat([Buffer.from(`${src}/bad-`), Buffer.from([0xff])]), 'x');
    const b = await backup(repo, {
      paths: [src],
      concurrency: 1,
      onProgress: (e) => {
        if (e.type === 'file' && e.path.endsWith('a.txt')) rmSync(join(src, 'b.txt'));
      },
    });
    expect(b.warnings.map((w) => [w.path, w.code]).sort()).toEqual([
      [join(src, 'b.txt'), 'VANISHED'],
      [join(src, 'bad-\ufffd'), 'UNREADABLE'],
    ]);
    expect(b.summary).toMatchObject({ vanished: 1, skipped: 2, partial: true });
  });
});
