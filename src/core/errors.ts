/*
 * Typed errors with stable codes. Bad data (a corrupt delta, signature, pack or
 * snapshot) raises a ClawbackError subclass whose `code` never changes between
 * releases; bad arguments raise TypeError/RangeError built by core/assert.ts.
 * The CLI maps codes to exit codes (see docs/design.md).
 */

/** Every stable error code clawback can raise for bad data or bad state. */
export type ErrorCode =
  | 'BAD_MAGIC' // the input does not start with a magic number we know
  | 'TRUNCATED' // the input ended before a complete structure
  | 'CORRUPT' // a structure is malformed (bad opcode, out-of-range field, trailing data)
  | 'INTEGRITY' // a checksum or hash did not match the data
  | 'UNSUPPORTED' // a valid but unsupported feature or format version
  | 'LIMIT' // a field asks for more memory or length than we allow
  | 'ABORTED' // the caller's AbortSignal fired
  | 'IO' // the operating system refused a read or write
  | 'NOT_FOUND' // a named object, snapshot or path does not exist
  | 'EXISTS' // the destination exists and overwriting was not allowed
  | 'LOCKED' // another process holds a conflicting lock
  | 'BUSY' // the data is in use by a program that must be stopped first (a running OpenClaw gateway)
  | 'CONFIG' // a configuration file is invalid (names the key and line)
  | 'UNSAFE_PATH'; // a path would escape the target directory

/** Base class of every data/state error clawback throws. */
export class ClawbackError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** An rsync-layer error: signature, delta or patch data is unusable. */
export class RsyncError extends ClawbackError {}

/** The caller's AbortSignal fired; nothing further was written. */
export class AbortError extends ClawbackError {
  constructor(reason?: unknown) {
    super('ABORTED', 'operation aborted', { cause: reason });
  }
}

/** Throws AbortError if `signal` has fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortError(signal.reason);
}

/** True when `e` is a ClawbackError with the given code (or any code when omitted). */
export function isClawbackError(e: unknown, code?: ErrorCode): e is ClawbackError {
  return e instanceof ClawbackError && (code === undefined || e.code === code);
}
