/*
 * What the demo's steps share: the temp layout, the repository and the
 * results each step leaves for the next, plus the few helpers every step uses
 * to print figures in plain words and to stop with one clear line when a
 * check fails.
 */
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import type { GenerateSummary, MutateSummary } from '../../fixtures/index.js';
import type { BackupResult } from '../backup/backup.js';
import type { OpenClawScope } from '../openclaw/scope.js';
import type { Repository } from '../store/repository.js';
import { HintedError, type CliContext } from './command.js';
import type { Reference } from './demo-tree.js';

/** The fixture the demo builds: seed and scale of `generateState` (scale 0.1 ≈ 23 MB, 560 files). */
export const DEMO_SEED = 42;
export const DEMO_SCALE = 0.1;

/** What the steps damage in step 5, so step 7 can show it is mended. */
export interface Damage {
  /** The config's bytes before the botched edit. */
  config: Buffer;
  /** The deleted transcript (relative to the state root) and its size. */
  transcript: { rel: string; size: number };
  /** The database with pages overwritten (relative), its size and how many bytes were overwritten. */
  database: { rel: string; size: number; overwritten: number };
}

/** What the steps share; fields are filled in as the steps run. */
export interface DemoState {
  readonly ctx: CliContext;
  /** The temp dir everything lives in. */
  readonly dir: string;
  /** The OpenClaw state root: `<dir>/home/.openclaw`. */
  readonly state: string;
  /** The repository directory: `<dir>/repo`. */
  readonly repoDir: string;
  /** rdiff on PATH, or undefined. */
  readonly rdiff: { path: string; version: string } | undefined;
  repo: Repository | undefined;
  /** What a default `clawback backup` of this home takes (resolveScope with the state dir). */
  scope: OpenClawScope | undefined;
  generated: GenerateSummary | undefined;
  /** Sizes of the regular files as generated (relative path → bytes). */
  initialSizes: Map<string, number>;
  first: BackupResult | undefined;
  day: MutateSummary | undefined;
  second: BackupResult | undefined;
  /** A copy of the state taken right after the day of changes (what the second backup saw). */
  reference: Reference | undefined;
  damage: Damage | undefined;
  /** Files compared byte for byte in step 7. */
  verified: number;
}

/** One step of the demo: a title (printed numbered) and what it does. */
export interface DemoStep {
  title: string;
  run(s: DemoState): Promise<void>;
}

/** Prints one line of the demo (nothing in --json mode). */
export const say = (s: DemoState, line = ''): void => s.ctx.out.text(line);

/**
 * A byte count in decimal units, as people read them: `812 B`, `4.1 KB`, `23.0 MB`.
 * @example size(22_965_542) // "23.0 MB"
 */
export function size(n: number): string {
  if (n < 1000) return `${n} B`;
  if (n < 1e6) return `${(n / 1e3).toFixed(1)} KB`;
  return `${(n / 1e6).toFixed(1)} MB`;
}

/** Milliseconds as seconds: `1.23 s`. */
export const secs = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

/** `a` as a percentage of `b`: `12.3%`. */
export const pct = (a: number, b: number): string => `${b === 0 ? '0.0' : ((100 * a) / b).toFixed(1)}%`;

/** `n thing` or `n things`. */
export const count = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** Runs `fn` and returns its value with the milliseconds it took. */
export async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const v = await fn();
  return [v, performance.now() - t0];
}

/**
 * Stops the demo when a check fails: one line on stderr and exit status 4 (INTEGRITY).
 * @throws HintedError INTEGRITY when `ok` is false
 * @example mustHold(same, 'openclaw.json differs from the backup');
 */
export function mustHold(ok: boolean, what: string): asserts ok {
  if (!ok) throw new HintedError('INTEGRITY', `demo check failed: ${what}`, "this is a bug in clawback: report it with the demo's output (run 'clawback demo --keep' to keep the files)");
}

/**
 * A field an earlier step sets; missing means the steps ran out of order.
 * @throws Error when it is missing (a bug in the demo)
 */
export function need<T>(v: T | undefined, what: string): T {
  if (v === undefined) throw new Error(`demo: ${what} is not set; the steps ran out of order`);
  return v;
}

/** The rdiff on PATH and its version line, or undefined. */
export function findRdiff(): { path: string; version: string } | undefined {
  const r = spawnSync('rdiff', ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return undefined;
  return { path: 'rdiff', version: (r.stdout.split('\n')[0] ?? 'rdiff').trim() };
}

/** Wraps `words` (joined by ", ") into lines of at most `width` characters: the first starts with `first`, the others with `indent`. */
export function wrapList(words: string[], first: string, indent: string, width = 100): string[] {
  const lines: string[] = [];
  let line = first;
  let start = first.length;
  for (const [i, w] of words.entries()) {
    const piece = w + (i < words.length - 1 ? ',' : '');
    if (line.length > start && line.length + 1 + piece.length > width) {
      lines.push(line);
      line = indent;
      start = indent.length;
    }
    line += (line.length > start ? ' ' : '') + piece;
  }
  if (line.length > start) lines.push(line);
  return lines;
}
