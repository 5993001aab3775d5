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
  /** fsync, close, rename over the target, fsync the directory. */
  commit(): Promise<void>;
  /** Closes and deletes the temporary file; safe to call after a failed commit. */
  abort(): Promise<void>;
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
export async function openAtomic(target: string, mode = 0o600): Promise<AtomicFile> {
  const tempPath = tempPathFor(target);
  const handle = await open(tempPath, 'wx', mode);
  let closed = false;
  let pos = 0;
  const close = async () => {
    if (!closed) {
      closed = true;
      await handle.close();
    }
  };
  return {
    handle,
    tempPath,
    async write(data) {
      let off = 0;
      while (off < data.length) {
        const { bytesWritten } = await handle.write(data, off, data.length - off, pos);
        off += bytesWritten;
        pos += bytesWritten;
      }
    },
    async commit() {
      await handle.sync();
      await close();
      await rename(tempPath, target);
      await syncDir(dirname(target));
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
