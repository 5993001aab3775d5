/*
 * Backend errors: one class with the stable codes of core/errors.ts, and the
 * mapping from Node's file-system errors (ENOENT, EACCES, ENOSPC, ...) to those
 * codes, with the path in every message so the user knows what to look at.
 */
import { ClawbackError } from '../core/errors.js';

/** A storage backend could not do what was asked (NOT_FOUND, EXISTS, TRUNCATED, IO). */
export class BackendError extends ClawbackError {}

/**
 * The `code` of a Node.js system error (`ENOENT`, ...), or undefined.
 * @throws never
 * @example errnoCode(Object.assign(new Error('x'), { code: 'ENOSPC' })); // 'ENOSPC'
 */
export function errnoCode(e: unknown): string | undefined {
  // ClawbackError codes look like errno names too (EXISTS), so exclude them first.
  if (e === null || typeof e !== 'object' || e instanceof ClawbackError) return undefined;
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) ? code : undefined;
}

/**
 * Turns a Node.js file-system error into a BackendError: ENOENT becomes
 * NOT_FOUND, EEXIST becomes EXISTS, every other system error (EACCES, EPERM,
 * ENOSPC, EIO, EISDIR, ...) becomes IO. Anything that is not a system error
 * (an AbortError, the caller's own error) is returned unchanged.
 * @throws never (it returns the error to throw)
 * @example throw fsError(e, 'read', '/repo/data/ab/ab01');
 */
export function fsError(e: unknown, op: string, path: string): unknown {
  const code = errnoCode(e);
  if (code === undefined) return e;
  const why = e instanceof Error ? e.message : code;
  if (code === 'ENOENT') return new BackendError('NOT_FOUND', `${op} ${path}: no such file or directory`, { cause: e });
  if (code === 'EEXIST') return new BackendError('EXISTS', `${op} ${path}: already exists`, { cause: e });
  return new BackendError('IO', `${op} ${path}: ${why}`, { cause: e });
}
