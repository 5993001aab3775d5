/*
 * Fault injection for tests (restic's errorBackend): wraps a backend and
 * flips or drops bytes on read, fails writes part-way, fails reads or deletes,
 * for the objects a predicate selects. With no faults set it is a transparent
 * wrapper and passes the conformance suite.
 */
import { assertInt } from '../core/assert.js';
import { BackendError } from './backend-errors.js';
import {
  checkObjectData,
  objectLabel,
  type Backend,
  type ListOptions,
  type ObjectData,
  type ObjectInfo,
  type ObjectType,
  type ReadOptions,
  type WriteOptions,
} from './backend.js';

/** The faults to inject. All are off when omitted; change them at any time. */
export interface BackendFaults {
  /** Which objects the faults hit (default: every object). */
  match?: (type: ObjectType, name: string) => boolean;
  /** Every read covering this byte offset of the object returns it XORed with 0x01. */
  flipByteAt?: number;
  /** Every read returns this many bytes fewer than asked, cut from the end (a short object). */
  truncateReadsBy?: number;
  /** Reads fail with IO. */
  failReads?: boolean;
  /**
   * A write of more than this many bytes fails with IO once the first this-many
   * bytes have reached the wrapped backend (which then keeps nothing); smaller
   * objects are written normally.
   */
  failWritesAfter?: number;
  /** Deletes fail with IO (and delete nothing). */
  failDeletes?: boolean;
}

/** How often each fault fired, for assertions. */
export interface FaultCounts {
  flipped: number;
  truncated: number;
  failedReads: number;
  failedWrites: number;
  failedDeletes: number;
}

/**
 * A backend that misbehaves on purpose.
 * @example
 * const b = new FaultyBackend(new MemoryBackend(), { flipByteAt: 10, match: (t) => t === 'data' });
 * await b.read('data', id); // byte 10 is wrong
 */
export class FaultyBackend implements Backend {
  readonly inner: Backend;
  faults: BackendFaults;
  readonly counts: FaultCounts = { flipped: 0, truncated: 0, failedReads: 0, failedWrites: 0, failedDeletes: 0 };

  constructor(inner: Backend, faults: BackendFaults = {}) {
    this.inner = inner;
    this.faults = faults;
  }

  location(): string {
    return `faulty:${this.inner.location()}`;
  }

  list(type: ObjectType, opts?: ListOptions): AsyncIterable<ObjectInfo> {
    return this.inner.list(type, opts);
  }

  stat(type: ObjectType, name: string): Promise<{ size: number }> {
    return this.inner.stat(type, name);
  }

  async read(type: ObjectType, name: string, opts?: ReadOptions): Promise<Uint8Array> {
    const f = this.faults;
    const hit = this.#hits(type, name);
    if (hit && f.failReads === true) {
      // Read first, so argument, NOT_FOUND and TRUNCATED errors still win over the fault.
      await this.inner.read(type, name, opts);
      this.counts.failedReads++;
      throw new BackendError('IO', `injected fault: read of ${objectLabel(type, name)} failed`);
    }
    const bytes = await this.inner.read(type, name, opts);
    if (!hit) return bytes;
    let out = bytes;
    const start = opts?.offset ?? 0;
    if (f.flipByteAt !== undefined && f.flipByteAt >= start && f.flipByteAt < start + out.length) {
      out = out.slice();
      out[f.flipByteAt - start]! ^= 0x01;
      this.counts.flipped++;
    }
    if (f.truncateReadsBy !== undefined && f.truncateReadsBy > 0 && out.length > 0) {
      out = out.slice(0, Math.max(0, out.length - f.truncateReadsBy));
      this.counts.truncated++;
    }
    return out;
  }

  async write(type: ObjectType, name: string, data: ObjectData, opts?: WriteOptions): Promise<void> {
    const limit = this.faults.failWritesAfter;
    if (limit === undefined || !this.#hits(type, name)) return this.inner.write(type, name, data, opts);
    assertInt('failWritesAfter', limit, 0);
    checkObjectData(data);
    const label = objectLabel(type, name);
    const counts = this.counts;
    async function* capped(): AsyncGenerator<Uint8Array> {
      let passed = 0;
      for await (const chunk of data instanceof Uint8Array ? [data] : data) {
        if (!(chunk instanceof Uint8Array)) {
          yield chunk; // the wrapped backend rejects it
          continue;
        }
        const room = limit! - passed;
        if (chunk.length > room) {
          if (room > 0) yield chunk.subarray(0, room);
          counts.failedWrites++;
          throw new BackendError('IO', `injected fault: write of ${label} failed after ${limit} bytes`);
        }
        passed += chunk.length;
        yield chunk;
      }
    }
    return this.inner.write(type, name, capped(), opts);
  }

  async delete(type: ObjectType, name: string): Promise<void> {
    if (this.faults.failDeletes === true && this.#hits(type, name)) {
      await this.inner.stat(type, name);
      this.counts.failedDeletes++;
      throw new BackendError('IO', `injected fault: delete of ${objectLabel(type, name)} failed`);
    }
    return this.inner.delete(type, name);
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  #hits(type: ObjectType, name: string): boolean {
    return this.faults.match === undefined || this.faults.match(type, name);
  }
}
