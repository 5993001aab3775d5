/*
 * The options that pick the OpenClaw state a command works on (--state-dir,
 * --profile, --dev, --exclude-node-modules, -e/--exclude, -i/--include), laid
 * over the settings file, and turned into an OpenClawScope (resolveScope) or,
 * for commands that only need to know where the state dir is, a StateLocation.
 */
import type { LoadedSettings } from '../openclaw/settings.js';
import { mergeSettings, type Settings, type SettingsFlags } from '../openclaw/settings.js';
import type { HostInfo } from '../openclaw/platform-dirs.js';
import type { OpenClawScope } from '../openclaw/scope.js';
import { scopeOfSettings, stateDirOptionsOf } from '../openclaw/settings-scope.js';
import { resolveStateDir, type StateLocation } from '../openclaw/state-dir.js';
import { UsageError } from './command.js';
import { rethrowAsUsage } from './repo-arg.js';

/** The options that say where the state dir is (merge into a command's own). */
export const STATE_OPTIONS = {
  'state-dir': { type: 'string' },
  profile: { type: 'string' },
  dev: { type: 'boolean' },
} as const;

/** The scope options: where the state dir is, and what of it is taken. */
export const SCOPE_OPTIONS = {
  ...STATE_OPTIONS,
  'exclude-node-modules': { type: 'boolean' },
  exclude: { type: 'string', short: 'e', multiple: true },
  include: { type: 'string', short: 'i', multiple: true },
} as const;

/** Help lines for STATE_OPTIONS. */
export const STATE_HELP = `      --state-dir=DIR     the OpenClaw state dir (default: the settings file's
                          openclaw.state-dir, else $OPENCLAW_STATE_DIR, else
                          ~/.openclaw as OpenClaw finds it)
      --profile=NAME      OpenClaw profile NAME: the state dir ~/.openclaw-NAME
      --dev               OpenClaw's dev profile: ~/.openclaw-dev`;

/** Help lines for SCOPE_OPTIONS. */
export const SCOPE_HELP = `${STATE_HELP}
      --exclude-node-modules
                          leave out extensions' node_modules (manifests are kept)
  -e, --exclude=PATTERN   also leave out paths matching PATTERN (repeatable;
                          relative to each backed-up directory)
  -i, --include=PATTERN   only paths matching PATTERN (repeatable)`;

/** The values of SCOPE_OPTIONS as parseArgs returns them. */
export interface ScopeValues {
  'state-dir'?: string | undefined;
  profile?: string | undefined;
  dev?: boolean | undefined;
  'exclude-node-modules'?: boolean | undefined;
  exclude?: string[] | undefined;
  include?: string[] | undefined;
}

const hintFor = (command: string) => `run 'clawback ${command} --help'`;

/**
 * The settings with the scope flags laid over them (a flag wins over the file;
 * --exclude/--include add to the file's lists).
 * @throws UsageError when --state-dir, --profile and --dev are combined or empty
 * @example const s = scopeSettings(values, r.settings, 'rollback');
 */
export function scopeSettings(values: ScopeValues, loaded: LoadedSettings, command: string): Settings {
  const given = [values['state-dir'] !== undefined && '--state-dir', values.profile !== undefined && '--profile', values.dev === true && '--dev'].filter((x) => x !== false);
  if (given.length > 1) throw new UsageError(`${given.join(' and ')} cannot be combined: each names the state dir`, hintFor(command));
  if (values['state-dir'] !== undefined && values['state-dir'].trim() === '') throw new UsageError('--state-dir expects a directory, got ""', hintFor(command));
  const flags: SettingsFlags = {
    ...(values['state-dir'] !== undefined ? { stateDir: values['state-dir'] } : {}),
    ...(values.profile !== undefined ? { profile: values.profile } : {}),
    ...(values.dev === true ? { profile: 'dev' } : {}),
    ...(values['exclude-node-modules'] !== undefined ? { excludeNodeModules: values['exclude-node-modules'] } : {}),
    ...(values.exclude !== undefined ? { exclude: values.exclude } : {}),
    ...(values.include !== undefined ? { include: values.include } : {}),
  };
  return mergeSettings(loaded.settings, flags);
}

/**
 * The OpenClaw scope the command works on: flags over the settings file, then resolveScope.
 * @throws UsageError for conflicting or bad flags (a --profile name OpenClaw would refuse);
 *   ClawbackError NOT_FOUND when the state dir does not exist
 * @example const scope = await scopeFromArgs(values, r.settings, r.host, 'rollback');
 */
export async function scopeFromArgs(values: ScopeValues, loaded: LoadedSettings, host: HostInfo, command: string): Promise<OpenClawScope> {
  const s = scopeSettings(values, loaded, command);
  try {
    return await scopeOfSettings(s, host);
  } catch (e) {
    return rethrowAsUsage(e, values.profile !== undefined ? '--profile' : '--state-dir', command);
  }
}

/**
 * Where the state dir is (it need not exist): for commands that only resolve paths relative to it.
 * @throws UsageError for conflicting or bad flags
 * @example const { stateDir } = stateLocationFromArgs(values, r.settings, r.host, 'versions');
 */
export function stateLocationFromArgs(values: ScopeValues, loaded: LoadedSettings, host: HostInfo, command: string): StateLocation {
  const s = scopeSettings(values, loaded, command);
  try {
    return resolveStateDir(stateDirOptionsOf(s, host));
  } catch (e) {
    return rethrowAsUsage(e, values.profile !== undefined ? '--profile' : '--state-dir', command);
  }
}
