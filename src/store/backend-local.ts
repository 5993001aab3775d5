/*
 * The local file-system backend, laid out as restic does: `config`, `keys/`,
 * `locks/`, `snapshots/`, `index/` and `data/<2-hex prefix>/<name>`. Writes go
 * to a `.tmp-<random>` file in the object's directory, are fsynced, linked or
 * renamed into place and the directory fsynced, so a crash leaves nothing or
 * the whole object. Directories are 0700 and files 0600, whatever the umask.
 */
import { randomBytes } from 'node:crypto';
import { chmod, link, lstat, mkdir, open, readdir, rename, rm, stat, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { assertInt, assertOneOf, assertSignal, assertString } from '../core/assert.js';
import { syncDir } from '../core/atomic-file.js';
import { throwIfAborted } from '../core/errors.js';
import { BackendError, errnoCode, fsError } from './backend-errors.js';
import {
  CONFIG_NAME,
  EXCLUSIVE_TYPES,
  OBJECT_TYPES,
  checkObjectData,
  checkReadOptions,
  forEachChunk,
  isObjectName,
  objectLabel,
  resolveRange,
  validateObjectName,
  type Backend,
  type ListOptions,
  type ObjectData,
  type ObjectInfo,
  type ObjectType,
  type ReadOptions,
  type WriteOptions,
} from './backend.js';

/** Permission bits of every directory the backend creates. */
export const DIR_MODE = 0o700;
/** Permission bits of every object file. */
export const FILE_MODE = 0o600;
/** Names of temporary files start with this; list() never shows them. */
export const TEMP_PREFIX = '.tmp-';

const PREFIX_RE = /^[0-9a-f]{2}$/;
/** Reads are done in slices of this size, checking the signal between them. */
const READ_SLICE = 4 << 20;
/** Stat calls in flight at once while listing. */
const STAT_BATCH = 64;
/** Errors from link() that mean "this file system has no hard links": fall back to rename(). */
const NO_LINK = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV']);
const isWindows = process.platform === 'win32';

/** Options of `cleanupTemp`. */
export interface CleanupOptions {
  /** Only remove temporaries last modified at least this long ago (default 0: all). */
  minAgeMs?: number;
}

/**
 * A repository directory on a local (or mounted) file system.
 * @example
 * const b = await LocalBackend.create('/backups/repo');
 * await b.write('data', id, packBytes);
 * const header = await b.read('data', id, { offset: size - 4, length: 4 });
 */
export class LocalBackend implements Backend {
  readonly #root: string;
  #closed = false;

  private constructor(root: string) {
    this.#root = root;
  }

  /**
   * Creates the layout in `dir` (and `dir` itself) if missing and returns a
   * backend on it. Idempotent: existing objects are kept. Whether a non-empty
   * directory may become a repository is the repository layer's decision.
   * The directory and the type directories are set to 0700.
   * @throws TypeError/RangeError for a bad `dir`; BackendError IO.
   * @example const b = await LocalBackend.create(join(tmpdir(), 'repo'));
   */
  static async create(dir: string): Promise<LocalBackend> {
    assertString('dir', dir);
    const root = resolve(dir);
    for (const d of [root, ...OBJECT_TYPES.filter((t) => t !== 'config').map((t) => join(root, t))]) {
      try {
        await mkdir(d, { recursive: true, mode: DIR_MODE });
        await setMode(d, DIR_MODE);
      } catch (e) {
        throw fsError(e, 'create', d);
      }
    }
    await syncDir(dirname(root));
    await syncDir(root);
    return new LocalBackend(root);
  }

  /**
   * Opens an existing repository directory. Type directories that are missing
   * are created on the first write; checking the config is the repository's job.
   * @throws BackendError NOT_FOUND when `dir` does not exist, IO when it is not a directory.
   * @example const b = await LocalBackend.open('/backups/repo');
   */
  static async open(dir: string): Promise<LocalBackend> {
    assertString('dir', dir);
    const root = resolve(dir);
    let isDir: boolean;
    try {
      isDir = (await stat(root)).isDirectory();
    } catch (e) {
      throw fsError(e, 'open', root);
    }
    if (!isDir) throw new BackendError('IO', `open ${root}: not a directory`);
    return new LocalBackend(root);
  }

  location(): string {
    return this.#root;
  }

  /** The file of an object (for messages and tests; never write it directly). */
  pathOf(type: ObjectType, name: string): string {
    validateObjectName(type, name);
    if (type === 'config') return join(this.#root, CONFIG_NAME);
    if (type === 'data') return join(this.#root, 'data', name.slice(0, 2), name);
    return join(this.#root, type, name);
  }

  list(type: ObjectType, opts?: ListOptions): AsyncIterable<ObjectInfo> {
    assertOneOf('type', type, OBJECT_TYPES);
    assertSignal('signal', opts?.signal);
    this.#checkOpen();
    return this.#list(type, opts?.signal);
  }

  async *#list(type: ObjectType, signal: AbortSignal | undefined): AsyncGenerator<ObjectInfo> {
    throwIfAborted(signal);
    if (type === 'config') {
      const size = await this.#fileSize(join(this.#root, CONFIG_NAME), true);
      if (size !== undefined) yield { name: CONFIG_NAME, size };
      return;
    }
    const typeDir = join(this.#root, type);
    const dirs: string[] = [];
    if (type === 'data') {
      for (const e of await readDirOrEmpty(typeDir)) {
        if (e.isDirectory() && PREFIX_RE.test(e.name)) dirs.push(e.name);
      }
    } else {
      dirs.push('');
    }
    for (const prefix of dirs) {
      throwIfAborted(signal);
      const dir = join(typeDir, prefix);
      const names = (await readDirOrEmpty(dir))
        .filter((e) => (e.isFile() || e.isSymbolicLink()) && isObjectName(type, e.name) && e.name.startsWith(prefix))
        .map((e) => e.name);
      for (let i = 0; i < names.length; i += STAT_BATCH) {
        throwIfAborted(signal);
        const batch = names.slice(i, i + STAT_BATCH);
        const sizes = await Promise.all(batch.map((n) => this.#fileSize(join(dir, n), true)));
        for (let j = 0; j < batch.length; j++) {
          const size = sizes[j];
          const name = batch[j];
          // undefined: deleted since readdir, or not a regular file.
          if (size !== undefined && name !== undefined) {
            throwIfAborted(signal);
            yield { name, size };
          }
        }
      }
    }
    throwIfAborted(signal);
  }

  async stat(type: ObjectType, name: string): Promise<{ size: number }> {
    const path = this.pathOf(type, name);
    this.#checkOpen();
    let st;
    try {
      st = await stat(path);
    } catch (e) {
      throw this.#mapError(e, 'stat', type, name, path);
    }
    if (!st.isFile()) throw new BackendError('IO', `stat ${path}: not a regular file`);
    return { size: st.size };
  }

  async read(type: ObjectType, name: string, opts?: ReadOptions): Promise<Uint8Array> {
    const path = this.pathOf(type, name);
    checkReadOptions(opts);
    this.#checkOpen();
    const signal = opts?.signal;
    throwIfAborted(signal);
    let fh: FileHandle | undefined;
    try {
      fh = await open(path, 'r');
      const st = await fh.stat();
      if (!st.isFile()) throw new BackendError('IO', `read ${path}: not a regular file`);
      const { start, end } = resolveRange(st.size, opts, objectLabel(type, name));
      const out = new Uint8Array(end - start);
      let off = 0;
      while (off < out.length) {
        throwIfAborted(signal);
        const want = Math.min(READ_SLICE, out.length - off);
        const { bytesRead } = await fh.read(out, off, want, start + off);
        if (bytesRead === 0) {
          throw new BackendError('TRUNCATED', `${objectLabel(type, name)}: ${path} ended at ${start + off} bytes, expected ${end}`);
        }
        off += bytesRead;
      }
      throwIfAborted(signal);
      return out;
    } catch (e) {
      throw this.#mapError(e, 'read', type, name, path);
    } finally {
      await fh?.close().catch(() => {});
    }
  }

  async write(type: ObjectType, name: string, data: ObjectData, opts?: WriteOptions): Promise<void> {
    const target = this.pathOf(type, name);
    checkObjectData(data);
    assertSignal('signal', opts?.signal);
    this.#checkOpen();
    const signal = opts?.signal;
    throwIfAborted(signal);
    const exclusive = EXCLUSIVE_TYPES.has(type);
    // Fast path: an existing object is kept (or refused) before reading any data.
    if ((await this.#fileSize(target)) !== undefined) {
      if (exclusive) throw this.#exists(type, name, target);
      return;
    }
    const dir = dirname(target);
    const temp = join(dir, `${TEMP_PREFIX}${randomBytes(8).toString('hex')}`);
    let fh: FileHandle | undefined;
    let committed = false;
    try {
      fh = await this.#openTemp(temp, dir);
      await setMode(fh, FILE_MODE);
      let pos = 0;
      const handle = fh;
      await forEachChunk(data, signal, async (chunk) => {
        let off = 0;
        while (off < chunk.length) {
          const { bytesWritten } = await handle.write(chunk, off, chunk.length - off, pos);
          off += bytesWritten;
          pos += bytesWritten;
        }
      });
      throwIfAborted(signal);
      await syncFile(fh);
      await fh.close();
      fh = undefined;
      throwIfAborted(signal);
      this.#checkOpen();
      await this.#commit(temp, target, exclusive, type, name);
      committed = true;
      await rm(temp, { force: true });
      await syncDir(dir);
    } catch (e) {
      throw this.#mapError(e, 'write', type, name, committed ? target : temp);
    } finally {
      await fh?.close().catch(() => {});
      // A leftover (after a failed rm) is harmless: list ignores it and cleanupTemp removes it.
      if (!committed) await rm(temp, { force: true }).catch(() => {});
    }
  }

  async delete(type: ObjectType, name: string): Promise<void> {
    const path = this.pathOf(type, name);
    this.#checkOpen();
    try {
      await unlink(path);
    } catch (e) {
      throw this.#mapError(e, 'delete', type, name, path);
    }
    await syncDir(dirname(path));
  }

  /**
   * Removes temporary files left by writes that crashed. A temporary of a write
   * still running in another process would be removed too: call this under an
   * exclusive lock, or pass `minAgeMs` longer than any write takes.
   * @returns how many temporaries were removed.
   * @throws RangeError for a bad `minAgeMs`; BackendError IO.
   * @example await backend.cleanupTemp({ minAgeMs: 3_600_000 });
   */
  async cleanupTemp(opts?: CleanupOptions): Promise<number> {
    const minAgeMs = opts?.minAgeMs ?? 0;
    assertInt('minAgeMs', minAgeMs, 0);
    this.#checkOpen();
    const dirs = [this.#root, ...OBJECT_TYPES.filter((t) => t !== 'config').map((t) => join(this.#root, t))];
    for (const e of await readDirOrEmpty(join(this.#root, 'data'))) {
      if (e.isDirectory() && PREFIX_RE.test(e.name)) dirs.push(join(this.#root, 'data', e.name));
    }
    const now = Date.now();
    let removed = 0;
    for (const dir of dirs) {
      for (const e of await readDirOrEmpty(dir)) {
        if (!e.name.startsWith(TEMP_PREFIX) || e.isDirectory()) continue;
        const path = join(dir, e.name);
        try {
          const st = await lstat(path);
          if (now - st.mtimeMs < minAgeMs) continue;
          await unlink(path);
          removed++;
        } catch (err) {
          if (errnoCode(err) !== 'ENOENT') throw fsError(err, 'cleanup', path);
        }
      }
    }
    return removed;
  }

  async close(): Promise<void> {
    this.#closed = true;
  }

  /** Opens a new temporary file, creating its directory (0700) when missing. */
  async #openTemp(temp: string, dir: string): Promise<FileHandle> {
    try {
      return await open(temp, 'wx', FILE_MODE);
    } catch (e) {
      if (errnoCode(e) !== 'ENOENT') throw e;
    }
    // The type or prefix directory is missing: create it (and the type directory) owner-only.
    const parents = dir === this.#root ? [] : dirname(dir) === this.#root ? [dir] : [dirname(dir), dir];
    for (const d of parents) {
      await mkdir(d, { recursive: true, mode: DIR_MODE });
      await setMode(d, DIR_MODE);
    }
    return await open(temp, 'wx', FILE_MODE);
  }

  /**
   * Moves a complete temporary into place. link() fails when the target exists,
   * which makes "keep the existing object" and "refuse an existing lock" atomic;
   * where the file system has no hard links, a checked rename() stands in.
   */
  async #commit(temp: string, target: string, exclusive: boolean, type: ObjectType, name: string): Promise<void> {
    try {
      await link(temp, target);
    } catch (e) {
      const code = errnoCode(e);
      if (code === 'EEXIST') {
        if (exclusive) throw this.#exists(type, name, target);
        return; // content-addressed: another writer got there first; keep theirs
      }
      if (code === undefined || !NO_LINK.has(code)) throw e;
      if ((await this.#fileSize(target)) !== undefined) {
        if (exclusive) throw this.#exists(type, name, target);
        return;
      }
      await rename(temp, target);
    }
    // The caller removes the temporary: after link() it is a second name of the object.
  }

  /**
   * Size of a regular file, or undefined when there is no such file. Something
   * else under the name is an IO error, or (with `skipOthers`, for listings) undefined.
   */
  async #fileSize(path: string, skipOthers = false): Promise<number | undefined> {
    try {
      const st = await stat(path);
      if (st.isFile()) return st.size;
      if (skipOthers) return undefined;
      throw new BackendError('IO', `${path}: not a regular file`);
    } catch (e) {
      const code = errnoCode(e);
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      throw fsError(e, 'stat', path);
    }
  }

  #mapError(e: unknown, op: string, type: ObjectType, name: string, path: string): unknown {
    if (errnoCode(e) === 'ENOENT') {
      // A missing object is NOT_FOUND; a file vanishing under a write (its temporary removed
      // by someone else, or the repository directory) is an I/O failure.
      if (op === 'write') return new BackendError('IO', `write ${path}: vanished during the write`, { cause: e });
      return new BackendError('NOT_FOUND', `${objectLabel(type, name)} not found in ${this.#root}`, { cause: e });
    }
    return fsError(e, op, path);
  }

  #exists(type: ObjectType, name: string, path: string): BackendError {
    return new BackendError('EXISTS', `${objectLabel(type, name)} already exists (${path})`);
  }

  #checkOpen(): void {
    if (this.#closed) throw new BackendError('IO', `${this.#root}: backend is closed`);
  }
}

/** Directory entries, or none when the directory does not exist. */
async function readDirOrEmpty(dir: string) {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (e) {
    const code = errnoCode(e);
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw fsError(e, 'list', dir);
  }
}

/** Sets permission bits explicitly (the umask may have removed some); best effort on Windows. */
async function setMode(target: string | FileHandle, mode: number): Promise<void> {
  try {
    if (typeof target === 'string') await chmod(target, mode);
    else await target.chmod(mode);
  } catch (e) {
    if (!isWindows) throw e;
  }
}

/** fsync, tolerating file systems that cannot (restic ignores ENOTSUP the same way). */
async function syncFile(fh: FileHandle): Promise<void> {
  try {
    await fh.sync();
  } catch (e) {
    const code = errnoCode(e);
    if (code !== 'ENOTSUP' && code !== 'EINVAL' && code !== 'ENOTTY') throw e;
  }
}
