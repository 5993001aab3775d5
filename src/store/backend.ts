/*
 * The storage backend interface: named, immutable objects grouped by type
 * (restic's backend.Backend). A repository sees only this interface, so local
 * disk, memory and later remote stores are interchangeable; every backend must
 * pass test/store/backend-conformance.ts. Also the shared argument checks.
 */
import { assertInt, assertOneOf, assertSignal, assertString } from '../core/assert.js';
import { AbortError, isClawbackError, throwIfAborted } from '../core/errors.js';
import { BackendError } from './backend-errors.js';

/** The object types, one namespace (and on disk one directory) each. */
export const OBJECT_TYPES = ['config', 'keys', 'locks', 'snapshots', 'index', 'data'] as const;

/** What an object is: `data` objects are pack files; `config` is a single object. */
export type ObjectType = (typeof OBJECT_TYPES)[number];

/** The one valid name of the `config` object. */
export const CONFIG_NAME = 'config';

/**
 * Types whose objects are never replaced: writing an existing name fails with
 * EXISTS. Lock names must not collide, and the config is created once. Every
 * other type is content-addressed, so a second write of a name is a no-op.
 */
export const EXCLUSIVE_TYPES: ReadonlySet<ObjectType> = new Set<ObjectType>(['locks', 'config']);

/** Object names other than the config: lower-case hex, 2 to 128 digits. */
const NAME_RE = /^[0-9a-f]{2,128}$/;

/** What `list` yields per object. */
export interface ObjectInfo {
  readonly name: string;
  /** Size in bytes. */
  readonly size: number;
}

/** Options of `list`. */
export interface ListOptions {
  signal?: AbortSignal;
}

/** Options of `read`: a byte range, and a signal. */
export interface ReadOptions {
  /** First byte to read (default 0). */
  offset?: number;
  /** Bytes to read (default: to the end of the object). */
  length?: number;
  signal?: AbortSignal;
}

/** Options of `write`. */
export interface WriteOptions {
  signal?: AbortSignal;
}

/** The bytes of an object: one buffer, or a stream of buffers. */
export type ObjectData = Uint8Array | AsyncIterable<Uint8Array>;

/** Lists the objects of a type (restic's Lister). */
export interface ObjectLister {
  /**
   * Yields every complete object of `type`, in no particular order. Temporary
   * files and writes still in progress are never listed. An object written or
   * deleted while the listing runs may or may not appear.
   * @throws RangeError (synchronously) when `type` is not an ObjectType.
   * @throws AbortError (code ABORTED) while iterating, once `signal` fires.
   */
  list(type: ObjectType, opts?: ListOptions): AsyncIterable<ObjectInfo>;
}

/** Reads objects (restic's Loader). */
export interface ObjectReader {
  /**
   * The size of an object.
   * @throws BackendError NOT_FOUND when it does not exist.
   */
  stat(type: ObjectType, name: string): Promise<{ size: number }>;
  /**
   * Reads `length` bytes at `offset` (default: the whole object) into a new
   * buffer the caller owns. A range that does not lie wholly inside the object
   * is bad data (the range came from an index or header), not a bad argument:
   * it raises TRUNCATED. `offset` equal to the size with no length reads zero bytes.
   * @throws RangeError/TypeError for a bad type, name, offset or length.
   * @throws BackendError NOT_FOUND (missing), TRUNCATED (range past the end), IO.
   * @throws AbortError (code ABORTED) when `signal` fires.
   */
  read(type: ObjectType, name: string, opts?: ReadOptions): Promise<Uint8Array>;
}

/** Writes objects (restic's Saver). */
export interface ObjectWriter {
  /**
   * Stores an object atomically: readers see nothing or the whole object,
   * also after a crash. If the name exists: for `locks` and `config` the call
   * fails with EXISTS and the old object stays; for the content-addressed types
   * the call succeeds and keeps the existing object (its bytes are not
   * compared; delete a damaged object first to replace it). A failed, aborted
   * or rejected write leaves no object and no visible temporary. The backend
   * copies `data`: the caller may reuse its buffers once the promise settles.
   * @throws RangeError/TypeError for a bad type, name or data.
   * @throws BackendError EXISTS (locks/config), IO.
   * @throws AbortError (code ABORTED) when `signal` fires before the object is committed.
   * @throws whatever the data iterable throws, unchanged.
   */
  write(type: ObjectType, name: string, data: ObjectData, opts?: WriteOptions): Promise<void>;
}

/** Deletes objects (restic's Remove). */
export interface ObjectDeleter {
  /**
   * Deletes an object. As restic's local backend does, deleting a missing
   * object is an error (NOT_FOUND), so a caller learns that someone else
   * removed it; use `deleteIfExists` when that does not matter.
   * @throws BackendError NOT_FOUND, IO.
   */
  delete(type: ObjectType, name: string): Promise<void>;
}

/**
 * A storage backend: every role plus a location and close(). Calls after
 * close() reject with IO. Argument errors reject (list throws) before any I/O.
 * @example
 * const b = await LocalBackend.create('/backups/repo');
 * await b.write('snapshots', id, bytes);
 * for await (const { name, size } of b.list('snapshots')) console.log(name, size);
 */
export interface Backend extends ObjectLister, ObjectReader, ObjectWriter, ObjectDeleter {
  /** Where the objects live, for messages (a directory, or `memory:1`). */
  location(): string;
  /** Releases resources; idempotent. */
  close(): Promise<void>;
}

/**
 * Checks an object type and name. Names are lower-case hex (so no path tricks
 * and no case collisions on case-insensitive file systems); the config's name
 * is `CONFIG_NAME`.
 * @throws RangeError for an unknown type or a malformed name; TypeError when not strings.
 * @example validateObjectName('data', 'ab01'); // ok
 */
export function validateObjectName(type: unknown, name: unknown): asserts type is ObjectType {
  assertOneOf('type', type, OBJECT_TYPES);
  assertString('name', name);
  if (type === 'config') {
    if (name !== CONFIG_NAME) throw new RangeError(`"name" expected "${CONFIG_NAME}" for type config, got ${JSON.stringify(name)}`);
  } else if (!NAME_RE.test(name)) {
    throw new RangeError(`"name" expected 2-128 lower-case hex digits, got ${JSON.stringify(name)}`);
  }
}

/**
 * True when `name` is a valid name for `type` (list uses it to skip foreign files).
 * @throws never
 * @example isObjectName('data', '.tmp-1f'); // false
 */
export function isObjectName(type: ObjectType, name: string): boolean {
  return type === 'config' ? name === CONFIG_NAME : NAME_RE.test(name);
}

/**
 * `type/name` for messages (`config` for the config).
 * @throws never
 * @example objectLabel('index', 'ab01'); // 'index/ab01'
 */
export function objectLabel(type: ObjectType, name: string): string {
  return type === 'config' ? CONFIG_NAME : `${type}/${name}`;
}

/**
 * Checks read options and resolves them against an object of `size` bytes.
 * @throws TypeError/RangeError for a bad offset or length; BackendError TRUNCATED
 *   when the range does not lie inside the object.
 * @example resolveRange(10, { offset: 2 }, 'data/ab'); // { start: 2, end: 10 }
 */
export function resolveRange(size: number, opts: ReadOptions | undefined, label: string): { start: number; end: number } {
  const start = opts?.offset ?? 0;
  const end = opts?.length === undefined ? size : start + opts.length;
  if (start > size) throw new BackendError('TRUNCATED', `${label}: offset ${start} is past the end of the ${size}-byte object`);
  if (end > size) throw new BackendError('TRUNCATED', `${label}: range [${start}, ${end}) is past the end of the ${size}-byte object`);
  return { start, end };
}

/**
 * Checks the argument shapes of read options (before any I/O).
 * @throws TypeError/RangeError for a non-integer or negative offset or length, or a bad signal.
 * @example checkReadOptions({ offset: 4, length: 8 });
 */
export function checkReadOptions(opts: ReadOptions | undefined): void {
  if (opts === undefined) return;
  if (opts.offset !== undefined) assertInt('offset', opts.offset, 0);
  if (opts.length !== undefined) assertInt('length', opts.length, 0);
  assertSignal('signal', opts.signal);
}

/**
 * Checks that `data` is a Uint8Array or an AsyncIterable (before any I/O).
 * @throws TypeError otherwise.
 * @example checkObjectData(new Uint8Array(4));
 */
export function checkObjectData(data: unknown): asserts data is ObjectData {
  if (data instanceof Uint8Array) return;
  if (data !== null && typeof data === 'object' && typeof (data as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator] === 'function') {
    return;
  }
  const got = data === null ? 'null' : typeof data === 'object' ? (data.constructor?.name ?? 'object') : typeof data;
  throw new TypeError(`"data" expected Uint8Array or AsyncIterable<Uint8Array>, got ${got}`);
}

/** Resolves with `p`, or rejects with AbortError as soon as `signal` fires. */
function raceAbort<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new AbortError(signal.reason));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/**
 * Feeds each chunk of `data` to `sink` in order. Stops with AbortError when
 * `signal` fires, even while the iterable is waiting; stops with TypeError on a
 * chunk that is not a Uint8Array; passes the iterable's own errors through.
 * @throws AbortError, TypeError, or the iterable's or the sink's error.
 * @example await forEachChunk(data, signal, (c) => hash.update(c));
 */
export async function forEachChunk(
  data: ObjectData,
  signal: AbortSignal | undefined,
  sink: (chunk: Uint8Array) => Promise<void> | void,
): Promise<void> {
  throwIfAborted(signal);
  if (data instanceof Uint8Array) {
    await sink(data);
    throwIfAborted(signal);
    return;
  }
  const it = data[Symbol.asyncIterator]();
  let finished = false; // the iterator is done or threw: do not call return()
  try {
    for (;;) {
      let r: IteratorResult<Uint8Array>;
      try {
        r = await (signal ? raceAbort(it.next(), signal) : it.next());
      } catch (e) {
        if (!isClawbackError(e, 'ABORTED')) finished = true;
        throw e;
      }
      if (r.done === true) {
        finished = true;
        break;
      }
      const chunk: unknown = r.value;
      if (!(chunk instanceof Uint8Array)) {
        const got = chunk === null ? 'null' : typeof chunk;
        throw new TypeError(`"data" expected AsyncIterable<Uint8Array>, got a chunk of type ${got}`);
      }
      await sink(chunk);
      throwIfAborted(signal);
    }
  } finally {
    // Tell the producer we stopped early; never wait for it (it may be blocked).
    if (!finished) void Promise.resolve().then(() => it.return?.()).catch(() => {});
  }
}

/**
 * Deletes an object if it exists.
 * @returns true when an object was deleted, false when there was none.
 * @throws BackendError IO; RangeError for a bad name.
 * @example await deleteIfExists(backend, 'locks', lockId);
 */
export async function deleteIfExists(backend: ObjectDeleter, type: ObjectType, name: string): Promise<boolean> {
  try {
    await backend.delete(type, name);
    return true;
  } catch (e) {
    if (isClawbackError(e, 'NOT_FOUND')) return false;
    throw e;
  }
}

/**
 * Collects a listing into an array (tests and small types such as locks).
 * @throws what the listing throws.
 * @example const locks = await listAll(backend, 'locks');
 */
export async function listAll(backend: ObjectLister, type: ObjectType, opts?: ListOptions): Promise<ObjectInfo[]> {
  const out: ObjectInfo[] = [];
  for await (const info of backend.list(type, opts)) out.push(info);
  return out;
}
