/*
 * The CLI's exit codes: one stable table from error code to process exit
 * status, so scripts can tell "your input is damaged" from "the disk said no"
 * without parsing messages. `clawback --help` prints the same table.
 */
import type { ErrorCode } from '../core/errors.js';

/** Every exit status clawback uses. Stable between releases. */
export const EXIT = {
  /** Success. */
  OK: 0,
  /** A failure with no more specific code: an unexpected error (a bug) or a partial result. */
  FAILURE: 1,
  /** The command line was wrong: unknown command or option, missing or extra argument, bad value. */
  USAGE: 2,
  /** An input is not what it claims to be: bad magic, truncated, corrupt, unsupported or over a limit. */
  BAD_INPUT: 3,
  /** A checksum did not match: the data is damaged or does not belong together. */
  INTEGRITY: 4,
  /** A file was missing or the operating system refused a read or write. */
  IO: 5,
  /** The output already exists and overwriting was not asked for. */
  EXISTS: 6,
  /** Another process holds a conflicting lock. */
  LOCKED: 7,
  /** Interrupted (SIGINT or an abort): 128 + SIGINT, as shells report it. */
  ABORTED: 130,
} as const;

/** One of the exit statuses in {@link EXIT}. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * The exit status of each ClawbackError code: the one place that decides it.
 * A `Record` over the ErrorCode union, so a new code does not compile until it is placed here.
 */
export const EXIT_CODE_OF: Readonly<Record<ErrorCode, ExitCode>> = {
  BAD_MAGIC: EXIT.BAD_INPUT,
  TRUNCATED: EXIT.BAD_INPUT,
  CORRUPT: EXIT.BAD_INPUT,
  UNSUPPORTED: EXIT.BAD_INPUT,
  LIMIT: EXIT.BAD_INPUT,
  UNSAFE_PATH: EXIT.BAD_INPUT,
  INTEGRITY: EXIT.INTEGRITY,
  IO: EXIT.IO,
  NOT_FOUND: EXIT.IO,
  EXISTS: EXIT.EXISTS,
  LOCKED: EXIT.LOCKED,
  BUSY: EXIT.LOCKED,
  CONFIG: EXIT.BAD_INPUT,
  ABORTED: EXIT.ABORTED,
};

/**
 * The exit status for an error code.
 * @throws never: an unknown code (from a newer library) maps to FAILURE
 * @example exitCodeFor('CORRUPT') // 3
 */
export function exitCodeFor(code: string): ExitCode {
  return Object.hasOwn(EXIT_CODE_OF, code) ? EXIT_CODE_OF[code as ErrorCode] : EXIT.FAILURE;
}

/**
 * The table as help text, one status per line.
 * @example console.log(exitCodeHelp());
 */
export function exitCodeHelp(): string {
  const rows: [number, string][] = [
    [EXIT.OK, 'success'],
    [EXIT.FAILURE, 'unexpected error (a bug: rerun with --verbose) or partial result'],
    [EXIT.USAGE, 'usage error: unknown command or option, missing argument, bad value'],
    [EXIT.BAD_INPUT, 'bad input: not a signature/delta, truncated, corrupt, unsupported, over a limit, invalid configuration file'],
    [EXIT.INTEGRITY, 'integrity check failed: a checksum did not match'],
    [EXIT.IO, 'file not found or I/O error (permissions, disk full)'],
    [EXIT.EXISTS, 'output exists (use -f/--force to overwrite)'],
    [EXIT.LOCKED, 'locked or in use by another process (another clawback, a running OpenClaw gateway)'],
    [EXIT.ABORTED, 'interrupted (SIGINT); no partial output files are left'],
  ];
  return rows.map(([c, what]) => `  ${String(c).padStart(3)}  ${what}`).join('\n');
}
