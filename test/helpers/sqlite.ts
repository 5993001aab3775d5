/*
 * Real SQLite databases for tests (better-sqlite3): one table `t (id, v BLOB)`
 * filled with random rows in one transaction, in the journal mode asked for.
 */
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';

/** Options of makeTestDb. */
export interface TestDbOptions {
  journal: 'WAL' | 'DELETE';
  rows: number;
  rowBytes: number;
  /** WAL: never checkpoint on its own (rows stay in the -wal). */
  noAutoCheckpoint?: boolean;
  /** Pages of cache (a small cache makes SQLite spill to the file mid-transaction). */
  cacheSize?: number;
}

/** Opens (creates) `path` with table t and `rows` random rows; the caller closes it. */
export function makeTestDb(path: string, o: TestDbOptions): Database.Database {
  const db = new Database(path);
  db.pragma(`journal_mode = ${o.journal}`);
  if (o.noAutoCheckpoint) db.pragma('wal_autocheckpoint = 0');
  if (o.cacheSize !== undefined) db.pragma(`cache_size = ${o.cacheSize}`);
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)');
  const ins = db.prepare('INSERT INTO t (v) VALUES (?)');
  db.transaction(() => {
    for (let i = 0; i < o.rows; i++) ins.run(randomBytes(o.rowBytes));
  })();
  return db;
}
