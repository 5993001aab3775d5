/*
 * Repository locks, restic style: a lock object per process in locks/,
 * shared (backup, restore, check) or exclusive (prune). A lock is stale when
 * it was not refreshed for 30 minutes, or its process is gone on this host.
 * A conflict raises LOCKED naming the holder, after an optional wait.
 */
import { randomBytes } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { ClawbackError, isClawbackError, throwIfAborted } from '../core/errors.js';
import { toHex } from '../core/hash.js';
import { deleteIfExists, type Backend } from './backend.js';

/** A lock older than this without refresh is stale. */
export const STALE_AFTER_MS = 30 * 60 * 1000;
/** Locks are rewritten this often while held. */
export const REFRESH_EVERY_MS = 5 * 60 * 1000;

/** Contents of a lock object. */
export interface LockInfo {
  time: string;
  exclusive: boolean;
  hostname: string;
  username: string;
  pid: number;
}

/** Options for acquiring a lock. */
export interface LockOptions {
  exclusive?: boolean;
  /** Keep retrying for this long before failing with LOCKED (default 0: fail at once). */
  waitMs?: number;
  signal?: AbortSignal;
  /** Clock and liveness probes, replaceable in tests. */
  now?: () => number;
  isAlive?: (pid: number) => boolean;
}

/** A held lock. */
export interface HeldLock {
  readonly name: string;
  readonly info: LockInfo;
  /** Removes the lock object; idempotent. */
  release(): Promise<void>;
}

/** Is process `pid` running on this host? */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Why a lock is stale, or undefined when it is live. */
export function staleReason(l: LockInfo, now: number, isAlive: (pid: number) => boolean = processAlive): string | undefined {
  const age = now - Date.parse(l.time);
  if (!(age < STALE_AFTER_MS)) return `not refreshed for ${Math.round(age / 60000)} minutes`;
  if (l.hostname === hostname() && !isAlive(l.pid)) return `process ${l.pid} on this host is gone`;
  return undefined;
}

/** Human description of a lock holder, for LOCKED messages. */
export function describeLock(l: LockInfo): string {
  return `${l.exclusive ? 'exclusive' : 'shared'} lock held by ${l.username}@${l.hostname} pid ${l.pid} since ${l.time}`;
}

async function readLock(backend: Backend, name: string): Promise<LockInfo | undefined> {
  try {
    const l = JSON.parse(new TextDecoder().decode(await backend.read('locks', name))) as LockInfo;
    if (typeof l.time !== 'string' || typeof l.pid !== 'number' || typeof l.hostname !== 'string') return undefined;
    return l;
  } catch (e) {
    if (isClawbackError(e, 'NOT_FOUND')) return undefined; // released meanwhile
    return undefined; // unreadable lock objects are ignored, like stale ones
  }
}

/** Lists the live locks other than `own` that conflict with a lock of kind `exclusive`. */
async function conflicts(backend: Backend, own: string, exclusive: boolean, now: number, isAlive: (pid: number) => boolean): Promise<LockInfo[]> {
  const out: LockInfo[] = [];
  for await (const { name } of backend.list('locks')) {
    if (name === own) continue;
    const l = await readLock(backend, name);
    if (!l || staleReason(l, now, isAlive)) continue;
    if (exclusive || l.exclusive) out.push(l);
  }
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Takes a lock on the repository.
 * @throws ClawbackError LOCKED (naming the holder) when a conflicting live lock remains after waitMs
 * @example const lock = await acquireLock(backend, { exclusive: true }); try { ... } finally { await lock.release(); }
 */
export async function acquireLock(backend: Backend, opts: LockOptions = {}): Promise<HeldLock> {
  const now = opts.now ?? Date.now;
  const isAlive = opts.isAlive ?? processAlive;
  const exclusive = opts.exclusive ?? false;
  const deadline = now() + (opts.waitMs ?? 0);
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no user database entry (containers)
  }
  for (let attempt = 0; ; attempt++) {
    throwIfAborted(opts.signal);
    const info: LockInfo = { time: new Date(now()).toISOString(), exclusive, hostname: hostname(), username: user, pid: process.pid };
    const name = toHex(randomBytes(32));
    await backend.write('locks', name, new TextEncoder().encode(JSON.stringify(info)));
    const others = await conflicts(backend, name, exclusive, now(), isAlive);
    if (others.length === 0) return holdLock(backend, name, info, now);
    await deleteIfExists(backend, 'locks', name);
    if (now() >= deadline) throw new ClawbackError('LOCKED', `repository is locked: ${describeLock(others[0]!)}`);
    await sleep(Math.min(Math.max(0, deadline - now()), 200 + Math.random() * 300 * Math.min(attempt + 1, 5)));
  }
}

function holdLock(backend: Backend, name: string, info: LockInfo, now: () => number): HeldLock {
  let current = name;
  let released = false;
  const timer = setInterval(() => {
    // Refresh: write a new lock object, then remove the old one.
    const next = toHex(randomBytes(32));
    const body = { ...info, time: new Date(now()).toISOString() };
    void backend
      .write('locks', next, new TextEncoder().encode(JSON.stringify(body)))
      .then(async () => {
        const old = current;
        current = next;
        if (released) await deleteIfExists(backend, 'locks', next);
        else await deleteIfExists(backend, 'locks', old);
      })
      .catch(() => {});
  }, REFRESH_EVERY_MS);
  timer.unref();
  return {
    name,
    info,
    async release() {
      if (released) return;
      released = true;
      clearInterval(timer);
      await deleteIfExists(backend, 'locks', current);
    },
  };
}

/** Lock options of the high-level operations. */
export interface LockWait {
  /** Wait this long for a conflicting lock to go away before failing with LOCKED (default 0). */
  lockWaitMs?: number;
  /** Operate without taking a lock (the caller holds one). */
  noLock?: boolean;
  signal?: AbortSignal;
}

/**
 * Runs `fn` under a shared or exclusive lock on `repo`, released afterwards.
 * @throws ClawbackError LOCKED when the lock cannot be had within lockWaitMs
 */
export async function withLock<T>(repo: { backend: Backend }, exclusive: boolean, opts: LockWait, fn: () => Promise<T>): Promise<T> {
  if (opts.noLock) return fn();
  const lock = await acquireLock(repo.backend, { exclusive, waitMs: opts.lockWaitMs ?? 0, ...(opts.signal ? { signal: opts.signal } : {}) });
  try {
    return await fn();
  } finally {
    await lock.release();
  }
}
