/*
 * What every repository command shares: the options (--repo, --lock-wait,
 * --quiet), where the repository is (--repo or CLAWBACK_REPO), value parsers
 * (durations, byte sizes), and opening the repository in the safe order:
 * check it is one, take the lock, then read config and index, so the index a
 * command works from cannot go stale under it (a prune finishing between open
 * and lock). Library calls then run with noLock: the CLI holds the lock.
 */
import { isClawbackError } from '../core/errors.js';
import { CONFIG_NAME } from '../store/backend.js';
import { LocalBackend } from '../store/backend-local.js';
import { acquireLock, type HeldLock } from '../store/lock.js';
import { Repository } from '../store/repository.js';
import { HintedError, UsageError, type CliContext } from './command.js';

/** The options of every repository command (merge into a command's own). */
export const REPO_OPTIONS = {
  repo: { type: 'string', short: 'r' },
  'lock-wait': { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
} as const;

/** Help lines for REPO_OPTIONS and the global options, for each command's --help. */
export const REPO_HELP = `  -r, --repo=DIR          the repository (default: $CLAWBACK_REPO)
      --lock-wait=DUR     wait up to DUR (e.g. 30s, 5m) for another clawback's
                          lock to go away before failing with exit 7 (default 0)
  -q, --quiet             no progress display and no non-essential output
      --json              one JSON object per line on stdout: progress events,
                          then the result last (or {"error":{...}} on failure)
  -v, --verbose           print a stack trace with an unexpected error
  -h, --help              show this help`;

/** The parsed repository options. */
export interface RepoArgs {
  /** The repository directory as given. */
  dir: string;
  lockWaitMs: number;
  quiet: boolean;
}

/** How a command locks the repository. */
export type LockMode = 'none' | 'shared' | 'exclusive';

const hintFor = (command: string) => `run 'clawback ${command} --help'`;

/**
 * Reads --repo / CLAWBACK_REPO, --lock-wait and --quiet.
 * @throws UsageError when neither --repo nor CLAWBACK_REPO names a repository, or --lock-wait is not a duration
 * @example const r = repoArgs(values, ctx, 'backup'); // { dir: '/backups/repo', lockWaitMs: 0, quiet: false }
 */
export function repoArgs(values: { repo?: string | undefined; 'lock-wait'?: string | undefined; quiet?: boolean | undefined }, ctx: CliContext, command: string): RepoArgs {
  const dir = values.repo ?? ctx.io.env['CLAWBACK_REPO'];
  if (dir === undefined || dir === '') {
    throw new UsageError('no repository given: pass --repo DIR or set CLAWBACK_REPO', hintFor(command));
  }
  const lockWaitMs = values['lock-wait'] === undefined ? 0 : parseDuration('--lock-wait', values['lock-wait'], command);
  return { dir, lockWaitMs, quiet: values.quiet ?? false };
}

const DURATION_UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Parses a duration like Go's: `500ms`, `30s`, `5m`, `1h30m`, or `0`. Returns milliseconds.
 * @throws UsageError for anything else
 * @example parseDuration('--lock-wait', '1m30s', 'backup') // 90000
 */
export function parseDuration(name: string, text: string, command: string): number {
  const bad = () => new UsageError(`${name} expects a duration like 30s, 5m or 1h30m, got "${text}"`, hintFor(command));
  if (text === '0') return 0;
  const part = /(\d+(?:\.\d+)?)(ms|s|m|h)/y;
  let ms = 0;
  let pos = 0;
  while (pos < text.length) {
    part.lastIndex = pos;
    const m = part.exec(text);
    if (!m) throw bad();
    ms += Number(m[1]) * DURATION_UNITS[m[2]!]!;
    pos = part.lastIndex;
  }
  if (pos === 0 || !Number.isFinite(ms) || ms > 2 ** 31 - 1) throw bad();
  return Math.round(ms);
}

const SIZE_UNITS: Readonly<Record<string, number>> = { '': 1, b: 1, k: 1024, kib: 1024, m: 1 << 20, mib: 1 << 20, g: 1 << 30, gib: 1 << 30 };

/**
 * Parses a byte size: `4096`, `16K`, `16KiB`, `8M`, `1GiB` (binary units, case-insensitive).
 * @throws UsageError when it is not a size in [min, max]
 * @example parseSize('--pack-size', '8M', 1024, 1 << 30, 'init') // 8388608
 */
export function parseSize(name: string, text: string, min: number, max: number, command: string): number {
  const m = /^(\d+)\s*([a-z]*)$/i.exec(text.trim());
  const unit = m ? SIZE_UNITS[m[2]!.toLowerCase()] : undefined;
  const v = m && unit !== undefined ? Number(m[1]) * unit : NaN;
  if (!Number.isSafeInteger(v) || v < min || v > max) {
    throw new UsageError(`${name} expects a size from ${min} to ${max} bytes (suffixes K, M, G), got "${text}"`, hintFor(command));
  }
  return v;
}

/**
 * Opens the backend of an existing repository (without locking or reading it).
 * @throws HintedError NOT_FOUND when `dir` does not exist or holds no repository
 * @example const backend = await openBackend('/backups/repo');
 */
export async function openBackend(dir: string): Promise<LocalBackend> {
  const notHere = (cause: unknown) =>
    new HintedError('NOT_FOUND', `no clawback repository at ${dir}`, "check --repo / CLAWBACK_REPO, or create one with 'clawback init --repo DIR'", { cause });
  let backend: LocalBackend;
  try {
    backend = await LocalBackend.open(dir);
  } catch (e) {
    if (isClawbackError(e, 'NOT_FOUND')) throw notHere(e);
    throw e;
  }
  try {
    await backend.stat('config', CONFIG_NAME);
  } catch (e) {
    await backend.close();
    if (isClawbackError(e, 'NOT_FOUND')) throw notHere(e);
    throw e;
  }
  return backend;
}

/**
 * Runs `fn` on the repository at `r.dir`: backend opened, lock taken (waiting up
 * to --lock-wait), then config and index read; lock released and backend closed after.
 * @throws HintedError NOT_FOUND (no repository), ClawbackError LOCKED (naming the holder), and whatever fn throws
 * @example await withRepository(r, ctx, 'shared', async (repo) => repo.snapshots());
 */
export async function withRepository<T>(r: RepoArgs, ctx: CliContext, lock: LockMode, fn: (repo: Repository) => Promise<T>): Promise<T> {
  const backend = await openBackend(r.dir);
  try {
    let held: HeldLock | undefined;
    if (lock !== 'none') {
      held = await acquireLock(backend, { exclusive: lock === 'exclusive', waitMs: r.lockWaitMs, signal: ctx.signal });
    }
    try {
      const repo = await Repository.open(backend);
      return await fn(repo);
    } finally {
      await held?.release();
    }
  } finally {
    await backend.close();
  }
}

/**
 * Turns the library's TypeError/RangeError about an option into a usage error naming the option.
 * @throws UsageError for a TypeError/RangeError, `e` itself otherwise
 * @example try { parseGroupBy(v) } catch (e) { rethrowAsUsage(e, '--group-by', 'forget') }
 */
export function rethrowAsUsage(e: unknown, option: string, command: string): never {
  if (e instanceof RangeError || e instanceof TypeError) {
    throw new UsageError(`${option}: ${e.message.replace(/^"[^"]*" /, '')}`, hintFor(command));
  }
  throw e;
}

/**
 * Throws UsageError when there are more or fewer positional arguments than allowed.
 * @throws UsageError
 * @example positionalCount(positionals, 1, 2, 'ls', 'SNAPSHOT [PATH]')
 */
export function positionalCount(positionals: readonly string[], min: number, max: number, command: string, usage: string): void {
  if (positionals.length < min) throw new UsageError(`${command} needs ${usage}`, hintFor(command));
  if (positionals.length > max) {
    throw new UsageError(`${command} takes ${usage}, got ${positionals.length} arguments: ${positionals.map((p) => JSON.stringify(p)).join(' ')}`, hintFor(command));
  }
}
