/*
 * Temporary directories for tests, under os.tmpdir(): create one per suite,
 * write and read files in it, list what is left behind, remove it at the end.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A temporary directory that the test owns. */
export interface TempDir {
  readonly path: string;
  /** Absolute path of `name` inside the directory. */
  file(name: string): string;
  /** Writes `data` to `name`; returns its path. */
  write(name: string, data: Uint8Array): string;
  /** Reads `name` as bytes. */
  read(name: string): Uint8Array;
  /** Names of the entries currently in the directory, sorted. */
  list(): string[];
  /** Deletes the directory and everything in it. */
  remove(): void;
}

/** Creates a fresh directory named `clawback-<prefix>-XXXXXX` under os.tmpdir(). */
export function makeTempDir(prefix = 'test'): TempDir {
  const path = mkdtempSync(join(tmpdir(), `clawback-${prefix}-`));
  return {
    path,
    file: (name) => join(path, name),
    write(name, data) {
      const p = join(path, name);
      writeFileSync(p, data);
      return p;
    },
    read: (name) => new Uint8Array(readFileSync(join(path, name))),
    list: () => readdirSync(path).sort(),
    remove: () => rmSync(path, { recursive: true, force: true }),
  };
}
