/*
 * Where the repository is and making the default one: an explicit directory,
 * else $CLAWBACK_REPO, else the settings file's `repository`, else clawback's
 * data dir, which is created (owner-only) on first use. A repository is never
 * created inside an OpenClaw state dir or a backed-up workspace.
 */
import { realpathSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { ClawbackError, isClawbackError } from '../core/errors.js';
import { LocalBackend } from '../store/backend-local.js';
import { Repository } from '../store/repository.js';
import { defaultRepositoryDir, expandTilde, hostEnv, pathApi, type HostInfo } from './platform-dirs.js';
import type { Settings } from './settings.js';

/** Where the repository came from: an explicit option, $CLAWBACK_REPO, the settings file, or the platform default. */
export type RepoSource = 'option' | 'CLAWBACK_REPO' | 'settings' | 'default';

/** A repository directory and why it is that one. */
export interface RepositoryLocation {
  /** Absolute. */
  dir: string;
  source: RepoSource;
}

/**
 * Picks the repository: `explicit`, else $CLAWBACK_REPO (empty counts as unset),
 * else `settings.repository`, else `<clawback data dir>/repository`.
 * @throws never
 * @example locateRepository({ settings, host }) // { dir: '/home/a/.local/share/clawback/repository', source: 'default' }
 */
export function locateRepository(opts: { explicit?: string | undefined; settings: Settings; host: HostInfo }): RepositoryLocation {
  const { host } = opts;
  const abs = (p: string) => pathApi(host).resolve(expandTilde(p, host));
  if (opts.explicit !== undefined && opts.explicit.trim() !== '') return { dir: abs(opts.explicit), source: 'option' };
  const env = hostEnv(host, 'CLAWBACK_REPO');
  if (env !== undefined && env.trim() !== '') return { dir: abs(env.trim()), source: 'CLAWBACK_REPO' };
  if (opts.settings.repository !== undefined) return { dir: abs(opts.settings.repository), source: 'settings' };
  return { dir: defaultRepositoryDir(host), source: 'default' };
}

/**
 * True when `child` is `parent` or below it, compared as written and with
 * symlinks resolved (on this host); case-insensitively on Windows.
 * @throws never
 * @example isPathWithin(host, '/home/a/.openclaw/x', '/home/a/.openclaw') // true
 */
export function isPathWithin(host: HostInfo, child: string, parent: string): boolean {
  const lexical = (c: string, p: string) => {
    const api = pathApi(host);
    const fold = (s: string) => (host.platform === 'win32' ? s.toLowerCase() : s);
    const rel = api.relative(fold(api.resolve(p)), fold(api.resolve(c)));
    return rel === '' || (rel !== '..' && !rel.startsWith('..' + api.sep) && !api.isAbsolute(rel));
  };
  return lexical(child, parent) || lexical(realPrefix(host, child), realPrefix(host, parent));
}

/** `p` with its longest existing prefix replaced by its real path (symlinks resolved); `p` itself for another platform's paths. */
function realPrefix(host: HostInfo, p: string): string {
  if (host.platform !== process.platform) return p;
  const api = pathApi(host);
  let head = api.resolve(p);
  const tail: string[] = [];
  for (;;) {
    try {
      return api.join(realpathSync.native(head), ...tail.reverse());
    } catch {
      const up = api.dirname(head);
      if (up === head) return p;
      tail.push(api.basename(head));
      head = up;
    }
  }
}

/**
 * Refuses a repository directory inside any of `protectedDirs` (the OpenClaw
 * state dir and the workspaces a backup takes): OpenClaw rewrites and deletes
 * files there, a rollback would delete the repository, and every backup would
 * take in the repository itself.
 * @throws ClawbackError UNSAFE_PATH naming the directory
 * @example assertOutside(host, repoDir, scope.paths);
 */
export function assertOutside(host: HostInfo, dir: string, protectedDirs: readonly string[]): void {
  for (const p of protectedDirs) {
    if (isPathWithin(host, dir, p)) {
      throw new ClawbackError('UNSAFE_PATH', `refusing to use a repository at ${dir}: it is inside ${p}, which clawback backs up and rolls back; choose a directory outside it`);
    }
  }
}

/**
 * Opens the repository at `loc`, creating it first when it is the default one,
 * `create` is not false and its directory is missing or empty (another process
 * creating it at the same moment is fine). The caller closes `repo.backend`.
 * @throws ClawbackError NOT_FOUND when there is no repository (and it is not the default), UNSAFE_PATH (inside `protectedDirs`), backend errors
 * @example const { repo, created } = await openOrCreateRepository(loc, { host, protectedDirs: scope.paths });
 */
export async function openOrCreateRepository(
  loc: RepositoryLocation,
  opts: { host: HostInfo; protectedDirs?: readonly string[]; compressionLevel?: number | undefined; create?: boolean },
): Promise<{ repo: Repository; created: boolean }> {
  assertOutside(opts.host, loc.dir, opts.protectedDirs ?? []);
  let created = false;
  if (loc.source === 'default' && opts.create !== false && (await isMissingOrEmpty(loc.dir))) {
    const backend = await LocalBackend.create(loc.dir);
    try {
      await Repository.init(backend, opts.compressionLevel !== undefined ? { compressionLevel: opts.compressionLevel } : {});
      created = true;
    } catch (e) {
      if (!isClawbackError(e, 'EXISTS')) throw e;
    } finally {
      await backend.close();
    }
  }
  let backend: LocalBackend;
  try {
    backend = await LocalBackend.open(loc.dir);
  } catch (e) {
    if (isClawbackError(e, 'NOT_FOUND')) throw new ClawbackError('NOT_FOUND', `no clawback repository at ${loc.dir}`, { cause: e });
    throw e;
  }
  try {
    return { repo: await Repository.open(backend), created };
  } catch (e) {
    await backend.close();
    if (isClawbackError(e, 'NOT_FOUND')) throw new ClawbackError('NOT_FOUND', `no clawback repository at ${loc.dir}`, { cause: e });
    throw e;
  }
}

async function isMissingOrEmpty(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length === 0;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return true;
    if ((e as NodeJS.ErrnoException).code === 'ENOTDIR') return false;
    throw e;
  }
}
