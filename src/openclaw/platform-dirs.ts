/*
 * Where clawback keeps its own files on each platform: the data directory
 * (the default repository) and the config directory (config.yaml), after the
 * XDG base-directory spec on Linux, Application Support on macOS and
 * %LOCALAPPDATA% / %APPDATA% on Windows. Host facts are injected (HostInfo),
 * never read deep inside, so the Windows rules run in tests with path.win32.
 */
import os from 'node:os';
import path from 'node:path';

/** The facts about the machine the path rules depend on. */
export interface HostInfo {
  platform: NodeJS.Platform;
  /** The environment; on win32 names are matched case-insensitively, as Windows does. */
  env: Readonly<Record<string, string | undefined>>;
  /** The account's home directory as the OS reports it (os.homedir()). */
  homedir: string;
}

/**
 * The host this process runs on: process.platform, process.env, os.homedir().
 * @throws never
 * @example const dir = clawbackDataDir(currentHost());
 */
export function currentHost(): HostInfo {
  return { platform: process.platform, env: process.env, homedir: os.homedir() };
}

/**
 * The path functions for the host: path.win32 on win32, path.posix elsewhere.
 * @throws never
 * @example pathApi({ platform: 'win32', env: {}, homedir: 'C:\\Users\\a' }).join('C:\\x', 'y') // 'C:\\x\\y'
 */
export function pathApi(h: HostInfo): typeof path.posix {
  return h.platform === 'win32' ? path.win32 : path.posix;
}

/**
 * One environment variable; the name is case-insensitive on win32 (`LocalAppData`
 * finds `LOCALAPPDATA`). An empty value counts as unset.
 * @throws never
 * @example hostEnv(host, 'XDG_DATA_HOME') // '/home/a/.local/share' or undefined
 */
export function hostEnv(h: HostInfo, name: string): string | undefined {
  let v = h.env[name];
  if (v === undefined && h.platform === 'win32') {
    const upper = name.toUpperCase();
    for (const [k, val] of Object.entries(h.env)) {
      if (k.toUpperCase() === upper && val !== undefined) {
        v = val;
        break;
      }
    }
  }
  return v === undefined || v === '' ? undefined : v;
}

/** An environment variable that names an absolute directory; relative or empty values are ignored (XDG spec). */
function absoluteEnv(h: HostInfo, name: string): string | undefined {
  const v = hostEnv(h, name);
  return v !== undefined && pathApi(h).isAbsolute(v) ? v : undefined;
}

/**
 * The home directory the path rules use: $HOME on POSIX (as os.homedir() reads
 * it), %USERPROFILE% on win32, else `h.homedir`. Taking it from `h.env` lets a
 * test point everything at a temp dir by setting HOME alone.
 * @throws never
 * @example homeDir({ platform: 'linux', env: { HOME: '/tmp/h' }, homedir: '/home/a' }) // '/tmp/h'
 */
export function homeDir(h: HostInfo): string {
  return absoluteEnv(h, h.platform === 'win32' ? 'USERPROFILE' : 'HOME') ?? h.homedir;
}

/**
 * Expands a leading `~` (alone, `~/...`, or `~\...` on win32) to the home directory.
 * Other paths come back unchanged (`~user` is not expanded).
 * @throws never
 * @example expandTilde('~/backups', host) // '/home/a/backups'
 */
export function expandTilde(p: string, h: HostInfo): string {
  if (p === '~') return homeDir(h);
  if (p.startsWith('~/') || (h.platform === 'win32' && p.startsWith('~\\'))) {
    return pathApi(h).join(homeDir(h), p.slice(2));
  }
  return p;
}

const APP = 'clawback';

/**
 * Where clawback keeps data (the default repository):
 * linux and other Unixes: `$XDG_DATA_HOME/clawback`, else `~/.local/share/clawback`;
 * darwin: `~/Library/Application Support/clawback`;
 * win32: `%LOCALAPPDATA%\clawback`, else `<home>\AppData\Local\clawback`.
 * @throws never
 * @example clawbackDataDir({ platform: 'linux', env: {}, homedir: '/home/a' }) // '/home/a/.local/share/clawback'
 */
export function clawbackDataDir(h: HostInfo): string {
  const p = pathApi(h);
  const home = homeDir(h);
  switch (h.platform) {
    case 'win32':
      return p.join(absoluteEnv(h, 'LOCALAPPDATA') ?? p.join(home, 'AppData', 'Local'), APP);
    case 'darwin':
      return p.join(home, 'Library', 'Application Support', APP);
    default:
      return p.join(absoluteEnv(h, 'XDG_DATA_HOME') ?? p.join(home, '.local', 'share'), APP);
  }
}

/**
 * Where clawback looks for its settings:
 * linux and other Unixes: `$XDG_CONFIG_HOME/clawback`, else `~/.config/clawback`;
 * darwin: `~/Library/Application Support/clawback`;
 * win32: `%APPDATA%\clawback`, else `<home>\AppData\Roaming\clawback`.
 * @throws never
 * @example clawbackConfigDir({ platform: 'linux', env: { XDG_CONFIG_HOME: '/cfg' }, homedir: '/home/a' }) // '/cfg/clawback'
 */
export function clawbackConfigDir(h: HostInfo): string {
  const p = pathApi(h);
  const home = homeDir(h);
  switch (h.platform) {
    case 'win32':
      return p.join(absoluteEnv(h, 'APPDATA') ?? p.join(home, 'AppData', 'Roaming'), APP);
    case 'darwin':
      return p.join(home, 'Library', 'Application Support', APP);
    default:
      return p.join(absoluteEnv(h, 'XDG_CONFIG_HOME') ?? p.join(home, '.config'), APP);
  }
}

/**
 * The repository the CLI uses when none is named: `<clawbackDataDir>/repository`.
 * @throws never
 * @example defaultRepositoryDir({ platform: 'darwin', env: {}, homedir: '/Users/a' }) // '/Users/a/Library/Application Support/clawback/repository'
 */
export function defaultRepositoryDir(h: HostInfo): string {
  return pathApi(h).join(clawbackDataDir(h), 'repository');
}

/**
 * The settings file read when neither --config nor CLAWBACK_CONFIG names one: `<clawbackConfigDir>/config.yaml`.
 * @throws never
 * @example defaultConfigFile({ platform: 'linux', env: {}, homedir: '/home/a' }) // '/home/a/.config/clawback/config.yaml'
 */
export function defaultConfigFile(h: HostInfo): string {
  return pathApi(h).join(clawbackConfigDir(h), 'config.yaml');
}
