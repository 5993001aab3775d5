/*
 * What the settings file may say, and the check that turns a parsed YAML tree
 * into a typed, frozen Settings object. Keys are kebab-case (`keep-daily`),
 * like restic's and borgmatic's YAML; every error names the file, the line and
 * the key path, e.g. `config.yaml line 7: retention.keep-daily: expected an
 * integer >= -1, got "seven"` (ClawbackError CONFIG).
 */
import { ClawbackError } from '../core/errors.js';
import { parsePolicyDuration, type RetentionPolicy } from '../store/retention.js';
import { expandTilde, pathApi, type HostInfo } from './platform-dirs.js';
import type { LocatedEntry, LocatedNode } from './settings-yaml.js';

/** How much a command prints besides its result: `quiet` is the same as --quiet. */
export type LogLevel = 'quiet' | 'normal';

/** The OpenClaw part of the settings: which state dir to back up. */
export interface OpenClawSettings {
  /** An explicit state dir (absolute); wins over OPENCLAW_STATE_DIR and the profile. */
  readonly stateDir?: string;
  /** An OpenClaw profile: the state dir is `~/.openclaw-<profile>`. */
  readonly profile?: string;
  /** Leave out `extensions/<name>/node_modules` (manifests are kept). Default false. */
  readonly excludeNodeModules: boolean;
}

/** The settings, validated: paths absolute (`~` expanded, relative ones resolved against the file's directory). */
export interface Settings {
  /** The repository directory; absent: $CLAWBACK_REPO or the platform default. */
  readonly repository?: string;
  readonly openclaw: OpenClawSettings;
  /** Extra files or directories backed up with the OpenClaw state (absolute). */
  readonly sources: readonly string[];
  /** Patterns left out of every backup (fast-glob syntax). */
  readonly exclude: readonly string[];
  /** When non-empty, only paths matching one of these are backed up. */
  readonly include: readonly string[];
  /** The retention policy `forget` applies when no --keep-* flag is given (empty: none). */
  readonly retention: Readonly<RetentionPolicy>;
  /** Compression of a repository created with these settings; existing repositories keep theirs. */
  readonly compression: { readonly level?: number };
  /** Default 'normal'. */
  readonly logLevel: LogLevel;
}

/** The settings when there is no file: nothing set. */
export const DEFAULT_SETTINGS: Settings = deepFreeze({
  openclaw: { excludeNodeModules: false },
  sources: [],
  exclude: [],
  include: [],
  retention: {},
  compression: {},
  logLevel: 'normal',
});

/** The keys of each mapping, in the order the reference lists them. */
export const SETTINGS_KEYS = {
  '': ['repository', 'openclaw', 'sources', 'exclude', 'include', 'retention', 'compression', 'log-level'],
  openclaw: ['state-dir', 'profile', 'exclude-node-modules'],
  retention: [
    'keep-last',
    'keep-hourly',
    'keep-daily',
    'keep-weekly',
    'keep-monthly',
    'keep-yearly',
    'keep-within',
    'keep-within-hourly',
    'keep-within-daily',
    'keep-within-weekly',
    'keep-within-monthly',
    'keep-within-yearly',
    'keep-tag',
  ],
  compression: ['level'],
} as const;

const COUNT_KEYS = { 'keep-last': 'last', 'keep-hourly': 'hourly', 'keep-daily': 'daily', 'keep-weekly': 'weekly', 'keep-monthly': 'monthly', 'keep-yearly': 'yearly' } as const;
const WITHIN_KEYS = {
  'keep-within': 'within',
  'keep-within-hourly': 'withinHourly',
  'keep-within-daily': 'withinDaily',
  'keep-within-weekly': 'withinWeekly',
  'keep-within-monthly': 'withinMonthly',
  'keep-within-yearly': 'withinYearly',
} as const;

const PROFILE_RE = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const LOG_LEVELS: readonly LogLevel[] = ['quiet', 'normal'];

/** What validation needs besides the tree. */
interface Ctx {
  file: string;
  host: HostInfo;
}

/** Shows a value in a message: strings quoted (and cut at 40 characters), collections by kind. */
function show(n: LocatedNode): string {
  if (n.kind === 'map') return 'a mapping';
  if (n.kind === 'seq') return 'a list';
  if (typeof n.value === 'string') return JSON.stringify(n.value.length > 40 ? n.value.slice(0, 40) + '…' : n.value);
  return String(n.value);
}

function fail(c: Ctx, line: number, keyPath: string, what: string): never {
  throw new ClawbackError('CONFIG', `${c.file} line ${line}: ${keyPath}: ${what}`);
}

function expected(c: Ctx, n: LocatedNode, keyPath: string, what: string): never {
  return fail(c, n.line, keyPath, `expected ${what}, got ${show(n)}`);
}

/** Edit distance, for "did you mean". */
function distance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0]!;
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = d[j]!;
      d[j] = Math.min(d[j]! + 1, d[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return d[b.length]!;
}

/** The entries of a mapping, refusing keys not in `allowed` (with a suggestion). */
function entriesOf(c: Ctx, n: LocatedNode, path: string, allowed: readonly string[]): LocatedEntry[] {
  if (n.kind !== 'map') expected(c, n, path || '(top level)', 'a mapping of keys to values');
  for (const e of n.entries) {
    if (allowed.includes(e.key)) continue;
    const kebab = e.key.replace(/([a-z0-9])([A-Z])/g, '$1-$2').replace(/_/g, '-').toLowerCase();
    const near = allowed.find((k) => k === kebab) ?? allowed.find((k) => distance(k, e.key) <= 2);
    const hint = near !== undefined ? `did you mean "${near}"?` : `expected one of ${allowed.join(', ')}`;
    fail(c, e.line, join(path, e.key), `unknown key (keys are kebab-case: ${hint})`);
  }
  return n.entries.filter((e) => !(e.value.kind === 'scalar' && e.value.value === null)); // `key:` with no value = not set
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function str(c: Ctx, n: LocatedNode, path: string): string {
  if (n.kind !== 'scalar' || typeof n.value !== 'string' || n.value.trim() === '') expected(c, n, path, 'a non-empty string');
  return n.value;
}

/** A path: `~` expanded; relative ones resolved against the directory of the settings file. */
function filePath(c: Ctx, n: LocatedNode, path: string): string {
  const p = pathApi(c.host);
  return p.resolve(p.dirname(c.file), expandTilde(str(c, n, path).trim(), c.host));
}

function list(c: Ctx, n: LocatedNode, path: string, item: (n: LocatedNode, path: string) => string): string[] {
  if (n.kind !== 'seq') expected(c, n, path, 'a list');
  return n.items.map((x, i) => item(x, `${path}[${i}]`));
}

function int(c: Ctx, n: LocatedNode, path: string, min: number, max: number, what: string): number {
  if (n.kind !== 'scalar' || typeof n.value !== 'number' || !Number.isSafeInteger(n.value) || n.value < min || n.value > max) expected(c, n, path, what);
  return n.value;
}

function bool(c: Ctx, n: LocatedNode, path: string): boolean {
  if (n.kind !== 'scalar' || typeof n.value !== 'boolean') expected(c, n, path, 'true or false');
  return n.value;
}

function openclawOf(c: Ctx, n: LocatedNode): OpenClawSettings {
  const out: { stateDir?: string; profile?: string; excludeNodeModules: boolean } = { excludeNodeModules: false };
  let stateLine = 0;
  for (const e of entriesOf(c, n, 'openclaw', SETTINGS_KEYS.openclaw)) {
    const path = `openclaw.${e.key}`;
    if (e.key === 'state-dir') {
      out.stateDir = filePath(c, e.value, path);
      stateLine = e.line;
    } else if (e.key === 'profile') {
      const v = str(c, e.value, path);
      if (!PROFILE_RE.test(v)) expected(c, e.value, path, 'a profile name of a-z, 0-9, _ and - (starting with a letter or digit, at most 64)');
      out.profile = v;
    } else out.excludeNodeModules = bool(c, e.value, path);
  }
  if (out.stateDir !== undefined && out.profile !== undefined) {
    fail(c, stateLine, 'openclaw.state-dir', 'cannot be combined with openclaw.profile (a profile only chooses the state dir)');
  }
  return out;
}

function retentionOf(c: Ctx, n: LocatedNode): RetentionPolicy {
  const policy: RetentionPolicy = {};
  for (const e of entriesOf(c, n, 'retention', SETTINGS_KEYS.retention)) {
    const path = `retention.${e.key}`;
    if (e.key in COUNT_KEYS) {
      policy[COUNT_KEYS[e.key as keyof typeof COUNT_KEYS]] = int(c, e.value, path, -1, Number.MAX_SAFE_INTEGER, 'an integer >= -1 (-1 keeps all)');
    } else if (e.key in WITHIN_KEYS) {
      const v = e.value.kind === 'scalar' && typeof e.value.value === 'string' ? e.value.value.trim() : '';
      let ok = v !== '';
      try {
        if (ok) parsePolicyDuration(v, path);
      } catch {
        ok = false;
      }
      if (!ok) expected(c, e.value, path, 'a duration like 30d, 12h or 1y6m (units y, m, d, h)');
      policy[WITHIN_KEYS[e.key as keyof typeof WITHIN_KEYS]] = v;
    } else {
      policy.tags = list(c, e.value, path, (x, p) => str(c, x, p)).map((t) =>
        t
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s.length > 0),
      );
    }
  }
  return policy;
}

/**
 * Checks a parsed settings tree and builds the frozen Settings. `file` should be
 * absolute: relative paths in the file are resolved against its directory.
 * @throws ClawbackError CONFIG `<file> line N: <key.path>: <what>` for an unknown key, a wrong type or an out-of-range value
 * @example settingsFromTree(parseLocatedYaml('retention:\n  keep-daily: 7\n', f), f, host).retention // { daily: 7 }
 */
export function settingsFromTree(tree: LocatedNode | null, file: string, host: HostInfo): Settings {
  if (tree === null) return DEFAULT_SETTINGS;
  const c: Ctx = { file, host };
  const out: { -readonly [K in keyof Settings]: Settings[K] } = {
    openclaw: DEFAULT_SETTINGS.openclaw,
    sources: [],
    exclude: [],
    include: [],
    retention: {},
    compression: {},
    logLevel: 'normal',
  };
  for (const e of entriesOf(c, tree, '', SETTINGS_KEYS[''])) {
    const v = e.value;
    switch (e.key) {
      case 'repository':
        out.repository = filePath(c, v, 'repository');
        break;
      case 'openclaw':
        out.openclaw = openclawOf(c, v);
        break;
      case 'sources':
        out.sources = list(c, v, 'sources', (x, p) => filePath(c, x, p));
        break;
      case 'exclude':
      case 'include':
        out[e.key] = list(c, v, e.key, (x, p) => str(c, x, p));
        break;
      case 'retention':
        out.retention = retentionOf(c, v);
        break;
      case 'compression':
        for (const ce of entriesOf(c, v, 'compression', SETTINGS_KEYS.compression)) {
          out.compression = { level: int(c, ce.value, 'compression.level', 0, 9, 'an integer from 0 (store) to 9 (smallest)') };
        }
        break;
      default: {
        const level = str(c, v, 'log-level');
        if (!(LOG_LEVELS as readonly string[]).includes(level)) expected(c, v, 'log-level', LOG_LEVELS.join(' or '));
        out.logLevel = level as LogLevel;
      }
    }
  }
  return deepFreeze(out);
}

/**
 * The settings as a plain kebab-case object, the same shape the file has (for `config show`).
 * Lists and booleans are always present; unset values are left out.
 * @throws never
 * @example settingsDocument(DEFAULT_SETTINGS) // { openclaw: { 'exclude-node-modules': false }, sources: [], ... }
 */
export function settingsDocument(s: Settings): Record<string, unknown> {
  const retention: Record<string, unknown> = {};
  for (const [k, f] of Object.entries(COUNT_KEYS)) if (s.retention[f] !== undefined) retention[k] = s.retention[f];
  for (const [k, f] of Object.entries(WITHIN_KEYS)) if (s.retention[f] !== undefined) retention[k] = s.retention[f];
  if (s.retention.tags !== undefined) retention['keep-tag'] = s.retention.tags.map((t) => t.join(','));
  return {
    ...(s.repository !== undefined ? { repository: s.repository } : {}),
    openclaw: {
      ...(s.openclaw.stateDir !== undefined ? { 'state-dir': s.openclaw.stateDir } : {}),
      ...(s.openclaw.profile !== undefined ? { profile: s.openclaw.profile } : {}),
      'exclude-node-modules': s.openclaw.excludeNodeModules,
    },
    sources: [...s.sources],
    exclude: [...s.exclude],
    include: [...s.include],
    retention,
    compression: s.compression.level !== undefined ? { level: s.compression.level } : {},
    'log-level': s.logLevel,
  };
}

/** Freezes an object and everything in it. */
export function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}
