/*
 * The in-memory backend: the semantics of the local backend (atomic writes,
 * exclusive locks/config, NOT_FOUND/TRUNCATED errors) without a disk, for tests
 * and for staging. Objects are copied in and out, so no caller can change
 * stored bytes behind the backend's back.
 */
import { throwIfAborted } from '../core/errors.js';
import { BackendError } from './backend-errors.js';
import {
  EXCLUSIVE_TYPES,
  OBJECT_TYPES,
  checkObjectData,
  checkReadOptions,
  forEachChunk,
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
import { assertOneOf, assertSignal } from '../core/assert.js';

let instances = 0;

/**
 * A backend that keeps every object in a Map.
 * @example
 * const b = new MemoryBackend();
 * await b.write('data', 'ab01', new Uint8Array([1, 2, 3]));
 * await b.read('data', 'ab01', { offset: 1 }); // Uint8Array [2, 3]
 */
export class MemoryBackend implements Backend {
  readonly #objects = new Map<ObjectType, Map<string, Uint8Array>>(OBJECT_TYPES.map((t) => [t, new Map()]));
  readonly #location = `memory:${++instances}`;
  #closed = false;

  location(): string {
    return this.#location;
  }

  /** Total bytes stored, over all types. */
  get byteSize(): number {
    let n = 0;
    for (const m of this.#objects.values()) for (const v of m.values()) n += v.length;
    return n;
  }

  list(type: ObjectType, opts?: ListOptions): AsyncIterable<ObjectInfo> {
    assertOneOf('type', type, OBJECT_TYPES);
    assertSignal('signal', opts?.signal);
    this.#checkOpen();
    return this.#list(type, opts?.signal);
  }

  async *#list(type: ObjectType, signal: AbortSignal | undefined): AsyncGenerator<ObjectInfo> {
    // A snapshot of the names: a concurrent write or delete does not disturb the walk.
    const snapshot = [...this.#map(type).entries()].map(([name, bytes]) => ({ name, size: bytes.length }));
    for (const info of snapshot) {
      throwIfAborted(signal);
      yield info;
    }
    throwIfAborted(signal);
  }

  async stat(type: ObjectType, name: string): Promise<{ size: number }> {
    validateObjectName(type, name);
    this.#checkOpen();
    return { size: this.#get(type, name).length };
  }

  async read(type: ObjectType, name: string, opts?: ReadOptions): Promise<Uint8Array> {
    validateObjectName(type, name);
    checkReadOptions(opts);
    this.#checkOpen();
    throwIfAborted(opts?.signal);
    const bytes = this.#get(type, name);
    const { start, end } = resolveRange(bytes.length, opts, objectLabel(type, name));
    return bytes.slice(start, end);
  }

  async write(type: ObjectType, name: string, data: ObjectData, opts?: WriteOptions): Promise<void> {
    validateObjectName(type, name);
    checkObjectData(data);
    assertSignal('signal', opts?.signal);
    this.#checkOpen();
    const signal = opts?.signal;
    throwIfAborted(signal);
    if (this.#map(type).has(name)) {
      if (EXCLUSIVE_TYPES.has(type)) throw this.#exists(type, name);
      return; // content-addressed: keep the existing object
    }
    const chunks: Uint8Array[] = [];
    let total = 0;
    await forEachChunk(data, signal, (chunk) => {
      chunks.push(chunk.slice());
      total += chunk.length;
    });
    throwIfAborted(signal);
    this.#checkOpen();
    const whole = new Uint8Array(total);
    let off = 0;
    for (const c of chunks) {
      whole.set(c, off);
      off += c.length;
    }
    // The commit is synchronous, so two racing writers of one name cannot both win.
    const m = this.#map(type);
    if (m.has(name)) {
      if (EXCLUSIVE_TYPES.has(type)) throw this.#exists(type, name);
      return;
    }
    m.set(name, whole);
  }

  async delete(type: ObjectType, name: string): Promise<void> {
    validateObjectName(type, name);
    this.#checkOpen();
    if (!this.#map(type).delete(name)) throw this.#notFound(type, name);
  }

  async close(): Promise<void> {
    this.#closed = true;
  }

  #map(type: ObjectType): Map<string, Uint8Array> {
    const m = this.#objects.get(type);
    if (m === undefined) throw new RangeError(`"type" unknown: ${type}`);
    return m;
  }

  #get(type: ObjectType, name: string): Uint8Array {
    const bytes = this.#map(type).get(name);
    if (bytes === undefined) throw this.#notFound(type, name);
    return bytes;
  }

  #notFound(type: ObjectType, name: string): BackendError {
    return new BackendError('NOT_FOUND', `${objectLabel(type, name)} not found in ${this.#location}`);
  }

  #exists(type: ObjectType, name: string): BackendError {
    return new BackendError('EXISTS', `${objectLabel(type, name)} already exists in ${this.#location}`);
  }

  #checkOpen(): void {
    if (this.#closed) throw new BackendError('IO', `${this.#location}: backend is closed`);
  }
}
