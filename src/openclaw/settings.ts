/*
 * clawback's settings file: which file is read (--config FILE, else
 * $CLAWBACK_CONFIG, else config.yaml in the platform's config dir when it
 * exists, else none and every default), reading and validating it
 * (settings-yaml.ts, settings-schema.ts), and laying command-line flags over it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { ClawbackError } from '../core/errors.js';
import type { RetentionPolicy } from '../store/retention.js';
import { currentHost, defaultConfigFile, expandTilde, hostEnv, pathApi, type HostInfo } from './platform-dirs.js';
import { DEFAULT_SETTINGS, deepFreeze, settingsFromTree, type LogLevel, type Settings } from './settings-schema.js';
import { parseLocatedYaml } from './settings-yaml.js';

export { DEFAULT_SETTINGS, SETTINGS_KEYS, settingsDocument, type LogLevel, type OpenClawSettings, type Settings } from './settings-schema.js';
export { toYaml as settingsToYaml } from './settings-yaml.js';

/** Why a settings file was chosen: named by --config (the `configFile` option), by $CLAWBACK_CONFIG, the platform default, or none at all. */
export type SettingsSource = 'option' | 'CLAWBACK_CONFIG' | 'default' | 'none';

/** Where to look; all optional. */
export interface LoadSettingsOptions {
  /** The host whose env (CLAWBACK_CONFIG, XDG_CONFIG_HOME, ...) and home are used; default currentHost(). */
  host?: HostInfo;
  /** A file named on the command line (--config): wins over $CLAWBACK_CONFIG; must exist. */
  configFile?: string;
  /** Existence test for the default file (default fs.existsSync); only locateSettings uses it. */
  exists?: (p: string) => boolean;
}

/** Which file would be read. */
export interface SettingsLocation {
  /** The absolute path of the file, or undefined when there is none (source 'none'). */
  file: string | undefined;
  source: SettingsSource;
  /** The platform default (`<config dir>/config.yaml`), whether or not it is used. */
  defaultFile: string;
}

/** Settings as loaded: the validated values and where they came from. */
export interface LoadedSettings extends SettingsLocation {
  settings: Settings;
}

/** Largest settings file we read; anything bigger is not a settings file. */
const MAX_BYTES = 1 << 20;

/** The explicitly named file (option or env), made absolute, or undefined. */
function named(opts: LoadSettingsOptions, host: HostInfo): { file: string; source: 'option' | 'CLAWBACK_CONFIG' } | undefined {
  const p = pathApi(host);
  if (opts.configFile !== undefined) {
    if (typeof opts.configFile !== 'string' || opts.configFile.trim() === '') {
      throw new TypeError(`"configFile" expected a non-empty path, got ${JSON.stringify(opts.configFile)}`);
    }
    return { file: p.resolve(expandTilde(opts.configFile, host)), source: 'option' };
  }
  const env = hostEnv(host, 'CLAWBACK_CONFIG');
  if (env !== undefined && env.trim() !== '') return { file: p.resolve(expandTilde(env.trim(), host)), source: 'CLAWBACK_CONFIG' };
  return undefined;
}

/**
 * Says which settings file would be read, without reading it: --config, else
 * $CLAWBACK_CONFIG, else the platform default if it exists, else none.
 * @throws TypeError when `configFile` is empty
 * @example locateSettings({ host }) // { file: '/home/a/.config/clawback/config.yaml', source: 'default', defaultFile: '...' }
 */
export function locateSettings(opts: LoadSettingsOptions = {}): SettingsLocation {
  const host = opts.host ?? currentHost();
  const defaultFile = defaultConfigFile(host);
  const n = named(opts, host);
  if (n) return { ...n, defaultFile };
  const exists = opts.exists ?? existsSync;
  return exists(defaultFile) ? { file: defaultFile, source: 'default', defaultFile } : { file: undefined, source: 'none', defaultFile };
}

/**
 * Parses and validates settings text. `file` names the file in messages and is
 * the base for relative paths in it.
 * @throws ClawbackError CONFIG `<file> line N: <key.path>: <what>` for bad YAML or a bad value
 * @example parseSettings('retention:\n  keep-daily: 7\n', '/etc/cb.yaml').retention.daily // 7
 */
export function parseSettings(text: string, file: string, host: HostInfo = currentHost()): Settings {
  return settingsFromTree(parseLocatedYaml(text, file), file, host);
}

function decode(bytes: Uint8Array, file: string): string {
  if (bytes.length > MAX_BYTES) throw new ClawbackError('CONFIG', `${file} line 1: the file is larger than ${MAX_BYTES} bytes, which no settings file needs`);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (e) {
    throw new ClawbackError('CONFIG', `${file} line 1: the file is not UTF-8 text`, { cause: e });
  }
}

function missing(file: string, source: SettingsSource, cause: unknown): ClawbackError {
  const by = source === 'option' ? '--config' : 'CLAWBACK_CONFIG';
  return new ClawbackError('NOT_FOUND', `settings file ${file} (named by ${by}) does not exist`, { cause });
}

/** ENOENT, or ENOTDIR (a component of the path is a file): either way there is no such file. */
const isEnoent = (e: unknown) => ['ENOENT', 'ENOTDIR'].includes((e as NodeJS.ErrnoException | undefined)?.code ?? '');

/** Which file to read, and how to finish once its bytes (or the read error) are known. */
function plan(opts: LoadSettingsOptions): { file: string; finish: (read: { bytes: Uint8Array } | { error: unknown }) => LoadedSettings } {
  const host = opts.host ?? currentHost();
  const defaultFile = defaultConfigFile(host);
  const n = named(opts, host);
  const file = n?.file ?? defaultFile;
  const finish = (read: { bytes: Uint8Array } | { error: unknown }): LoadedSettings => {
    if ('error' in read) {
      if (!isEnoent(read.error)) throw read.error;
      if (n) throw missing(file, n.source, read.error);
      return { settings: DEFAULT_SETTINGS, file: undefined, source: 'none', defaultFile };
    }
    return { settings: parseSettings(decode(read.bytes, file), file, host), file, source: n?.source ?? 'default', defaultFile };
  };
  return { file, finish };
}

/**
 * Reads the settings: the file named by `configFile`, else by $CLAWBACK_CONFIG
 * (either must exist), else the platform default when it exists, else the defaults.
 * @throws ClawbackError NOT_FOUND when a named file does not exist; CONFIG when the file is invalid;
 * the fs error when a file exists but cannot be read; TypeError when `configFile` is empty
 * @example const { settings, file } = await loadSettings({ configFile: '~/cb.yaml' });
 */
export async function loadSettings(opts: LoadSettingsOptions = {}): Promise<LoadedSettings> {
  const { file, finish } = plan(opts);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (error) {
    return finish({ error });
  }
  return finish({ bytes });
}

/**
 * loadSettings without awaiting (the file is small): for the CLI's argument handling.
 * @throws as loadSettings
 * @example const { settings } = loadSettingsSync({ host, configFile: values.config });
 */
export function loadSettingsSync(opts: LoadSettingsOptions = {}): LoadedSettings {
  const { file, finish } = plan(opts);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    return finish({ error });
  }
  return finish({ bytes });
}

/** Command-line values that override the settings file; absent ones leave it as it is. */
export interface SettingsFlags {
  /** --repo / $CLAWBACK_REPO (absolute or relative to the cwd). */
  repository?: string;
  /** --state-dir: replaces openclaw.state-dir and clears openclaw.profile. */
  stateDir?: string;
  /** --profile: replaces openclaw.profile and clears openclaw.state-dir. */
  profile?: string;
  excludeNodeModules?: boolean;
  /** Added after the file's sources. */
  sources?: readonly string[];
  /** --exclude: added after the file's excludes. */
  exclude?: readonly string[];
  /** --include: added after the file's includes. */
  include?: readonly string[];
  /** --keep-*: a non-empty policy replaces the file's retention as a whole. */
  retention?: RetentionPolicy;
  /** --compression (init). */
  compressionLevel?: number;
  /** --quiet gives 'quiet'. */
  logLevel?: LogLevel;
}

/**
 * Lays command-line flags over the file's settings: a flag's value replaces the
 * file's, lists (sources, exclude, include) are appended to the file's, and a
 * retention policy with any rule replaces the file's policy as a whole (so
 * `--keep-last 3` does not also keep the file's dailies).
 * @throws never
 * @example mergeSettings(settings, { exclude: ['*.log'], retention: { last: 3 } })
 */
export function mergeSettings(base: Settings, flags: SettingsFlags): Settings {
  const oc = base.openclaw;
  const openclaw =
    flags.stateDir !== undefined
      ? { stateDir: flags.stateDir, excludeNodeModules: oc.excludeNodeModules }
      : flags.profile !== undefined
        ? { profile: flags.profile, excludeNodeModules: oc.excludeNodeModules }
        : { ...oc };
  if (flags.excludeNodeModules !== undefined) openclaw.excludeNodeModules = flags.excludeNodeModules;
  const policyGiven = flags.retention !== undefined && Object.values(flags.retention).some((v) => v !== undefined);
  const repository = flags.repository ?? base.repository;
  const level = flags.compressionLevel ?? base.compression.level;
  return deepFreeze({
    ...(repository !== undefined ? { repository } : {}),
    openclaw,
    sources: [...base.sources, ...(flags.sources ?? [])],
    exclude: [...base.exclude, ...(flags.exclude ?? [])],
    include: [...base.include, ...(flags.include ?? [])],
    retention: policyGiven ? { ...flags.retention } : base.retention,
    compression: level !== undefined ? { level } : {},
    logLevel: flags.logLevel ?? base.logLevel,
  });
}
