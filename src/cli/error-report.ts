/*
 * Turns anything a command throws into one line, `clawback: <what happened>;
 * <what to do>`, an error code and an exit status (exit-codes.ts). Node's
 * errno errors (ENOENT, EACCES, ...) become NOT_FOUND/IO/EXISTS first. A stack
 * trace is only ever printed on request (--verbose, CLAWBACK_DEBUG=1).
 */
import { ClawbackError, type ErrorCode } from '../core/errors.js';
import { HintedError, UsageError } from './command.js';
import { EXIT, exitCodeFor } from './exit-codes.js';

/** Everything the top level needs to report a failure. */
export interface FailureReport {
  exitCode: number;
  /** An ErrorCode, or USAGE / INTERNAL for the CLI's own cases. */
  code: ErrorCode | 'USAGE' | 'INTERNAL';
  message: string;
  hint: string;
  /** The error's stack, for --verbose. */
  stack: string | undefined;
}

/** What to do about each error code, when the error does not say better. */
const HINTS: Readonly<Record<ErrorCode, string>> = {
  BAD_MAGIC: 'check that the right file was given (a signature where a signature is expected, a delta where a delta is)',
  TRUNCATED: 'the file is incomplete: make it again or copy it again',
  CORRUPT: 'the file is damaged: make it again',
  UNSUPPORTED: 'make the file again with supported options, or upgrade clawback',
  LIMIT: 'the input asks for more than clawback allows: check that it is the right file',
  UNSAFE_PATH: 'refusing to write outside the target: check where the data came from',
  INTEGRITY: 'the data is damaged or does not belong together (a delta applied to a different basis?)',
  IO: 'check permissions and free space, then retry',
  NOT_FOUND: 'check the name and the path',
  EXISTS: 'remove it or choose another name (rdiff: -f/--force overwrites)',
  LOCKED: 'wait for the other clawback process to finish, then retry',
  BUSY: 'stop the program using the data first (openclaw gateway stop), or pass --force',
  CONFIG: 'fix the configuration file at the line named, or run clawback config show',
  ABORTED: 'no partial output files were left',
};

/** An error from node:fs and friends: `code` like 'ENOENT', maybe `path` and `syscall`. */
interface ErrnoLike {
  code: string;
  path?: unknown;
  syscall?: unknown;
  message: string;
}

function isErrno(e: unknown): e is ErrnoLike {
  const code = e instanceof Error ? (e as { code?: unknown }).code : undefined;
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code);
}

/**
 * Translates a Node errno error into a ClawbackError with a clear message.
 * @throws never
 * @example fromErrno(enoentError) // ClawbackError NOT_FOUND 'no such file or directory: "old.db"'
 */
export function fromErrno(e: ErrnoLike): HintedError {
  const where = typeof e.path === 'string' ? `: "${e.path}"` : '';
  const make = (code: ErrorCode, what: string, hint: string) => new HintedError(code, what + where, hint, { cause: e });
  switch (e.code) {
    case 'ENOENT':
      return make('NOT_FOUND', 'no such file or directory', HINTS.NOT_FOUND);
    case 'ENOTDIR':
      return make('NOT_FOUND', 'a part of the path is not a directory', HINTS.NOT_FOUND);
    case 'EACCES':
    case 'EPERM':
      return make('IO', 'permission denied', "check the file's and the directory's permissions");
    case 'EISDIR':
      return make('IO', 'is a directory', 'give the name of a file');
    case 'ENOSPC':
    case 'EDQUOT':
      return make('IO', 'no space left on the device', 'free some space, then retry');
    case 'EROFS':
      return make('IO', 'read-only file system', 'write the output somewhere writable');
    case 'EEXIST':
      return make('EXISTS', 'already exists', HINTS.EXISTS);
    case 'EPIPE':
      return make('IO', 'the output was closed early (broken pipe)', 'the program reading the output stopped before the end');
    case 'EMFILE':
    case 'ENFILE':
      return make('IO', 'too many open files', 'raise the open-file limit (ulimit -n), then retry');
    default: {
      const op = typeof e.syscall === 'string' ? `${e.syscall} failed` : 'a system call failed';
      return make('IO', `${op} (${e.code})`, HINTS.IO);
    }
  }
}

/** One line: no newlines, no trailing period, no "Error:" prefix. */
function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim().replace(/\.$/, '');
}

/**
 * Describes any thrown value for the top level.
 * @throws never
 * @example describeFailure(new RsyncError('CORRUPT', 'bad opcode 0x55')).exitCode // 3
 */
export function describeFailure(e: unknown): FailureReport {
  const stack = e instanceof Error ? e.stack : undefined;
  if (e instanceof UsageError) {
    return { exitCode: EXIT.USAGE, code: 'USAGE', message: oneLine(e.message), hint: e.hint, stack };
  }
  if (isErrno(e) && !(e instanceof ClawbackError)) return describeFailure(fromErrno(e));
  if (e instanceof Error && (e.name === 'AbortError' || (e as { code?: unknown }).code === 'ABORT_ERR') && !(e instanceof ClawbackError)) {
    return { exitCode: EXIT.ABORTED, code: 'ABORTED', message: 'operation aborted', hint: HINTS.ABORTED, stack };
  }
  if (e instanceof ClawbackError) {
    const hint = e instanceof HintedError ? e.hint : (HINTS[e.code] ?? HINTS.IO);
    return { exitCode: exitCodeFor(e.code), code: e.code, message: oneLine(e.message), hint, stack };
  }
  const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return {
    exitCode: EXIT.FAILURE,
    code: 'INTERNAL',
    message: `unexpected error: ${oneLine(message)}`,
    hint: 'this is a bug; rerun with --verbose (or CLAWBACK_DEBUG=1) and report it',
    stack,
  };
}

/**
 * The one-line text form: `clawback: <what happened>; <what to do>`.
 * @example failureLine(describeFailure(e)) // 'clawback: delta file "d" does not exist; check the name and the path'
 */
export function failureLine(r: FailureReport): string {
  return `clawback: ${r.message}; ${oneLine(r.hint)}`;
}

/**
 * The JSON form: `{"error":{"code":...,"message":...,"hint":...,"exitCode":...}}`.
 * @example JSON.stringify(failureJson(describeFailure(e)))
 */
export function failureJson(r: FailureReport): object {
  return { error: { code: r.code, message: r.message, hint: oneLine(r.hint), exitCode: r.exitCode } };
}
