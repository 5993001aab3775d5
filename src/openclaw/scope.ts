/*
 * What `clawback backup` with no paths backs up: the OpenClaw state dir, plus
 * the config file, workspaces and agent dirs that live outside it; the default
 * excludes (volatile or regenerable files only, never sessions, archives,
 * credentials or databases), the manifests always kept, and which files count
 * as secrets or grow append-only.
 */
import { existsSync } from 'node:fs';
import { ClawbackError } from '../core/errors.js';
import { PathFilter } from '../core/path-filter.js';
import { configRoots, DEFAULT_GATEWAY_PORT, readOpenClawConfig } from './openclaw-config.js';
import { currentHost, expandTilde, pathApi, type HostInfo } from './platform-dirs.js';
import { describeLocation, openclawEnv, resolveHostPath, resolveStateDir, type StateDirOptions, type StateLocation } from './state-dir.js';

/** Options of resolveScope: where the state is (StateDirOptions) and what to take from it. */
export interface ScopeOptions extends StateDirOptions {
  /** User exclude patterns (fast-glob syntax, relative to each source root), added to DEFAULT_EXCLUDES. */
  exclude?: string[];
  /** User include patterns (fast-glob syntax, relative to each source root). */
  include?: string[];
  /** Also leave out extensions' node_modules (default false: everything is taken). */
  excludeNodeModules?: boolean;
  /** More paths to back up (settings `sources`); `~` is expanded with the OS home. */
  extraPaths?: string[];
}

/** Everything a default backup needs to know. */
export interface OpenClawScope {
  location: StateLocation;
  /** State dir first, then the config file, workspaces, agent dirs and extra paths outside it (deduped, nested and missing ones dropped). */
  paths: string[];
  /** DEFAULT_EXCLUDES (+ node_modules patterns when asked) + user excludes. */
  exclude: string[];
  include: string[];
  /** MANIFEST_PATTERNS: taken even when an exclude matches them or a directory above them. */
  keep: string[];
  /** credentials/**, auth-profiles.json, .env, identity/**, state/openclaw.sqlite (+ -wal), relative to the state dir; auth-profiles.json in agent dirs outside it. */
  isSecret(absPath: string): boolean;
  /** `*.jsonl` (transcripts, cron runs, logs): captured at a line boundary when growing. */
  isAppendOnly(absPath: string): boolean;
  /** OPENCLAW_GATEWAY_PORT, else 19001 for --dev, else config gateway.port, else 18789. */
  gatewayPort: number;
  warnings: string[];
}

/**
 * Volatile or regenerable entries only: Chromium's Singleton lock/socket/cookie
 * links, sockets, pid files, temp files (OpenClaw's `<file>.tmp-<pid>-<ts>`,
 * `*.tmp`, `*.tmp.*`), SQLite shared-memory files (rebuilt from the db and
 * its -wal on open) and the control UI's asset cache. The Chromium names are
 * spelled out rather than `Singleton*`, so a user's `Singletons.md` is kept.
 */
export const DEFAULT_EXCLUDES: readonly string[] = [
  'SingletonLock',
  'SingletonSocket',
  'SingletonCookie',
  '*.sock',
  '*.pid',
  '*.tmp',
  '*.tmp-*',
  '*.tmp.*',
  '*-shm',
  'cache/control-ui-assets',
];

/** Added with excludeNodeModules: installed plugins' dependencies, in the state dir and in workspaces. */
export const NODE_MODULES_EXCLUDES: readonly string[] = ['extensions/*/node_modules', '**/.openclaw/extensions/*/node_modules'];

const MANIFEST_NAMES = ['package.json', 'package-lock.json', 'npm-shrinkwrap.json', 'yarn.lock', 'pnpm-lock.yaml', 'bun.lockb', 'openclaw.plugin.json'];

/**
 * Dependency manifests, kept whatever the excludes say so plugins can be
 * reinstalled: at the top of each plugin dir, `extensions/<id>/` in the state
 * dir and `.openclaw/extensions/<id>/` in a workspace (a workspace root, or
 * one directory down: `workspace-<id>/` inside the state dir). The patterns are
 * anchored (no leading `**`), so the walk only looks inside an excluded
 * directory where a manifest can be; `!node_modules` withdraws anything inside
 * node_modules.
 */
export const MANIFEST_PATTERNS: readonly string[] = [
  ...MANIFEST_NAMES.flatMap((n) => [`extensions/*/${n}`, `.openclaw/extensions/*/${n}`, `*/.openclaw/extensions/*/${n}`]),
  '!node_modules',
];

/** Secret files, relative to the state dir (issue 4 §5). A name without '/' matches at any depth. */
export const SECRET_PATTERNS: readonly string[] = ['credentials/**', 'auth-profiles.json', '.env', 'identity/**', 'state/openclaw.sqlite', 'state/openclaw.sqlite-wal'];

const DEV_GATEWAY_PORT = 19001;

function stringList(name: string, v: unknown): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) {
    throw new TypeError(`"${name}" expected array of strings, got ${Array.isArray(v) ? 'array with a non-string' : typeof v}`);
  }
  return [...(v as string[])];
}

/** The path of `child` relative to `parent` with '/' separators ('' when they are the same), or undefined when it is not inside. */
function relInside(host: HostInfo, parent: string, child: string): string | undefined {
  const p = pathApi(host);
  const rel = p.relative(parent, child);
  if (rel === '') return '';
  if (rel === '..' || rel.startsWith('..' + p.sep) || p.isAbsolute(rel)) return undefined;
  return host.platform === 'win32' ? rel.replace(/\\/g, '/') : rel;
}

function gatewayPortFor(host: HostInfo, opts: StateDirOptions, configPort: number | undefined): number {
  // OpenClaw reads OPENCLAW_GATEWAY_PORT before the config, and its --dev fills that
  // variable with 19001 when unset (openclaw src/cli/profile.ts; not in the reference notes).
  const raw = openclawEnv(host, 'OPENCLAW_GATEWAY_PORT');
  const envPort = raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : undefined;
  if (envPort !== undefined && envPort >= 1 && envPort <= 65535) return envPort;
  if (opts.dev === true || opts.profile === 'dev') return DEV_GATEWAY_PORT;
  return configPort ?? DEFAULT_GATEWAY_PORT;
}

/**
 * Resolves what a default backup covers: finds the state dir (resolveStateDir),
 * reads the config for workspaces, agent dirs and the gateway port, and builds
 * the source list and patterns. Roots outside the state dir that do not exist
 * are dropped with a warning; a root that contains the state dir (a workspace
 * set to the home dir, say) is dropped with a warning too, so a rollback never
 * reaches beyond OpenClaw's files. A broken config is a warning, not an error.
 * @throws ClawbackError NOT_FOUND when the state dir does not exist (the message says where it looked and why)
 * @throws TypeError / RangeError for bad options (see resolveStateDir)
 * @example
 * const scope = await resolveScope();
 * await backup(repo, { paths: scope.paths, exclude: scope.exclude, include: scope.include, isSecret: scope.isSecret });
 */
export async function resolveScope(opts: ScopeOptions = {}): Promise<OpenClawScope> {
  const userExclude = stringList('exclude', opts.exclude);
  const include = stringList('include', opts.include);
  const extraPaths = stringList('extraPaths', opts.extraPaths);
  if (opts.excludeNodeModules !== undefined && typeof opts.excludeNodeModules !== 'boolean') {
    throw new TypeError(`"excludeNodeModules" expected boolean, got ${typeof opts.excludeNodeModules}`);
  }
  const host = opts.host ?? currentHost();
  const exists = opts.exists ?? existsSync;
  const p = pathApi(host);
  const location = resolveStateDir({ ...opts, host, exists });
  const { stateDir } = location;
  if (!exists(stateDir)) {
    throw new ClawbackError(
      'NOT_FOUND',
      `no OpenClaw state at ${stateDir} (${describeLocation(location)}); set OPENCLAW_STATE_DIR or pass --state-dir`,
    );
  }

  const warnings: string[] = [];
  const read = await readOpenClawConfig(location.configPath);
  if (read.config === undefined && 'problem' in read && read.problem !== undefined) {
    warnings.push(`${read.problem}; workspaces and agent dirs it names outside the state dir are not backed up`);
  }
  const roots = configRoots(read.config, location, host);

  const candidates: { path: string; what: string }[] = [
    { path: location.configPath, what: 'config file' },
    ...roots.workspaces.map((w) => ({ path: w, what: 'workspace' })),
    ...roots.agentDirs.map((a) => ({ path: a, what: 'agent dir' })),
    ...extraPaths.map((s) => ({ path: resolveHostPath(host, expandTilde(s.trim(), host)), what: 'source' })),
  ];
  const paths = [stateDir];
  const outside: { path: string; what: string }[] = [];
  for (const c of candidates) {
    if (relInside(host, stateDir, c.path) !== undefined) continue; // inside the state dir (or it): already covered
    if (relInside(host, c.path, stateDir) !== undefined) {
      warnings.push(`${c.what} ${c.path} contains the state dir; not backed up by default (back it up with explicit paths)`);
      continue;
    }
    if (!exists(c.path)) {
      if (!warnings.some((m) => m.startsWith(`${c.what} ${c.path} does not exist`))) warnings.push(`${c.what} ${c.path} does not exist; skipped`);
      continue;
    }
    if (outside.some((o) => relInside(host, o.path, c.path) !== undefined)) continue; // same as or inside one already listed
    for (let i = outside.length - 1; i >= 0; i--) {
      if (relInside(host, c.path, outside[i]!.path) !== undefined) outside.splice(i, 1); // c contains it
    }
    outside.push(c);
  }
  paths.push(...outside.map((o) => o.path));

  const secretFilter = new PathFilter({ exclude: SECRET_PATTERNS });
  const outsideAgentDirs = roots.agentDirs.filter((a) => relInside(host, stateDir, a) === undefined);
  const exclude = [...DEFAULT_EXCLUDES, ...(opts.excludeNodeModules === true ? NODE_MODULES_EXCLUDES : []), ...userExclude];
  return {
    location,
    paths,
    exclude,
    include,
    keep: [...MANIFEST_PATTERNS],
    isSecret(absPath: string): boolean {
      const rel = relInside(host, stateDir, absPath);
      if (rel !== undefined) return rel !== '' && secretFilter.excluded(rel);
      if (p.basename(absPath) !== 'auth-profiles.json') return false;
      return outsideAgentDirs.some((a) => {
        const r = relInside(host, a, absPath);
        return r !== undefined && r !== '';
      });
    },
    isAppendOnly(absPath: string): boolean {
      return absPath.endsWith('.jsonl');
    },
    gatewayPort: gatewayPortFor(host, opts, roots.gatewayPort),
    warnings,
  };
}
