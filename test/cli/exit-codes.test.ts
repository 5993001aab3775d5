// The exit-code table and the error → one-line report mapping, checked in-process.
import { describe, expect, it } from 'vitest';
import { ClawbackError, RsyncError, type ErrorCode } from '../../src/core/errors.js';
import { UsageError } from '../../src/cli/command.js';
import { describeFailure, failureJson, failureLine } from '../../src/cli/error-report.js';
import { EXIT, EXIT_CODE_OF, exitCodeFor } from '../../src/cli/exit-codes.js';

const ALL_CODES: ErrorCode[] = ['BAD_MAGIC', 'TRUNCATED', 'CORRUPT', 'INTEGRITY', 'UNSUPPORTED', 'LIMIT', 'ABORTED', 'IO', 'NOT_FOUND', 'EXISTS', 'LOCKED', 'BUSY', 'CONFIG', 'UNSAFE_PATH'];

function errno(code: string, path?: string): Error {
  return Object.assign(new Error(`${code}: something, open '${path}'`), { code, syscall: 'open', ...(path ? { path } : {}) });
}

describe('exit codes', () => {
  it('the documented statuses', () => {
    expect(EXIT).toEqual({ OK: 0, FAILURE: 1, USAGE: 2, BAD_INPUT: 3, INTEGRITY: 4, IO: 5, EXISTS: 6, LOCKED: 7, ABORTED: 130 });
  });

  it('every error code has a status, and the groups are as documented', () => {
    expect(Object.keys(EXIT_CODE_OF).sort()).toEqual([...ALL_CODES].sort());
    for (const c of ['BAD_MAGIC', 'TRUNCATED', 'CORRUPT', 'UNSUPPORTED', 'LIMIT', 'UNSAFE_PATH', 'CONFIG'] as const) expect(exitCodeFor(c)).toBe(3);
    expect(exitCodeFor('INTEGRITY')).toBe(4);
    expect(exitCodeFor('IO')).toBe(5);
    expect(exitCodeFor('NOT_FOUND')).toBe(5);
    expect(exitCodeFor('EXISTS')).toBe(6);
    expect(exitCodeFor('LOCKED')).toBe(7);
    expect(exitCodeFor('BUSY')).toBe(7);
    expect(exitCodeFor('ABORTED')).toBe(130);
    expect(exitCodeFor('SOMETHING_NEW')).toBe(1);
    expect(exitCodeFor('toString')).toBe(1);
  });
});

describe('describeFailure', () => {
  it('a data error keeps its code and gets a hint', () => {
    const r = describeFailure(new RsyncError('CORRUPT', 'bad command byte 0x55 at offset 9'));
    expect(r).toMatchObject({ exitCode: 3, code: 'CORRUPT' });
    expect(failureLine(r)).toMatch(/^clawback: bad command byte 0x55 at offset 9; \S.+$/);
  });

  it('errno errors become NOT_FOUND / IO / EXISTS with the path', () => {
    const enoent = describeFailure(errno('ENOENT', 'x/old.db'));
    expect(enoent).toMatchObject({ exitCode: 5, code: 'NOT_FOUND' });
    expect(enoent.message).toBe('no such file or directory: "x/old.db"');
    expect(describeFailure(errno('EACCES', 'f'))).toMatchObject({ exitCode: 5, code: 'IO' });
    expect(describeFailure(errno('ENOSPC'))).toMatchObject({ exitCode: 5, code: 'IO' });
    expect(describeFailure(errno('EEXIST', 'f'))).toMatchObject({ exitCode: 6, code: 'EXISTS' });
    expect(describeFailure(errno('EWHATEVER', 'f')).message).toMatch(/open failed \(EWHATEVER\)/);
  });

  it('a ClawbackError whose code looks like an errno is not mistaken for one', () => {
    expect(describeFailure(new ClawbackError('EXISTS', 'out exists'))).toMatchObject({ exitCode: 6, code: 'EXISTS', message: 'out exists' });
  });

  it('an unexpected error is exit 1, INTERNAL, one line, stack kept for --verbose only', () => {
    const e = new TypeError('cannot read properties of undefined\n  (reading "x")');
    const r = describeFailure(e);
    expect(r).toMatchObject({ exitCode: 1, code: 'INTERNAL' });
    expect(failureLine(r)).not.toMatch(/\n/);
    expect(failureLine(r)).toMatch(/unexpected error: TypeError: cannot read properties of undefined \(reading "x"\); .*--verbose/);
    expect(r.stack).toMatch(/at /);
    expect(describeFailure('a string').code).toBe('INTERNAL');
  });

  it('usage errors are exit 2; Node AbortErrors are 130', () => {
    expect(describeFailure(new UsageError('no command given'))).toMatchObject({ exitCode: 2, code: 'USAGE' });
    const abort = Object.assign(new Error('The operation was aborted'), { name: 'AbortError', code: 'ABORT_ERR' });
    expect(describeFailure(abort)).toMatchObject({ exitCode: 130, code: 'ABORTED' });
  });

  it('the JSON form carries code, message, hint and exit status', () => {
    const j = failureJson(describeFailure(new RsyncError('INTEGRITY', 'sha mismatch'))) as { error: Record<string, unknown> };
    expect(j.error).toMatchObject({ code: 'INTEGRITY', message: 'sha mismatch', exitCode: 4 });
    expect(typeof j.error['hint']).toBe('string');
  });
});
