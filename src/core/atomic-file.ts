/*
 * Crash-safe file output: write to a temporary file beside the target, fsync
 * it, rename it over the target, fsync the directory. A reader never sees a
 * half-written file and a crash leaves either the old or the new content.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** An open temporary file that becomes `target` on commit(). */
export interface AtomicFile {
  readonly handle: FileHandle;
  readonly tempPath: string;
  /** Appends bytes at the current end. */
  write(data: Uint8Array): Promise<void>;
  /**
   * Writes all of `data` at byte `position`. Several may be in flight at once,
   * at disjoint positions; do not mix with write(). The caller settles every
   * one of them before commit() or abort().
   */
  writeAt(data: Uint8Array, position: number): Promise<void>;
  /**
   * Starts an fdatasync in the background, so the disk writes what is already
   * written while the caller produces more (the fsync in commit() then has
   * less left to do). Returns false, starting nothing, while one is running.
   * commit() and abort() wait for it; commit() reports its error.
   */
  writeback(): boolean;
  /** fsync, close, rename over the target, fsync the directory. */
  commit(): Promise<void>;
  /** Closes and deletes the temporary file; safe to call after a failed commit. */
  abort(): Promise<void>;
}

/** Options of openAtomic. */
export interface AtomicOptions {
  /**
   * fsync the file before the rename and the directory after it (default true). false
   * still renames a complete file into place, but a crash soon after may leave the
   * target empty or old: for outputs that can be made again (rdiff does not fsync).
   */
  durable?: boolean;
}

/** Random per process, then counted: unique names without 4,000 calls to the random source in a restore. */
const TEMP_PREFIX = randomBytes(6).toString('hex');
let tempCount = 0;

/** Temporary name beside `target`: hidden, ours, unique, and never one of OpenClaw's patterns. */
export function tempPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.clawback-${TEMP_PREFIX}${(tempCount++).toString(36)}`);
}

/**
 * Opens a temporary file for `target` with `mode` (default 0o600).
 * @example const f = await openAtomic('out.bin'); await f.write(data); await f.commit();
 */
export async function openAtomic(target: string, mode = 0o600, opts: AtomicOptions = {}): Promise<AtomicFile> {
  const durable = opts.durable ?? true;
  const tempPath = tempPathFor(target);
  const handle = await open(tempPath, 'wx', mode);
  let closed = false;
  let pos = 0;
  // The background fdatasync, and its error: reported by commit(), since after a failed fsync Linux may report the next one as clean.
  let syncing: Promise<void> | undefined;
  let syncError: { error: unknown } | undefined;
  const close = async () => {
    if (!closed) {
      closed = true;
      await syncing;
      await handle.close();
    }
  };
  const writeAt = async (data: Uint8Array, at: number) => {
    let off = 0;
    while (off < data.length) {
      const { bytesWritten } = await handle.write(data, off, data.length - off, at + off);
      off += bytesWritten;
    }
  };
  return {
    handle,
    tempPath,
    async write(data) {
      const at = pos;
      pos += data.length;
      await writeAt(data, at);
    },
    writeAt,
    writeback() {
      if (!durable || syncing || closed) return false;
      syncing = handle
        .datasync()
        .catch((error: unknown) => {
          syncError ??= { error };
        })
        .then(() => {
          syncing = undefined;
        });
      return true;
    },
    async commit() {
      await syncing;
      if (syncError) throw syncError.error;
      if (durable) await handle.sync();
      await close();
      await rename(tempPath, target);
      if (durable) await syncDir(dirname(target));
    },
    async abort() {
      await close().catch(() => {});
      await rm(tempPath, { force: true });
    },
  };
}

/** fsyncs a directory so a rename in it is durable (a no-op where the OS refuses, e.g. Windows). */
export async function syncDir(dir: string): Promise<void> {
  let h: FileHandle | undefined;
  try {
    h = await open(dir, 'r');
    await h.sync();
  } catch {
    // Directories cannot be opened or fsynced on every platform.
  } finally {
    await h?.close().catch(() => {});
  }
}
