/*
 * From settings to the OpenClaw scope: the one mapping of the settings file's
 * `openclaw`, `sources`, `exclude` and `include` onto resolveScope's options,
 * shared by the CLI (after its flags are laid over the file) and the
 * embedding API.
 */
import type { HostInfo } from './platform-dirs.js';
import { resolveScope, type OpenClawScope, type ScopeOptions } from './scope.js';
import type { Settings } from './settings.js';
import type { StateDirOptions } from './state-dir.js';

/**
 * Where the settings say the state dir is, as resolveStateDir options (the profile `dev` is OpenClaw's --dev).
 * @example resolveStateDir(stateDirOptionsOf(settings, host))
 */
export function stateDirOptionsOf(s: Settings, host: HostInfo): StateDirOptions & { host: HostInfo } {
  const oc = s.openclaw;
  return {
    host,
    ...(oc.stateDir !== undefined ? { stateDir: oc.stateDir } : {}),
    ...(oc.profile !== undefined && oc.profile !== 'dev' ? { profile: oc.profile } : {}),
    ...(oc.profile === 'dev' ? { dev: true } : {}),
  };
}

/**
 * resolveScope's options for these settings.
 * @example await resolveScope(scopeOptionsOf(settings, host))
 */
export function scopeOptionsOf(s: Settings, host: HostInfo): ScopeOptions {
  return {
    ...stateDirOptionsOf(s, host),
    exclude: [...s.exclude],
    include: [...s.include],
    excludeNodeModules: s.openclaw.excludeNodeModules,
    extraPaths: [...s.sources],
  };
}

/**
 * The OpenClaw scope these settings describe.
 * @throws ClawbackError NOT_FOUND when the state dir does not exist; RangeError for a bad profile name
 * @example const scope = await scopeOfSettings(settings, currentHost());
 */
export async function scopeOfSettings(s: Settings, host: HostInfo): Promise<OpenClawScope> {
  return resolveScope(scopeOptionsOf(s, host));
}
