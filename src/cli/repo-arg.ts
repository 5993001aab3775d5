/*
 * What every repository command shares: the options (--repo, --config,
 * --lock-wait, --quiet), where the repository is (--repo, CLAWBACK_REPO, the
 * settings file, else the platform default, which is created on first use),
 * value parsers (durations, byte sizes), and opening the repository in the
 * safe order: check it is one, take the lock, then read config and index, so
 * the index a command works from cannot go stale under it (a prune finishing
 * between open and lock). Library calls then run with noLock: the CLI holds the lock.
 */
import { readdir } from 'node:fs/promises';
import { isClawbackError } from '../core/errors.js';
import { defaultRepositoryDir, expandTilde, pathApi, type HostInfo } from '../openclaw/platform-dirs.js';
import type { LoadedSettings } from '../openclaw/settings.js';
import { assertOutside } from '../openclaw/repository-location.js';
import { resolveStateDir } from '../openclaw/state-dir.js';
import { CONFIG_NAME, OBJECT_TYPES } from '../store/backend.js';
import { LocalBackend, TEMP_PREFIX } from '../store/backend-local.js';
import { acquireLock, type HeldLock } from '../store/lock.js';
import { Repository } from '../store/repository.js';
import { HintedError, UsageError, type CliContext } from './command.js';
import { cliHost, CONFIG_HELP, CONFIG_OPTION, loadCliSettings } from './settings-arg.js';

/** The options of every repository command (merge into a command's own). */
export const REPO_OPTIONS = {
  repo: { type: 'string', short: 'r' },
  ...CONFIG_OPTION,
  'lock-wait': { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
} as const;

/** Help lines for REPO_OPTIONS and the global options, for each command's --help. */
export const REPO_HELP = `  -r, --repo=DIR          the repository (default: $CLAWBACK_REPO, else the
                          settings file's repository, else clawback's data dir,
                          created on first use; see 'clawback config show')
${CONFIG_HELP}
      --lock-wait=DUR     wait up to DUR (e.g. 30s, 5m) for another clawback's
                          lock to go away before failing with exit 7 (default 0)
  -q, --quiet             no progress display and no non-essential output
                          (also: log-level: quiet in the settings file)
      --json              one JSON object per line on stdout: progress events,
                          then the result last (or {"error":{...}} on failure)
  -v, --verbose           one line per file read (backup), written or deleted
                          (restore, rollback); {"type":"file"} lines with
                          --json; a stack trace with an unexpected error
  -h, --help              show this help`;

/** Where the repository came from: --repo, $CLAWBACK_REPO, the settings file's `repository`, or the platform default. */
export type RepoSource = 'option' | 'CLAWBACK_REPO' | 'settings' | 'default';

/** The parsed repository options. */
export interface RepoArgs {
  /** The repository directory: as given by --repo / CLAWBACK_REPO, absolute from the settings or the default. */
  dir: string;
  source: RepoSource;
  lockWaitMs: number;
  /** --quiet, or `log-level: quiet` in the settings. */
  quiet: boolean;
  /** The settings this command runs with (read once, with --config). */
  settings: LoadedSettings;
  /** The host facts (platform, io's env, home) the defaults were derived from. */
  host: HostInfo;
}

/** How a command locks the repository. */
export type LockMode = 'none' | 'shared' | 'exclusive';

const hintFor = (command: string) => `run 'clawback ${command} --help'`;

/** The values repoArgs reads (REPO_OPTIONS). */
export interface RepoValues {
  repo?: string | undefined;
  config?: string | undefined;
  'lock-wait'?: string | undefined;
  quiet?: boolean | undefined;
}

/**
 * Reads --repo, --config, --lock-wait and --quiet. The repository is --repo,
 * else $CLAWBACK_REPO (empty counts as unset), else the settings file's
 * `repository`, else `<clawback data dir>/repository` (withRepository creates
 * that one on first use). The settings file is read here, once per command.
 * @throws UsageError when --repo is empty or --lock-wait is not a duration;
 * HintedError CONFIG / NOT_FOUND for an invalid or missing settings file
 * @example const r = repoArgs(values, ctx, 'backup'); // { dir: '/backups/repo', source: 'option', lockWaitMs: 0, quiet: false, ... }
 */
export function repoArgs(values: RepoValues, ctx: CliContext, command: string): RepoArgs {
  if (values.repo !== undefined && values.repo.trim() === '') throw new UsageError('--repo expects a directory, got ""', hintFor(command));
  const lockWaitMs = values['lock-wait'] === undefined ? 0 : parseDuration('--lock-wait', values['lock-wait'], command);
  const settings = loadCliSettings(values, ctx);
  const host = cliHost(ctx);
  const env = ctx.io.env['CLAWBACK_REPO'];
  let dir: string;
  let source: RepoSource;
  if (values.repo !== undefined) {
    dir = values.repo;
    source = 'option';
  } else if (env !== undefined && env.trim() !== '') {
    dir = env;
    source = 'CLAWBACK_REPO';
  } else if (settings.settings.repository !== undefined) {
    dir = settings.settings.repository;
    source = 'settings';
  } else {
    dir = defaultRepositoryDir(host);
    source = 'default';
  }
  const quiet = values.quiet ?? settings.settings.logLevel === 'quiet';
  return { dir, source, lockWaitMs, quiet, settings, host };
}

/**
 * Says where a repository came from, for messages and `clawback config show`.
 * @throws never
 * @example describeRepoSource(r) // 'from --repo'
 */
export function describeRepoSource(r: Pick<RepoArgs, 'source' | 'settings'>): string {
  switch (r.source) {
    case 'option':
      return 'from --repo';
    case 'CLAWBACK_REPO':
      return 'from CLAWBACK_REPO';
    case 'settings':
      return `from ${r.settings.file ?? 'the settings file'}`;
    default:
      return 'the default';
  }
}

/**
 * Refuses a new repository inside an OpenClaw state dir: the one the settings
 * and environment select (OPENCLAW_STATE_DIR, the profile) and `<home>/.openclaw`.
 * @throws HintedError UNSAFE_PATH (exit 3) naming the state dir when `dir` is inside one
 * @example refuseInsideStateDir('/home/a/.openclaw/backups', r) // throws
 */
export function refuseInsideStateDir(dir: string, r: Pick<RepoArgs, 'host' | 'settings'>): void {
  const oc = r.settings.settings.openclaw;
  const selected = resolveStateDir({
    host: r.host,
    ...(oc.stateDir !== undefined ? { stateDir: oc.stateDir } : {}),
    ...(oc.profile !== undefined ? { profile: oc.profile } : {}),
  });
  const candidates = [selected.stateDir, pathApi(r.host).join(selected.home, '.openclaw')];
  const target = pathApi(r.host).resolve(expandTilde(dir, r.host));
  try {
    assertOutside(r.host, target, candidates);
  } catch (e) {
    if (!isClawbackError(e, 'UNSAFE_PATH')) throw e;
    throw new HintedError('UNSAFE_PATH', e.message, 'choose a directory outside it with --repo (OpenClaw rewrites and deletes files there, and a backup of the state would take in the repository)', { cause: e });
  }
}

/**
 * Creates the default repository on first use: only for source 'default', only
 * when its directory is missing or empty, never inside the OpenClaw state dir.
 * Uses the settings' compression level. A concurrent creator winning is fine.
 * @throws HintedError UNSAFE_PATH inside the state dir; the backend's IO errors
 * @example if (await ensureDefaultRepository(r, ctx)) ...
 */
export async function ensureDefaultRepository(r: RepoArgs, ctx: CliContext): Promise<boolean> {
  if (r.source !== 'default') return false;
  let names: string[];
  try {
    names = await readdir(r.dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR') return false; // a file: openBackend reports it
    if (code !== 'ENOENT') throw e;
    names = [];
  }
  // A repository (config present), or other files, are left to openBackend; the type
  // directories and temp file of another clawback creating the default right now are not other files.
  const ours = (n: string) => (OBJECT_TYPES as readonly string[]).includes(n) || n.startsWith(TEMP_PREFIX);
  if (names.includes(CONFIG_NAME) || !names.every(ours)) return false;
  refuseInsideStateDir(r.dir, r);
  const backend = await LocalBackend.create(r.dir);
  try {
    const level = r.settings.settings.compression.level;
    await Repository.init(backend, level !== undefined ? { compressionLevel: level } : {});
  } catch (e) {
    if (isClawbackError(e, 'EXISTS')) return false; // another clawback created it first
    throw e;
  } finally {
    await backend.close();
  }
  if (!r.quiet) ctx.out.note(`clawback: created the default repository at ${r.dir}`);
  ctx.out.event({ type: 'repository-created', location: r.dir, source: 'default' });
  return true;
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

/** What to do when there is no repository where `r` points. */
function notFoundHint(r: Pick<RepoArgs, 'source' | 'settings'> | undefined): string {
  switch (r?.source) {
    case 'settings':
      return `check "repository" in ${r.settings.file ?? 'the settings file'}, or create one with 'clawback init'`;
    case 'default':
      return "the default repository's directory holds other files: move them, or name a repository with --repo";
    default:
      return "check --repo / CLAWBACK_REPO, or create one with 'clawback init --repo DIR'";
  }
}

/**
 * Opens the backend of an existing repository (without locking or reading it).
 * `r` (when given) only improves the hint of the error.
 * @throws HintedError NOT_FOUND when `dir` does not exist or holds no repository
 * @example const backend = await openBackend('/backups/repo');
 */
export async function openBackend(dir: string, r?: Pick<RepoArgs, 'source' | 'settings'>): Promise<LocalBackend> {
  const notHere = (cause: unknown) => new HintedError('NOT_FOUND', `no clawback repository at ${dir}`, notFoundHint(r), { cause });
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
 * Runs `fn` on the repository at `r.dir`: the default repository created if it
 * does not exist yet, backend opened, lock taken (waiting up to --lock-wait),
 * then config and index read; lock released and backend closed after.
 * @throws HintedError NOT_FOUND (no repository), ClawbackError LOCKED (naming the holder), and whatever fn throws
 * @example await withRepository(r, ctx, 'shared', async (repo) => repo.snapshots());
 */
export async function withRepository<T>(r: RepoArgs, ctx: CliContext, lock: LockMode, fn: (repo: Repository) => Promise<T>): Promise<T> {
  await ensureDefaultRepository(r, ctx);
  const backend = await openBackend(r.dir, r);
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
