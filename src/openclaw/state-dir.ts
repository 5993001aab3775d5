/*
 * Where OpenClaw keeps its state: the state directory, its config file and the
 * home they hang off, resolved the way OpenClaw itself does (openclaw-state.md
 * §1.1, openclaw 2026.3.24 and 2026.9.6). Host facts (env, platform, homedir)
 * are injected, so the Windows rules run anywhere through path.win32.
 */
import { existsSync } from 'node:fs';
import { currentHost, hostEnv, pathApi, type HostInfo } from './platform-dirs.js';

/** Options of resolveStateDir; all optional, omitted ones mean "as OpenClaw would". */
export interface StateDirOptions {
  /** The host whose env/platform/homedir are used (default currentHost()). */
  host?: HostInfo;
  /** An explicit state dir (--state-dir or settings): wins over everything. `~` is expanded. */
  stateDir?: string;
  /** --profile NAME → `<home>/.openclaw-NAME` (`default` → `<home>/.openclaw`). */
  profile?: string;
  /** --dev → `<home>/.openclaw-dev`. */
  dev?: boolean;
  /** Existence test used for the legacy fallback and the config candidates (default fs.existsSync). */
  exists?: (p: string) => boolean;
}

/** Where the home directory came from (for messages that say why a path was chosen). */
export type HomeSource = 'OPENCLAW_HOME' | 'HOME' | 'USERPROFILE' | 'PREFIX' | 'homedir';

/** The resolved OpenClaw state location. All paths are absolute for the host's platform. */
export interface StateLocation {
  /** The state directory. */
  stateDir: string;
  /** OPENCLAW_CONFIG_PATH, else the first existing of openclaw.json, clawdbot.json, moldbot.json in the state dir, else `<state>/openclaw.json`. */
  configPath: string;
  /** The home used (OPENCLAW_HOME → HOME → USERPROFILE → Termux PREFIX → homedir), `~` expanded. */
  home: string;
  /** Why this state dir: an explicit option, the env var, a profile (or --dev), the default, or a legacy dir. */
  reason: 'option' | 'OPENCLAW_STATE_DIR' | 'profile' | 'default' | 'legacy';
  /** Where `home` came from. Optional so that hand-made locations (tests, callers) need not say. */
  homeSource?: HomeSource;
}

/** The state dir's name under the home. */
export const STATE_DIRNAME = '.openclaw';
/** Legacy state dir names OpenClaw falls back to, in order (`.moldbot` only up to 2026.3.x; harmless later). */
export const LEGACY_STATE_DIRNAMES: readonly string[] = ['.clawdbot', '.moldbot'];
/** Config file names searched in the state dir, in order. */
export const CONFIG_FILENAMES: readonly string[] = ['openclaw.json', 'clawdbot.json', 'moldbot.json'];

const PROFILE_RE = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/**
 * An environment variable as OpenClaw reads it: trimmed, and empty or
 * whitespace-only counts as unset. OpenClaw reads its path variables as
 * `env.X?.trim()` and tests the result for truthiness; the reference notes are
 * silent on empty values, so we follow that. Case-insensitive names on win32.
 * @throws never
 * @example openclawEnv({ platform: 'linux', env: { HOME: ' ' }, homedir: '/h' }, 'HOME') // undefined
 */
export function openclawEnv(host: HostInfo, name: string): string | undefined {
  const v = hostEnv(host, name)?.trim();
  return v === undefined || v === '' ? undefined : v;
}

/**
 * The home OpenClaw uses, and where it came from: OPENCLAW_HOME (`~`-expandable)
 * → HOME → USERPROFILE → Termux `$PREFIX/../home` (android) → the OS homedir.
 * @throws never
 * @example resolveOpenClawHome({ platform: 'win32', env: { USERPROFILE: 'C:\\Users\\me' }, homedir: 'C:\\x' }) // { home: 'C:\\Users\\me', source: 'USERPROFILE' }
 */
export function resolveOpenClawHome(host: HostInfo): { home: string; source: HomeSource } {
  const p = pathApi(host);
  const osHome = (): { home: string; source: HomeSource } => {
    const home = openclawEnv(host, 'HOME');
    if (home !== undefined) return { home, source: 'HOME' };
    const profile = openclawEnv(host, 'USERPROFILE');
    if (profile !== undefined) return { home: profile, source: 'USERPROFILE' };
    const prefix = host.platform === 'android' ? openclawEnv(host, 'PREFIX') : undefined;
    if (prefix !== undefined) return { home: p.resolve(prefix, '..', 'home'), source: 'PREFIX' };
    return { home: host.homedir, source: 'homedir' };
  };
  const explicit = openclawEnv(host, 'OPENCLAW_HOME');
  if (explicit !== undefined) {
    // OPENCLAW_HOME may itself start with ~, expanded with the OS home (HOME → USERPROFILE → homedir).
    return { home: resolveHostPath(host, expandHome(explicit, osHome().home, host)), source: 'OPENCLAW_HOME' };
  }
  const h = osHome();
  return { home: resolveHostPath(host, h.home), source: h.source };
}

/**
 * Expands a leading `~` (alone, `~/…`, or `~\…` on win32) with `home`; other
 * paths (including `~user`) come back unchanged.
 * @throws never
 * @example expandHome('~/ws', '/home/u', host) // '/home/u/ws'
 */
export function expandHome(p: string, home: string, host: HostInfo): string {
  if (p === '~') return home;
  if (p.startsWith('~/') || (host.platform === 'win32' && p.startsWith('~\\'))) {
    return pathApi(host).join(home, p.slice(2));
  }
  return p;
}

/**
 * `path.resolve` for the host, with the drive letter upper-cased on win32
 * (`d:/x` → `D:\\x`), so the same directory always gets the same spelling
 * (snapshot paths are compared as strings).
 * @throws never
 * @example resolveHostPath(winHost, 'd:/oc', 'state') // 'D:\\oc\\state'
 */
export function resolveHostPath(host: HostInfo, ...segments: string[]): string {
  const r = pathApi(host).resolve(...segments);
  return host.platform === 'win32' && /^[a-z]:/.test(r) ? r.charAt(0).toUpperCase() + r.slice(1) : r;
}

/** `~`-expands and makes absolute (relative paths resolve against the process cwd, as OpenClaw does). */
function userPath(raw: string, home: string, host: HostInfo): string {
  return resolveHostPath(host, expandHome(raw.trim(), home, host));
}

/**
 * Resolves the OpenClaw state dir and config path:
 * the `stateDir` option; else `OPENCLAW_STATE_DIR` (trimmed, `~` expanded);
 * else `--profile`/`--dev` under the home; else `<home>/.openclaw`, or a
 * legacy `.clawdbot`/`.moldbot` when `.openclaw` is absent and the legacy dir exists.
 * OPENCLAW_STATE_DIR wins over a profile, as in OpenClaw, where `--profile`
 * only fills in OPENCLAW_STATE_DIR when it is unset.
 * @throws TypeError when an option has the wrong type
 * @throws RangeError when `profile` is not a valid profile name or is combined with `dev`
 * @example
 * const loc = resolveStateDir({ host: { platform: 'linux', env: { HOME: '/home/u' }, homedir: '/home/u' } });
 * loc.stateDir // '/home/u/.openclaw' (or '/home/u/.clawdbot' when only that exists)
 */
export function resolveStateDir(opts: StateDirOptions = {}): StateLocation {
  if (opts.stateDir !== undefined && typeof opts.stateDir !== 'string') {
    throw new TypeError(`"stateDir" expected string, got ${typeof opts.stateDir}`);
  }
  if (opts.profile !== undefined && typeof opts.profile !== 'string') {
    throw new TypeError(`"profile" expected string, got ${typeof opts.profile}`);
  }
  if (opts.dev !== undefined && typeof opts.dev !== 'boolean') {
    throw new TypeError(`"dev" expected boolean, got ${typeof opts.dev}`);
  }
  if (opts.profile !== undefined && !PROFILE_RE.test(opts.profile)) {
    throw new RangeError(`"profile" expected a name matching ${PROFILE_RE.source}, got ${JSON.stringify(opts.profile)}`);
  }
  if (opts.dev === true && opts.profile !== undefined && opts.profile !== 'dev') {
    throw new RangeError(`"profile" expected to be unset with "dev", got ${JSON.stringify(opts.profile)}`);
  }
  if (opts.stateDir !== undefined && opts.stateDir.trim() === '') {
    throw new RangeError(`"stateDir" expected a non-empty path, got ${JSON.stringify(opts.stateDir)}`);
  }
  const host = opts.host ?? currentHost();
  const exists = opts.exists ?? existsSync;
  const p = pathApi(host);
  const { home, source } = resolveOpenClawHome(host);

  let stateDir: string;
  let reason: StateLocation['reason'];
  // Whether the legacy config names are searched: OpenClaw's --profile sets
  // OPENCLAW_CONFIG_PATH to <profile dir>/openclaw.json, so a profile dir has no search.
  let searchConfig = true;
  const envState = openclawEnv(host, 'OPENCLAW_STATE_DIR');
  const profile = opts.dev === true ? 'dev' : opts.profile;
  if (opts.stateDir !== undefined) {
    stateDir = userPath(opts.stateDir, home, host);
    reason = 'option';
  } else if (envState !== undefined) {
    stateDir = userPath(envState, home, host);
    reason = 'OPENCLAW_STATE_DIR';
  } else if (profile !== undefined) {
    stateDir = p.join(home, profile === 'default' ? STATE_DIRNAME : `${STATE_DIRNAME}-${profile}`);
    reason = 'profile';
    searchConfig = false;
  } else {
    stateDir = p.join(home, STATE_DIRNAME);
    reason = 'default';
    if (!exists(stateDir)) {
      const legacy = LEGACY_STATE_DIRNAMES.map((n) => p.join(home, n)).find((d) => exists(d));
      if (legacy !== undefined) {
        stateDir = legacy;
        reason = 'legacy';
      }
    }
  }

  const envConfig = openclawEnv(host, 'OPENCLAW_CONFIG_PATH');
  let configPath: string;
  if (envConfig !== undefined) {
    configPath = userPath(envConfig, home, host);
  } else {
    const names = searchConfig ? CONFIG_FILENAMES : CONFIG_FILENAMES.slice(0, 1);
    configPath = names.map((n) => p.join(stateDir, n)).find((f) => exists(f)) ?? p.join(stateDir, 'openclaw.json');
  }
  return { stateDir, configPath, home, reason, homeSource: source };
}

/**
 * Says where a location came from, for messages: `from HOME`, `from OPENCLAW_STATE_DIR`, …
 * @throws never
 * @example describeLocation(loc) // 'from HOME'
 */
export function describeLocation(loc: StateLocation): string {
  const home = loc.homeSource === undefined ? 'the home directory' : loc.homeSource === 'homedir' ? "the OS's home directory" : loc.homeSource;
  switch (loc.reason) {
    case 'option':
      return 'given as the state dir option';
    case 'OPENCLAW_STATE_DIR':
      return 'from OPENCLAW_STATE_DIR';
    case 'profile':
      return `profile dir under ${home}`;
    case 'legacy':
      return `legacy dir under ${home}`;
    default:
      return `from ${home}`;
  }
}
