/*
 * Finding a running OpenClaw gateway through /proc (Linux): a command line that
 * runs an `openclaw` (or `openclaw-gateway`) program with the word `gateway`,
 * and the state dir that process works on, from its own environment and
 * arguments as OpenClaw resolves it (OPENCLAW_STATE_DIR, --profile, --dev, HOME).
 */
import { readdir, readFile, readlink, realpath } from 'node:fs/promises';
import { pathApi, type HostInfo } from './platform-dirs.js';
import { resolveStateDir } from './state-dir.js';

/** One process that looks like an OpenClaw gateway. */
export interface GatewayProcess {
  pid: number;
  /** Its arguments, as /proc/<pid>/cmdline holds them. */
  args: string[];
  /** The state dir it works on, or undefined when its environment could not be read. */
  stateDir: string | undefined;
}

/** Program names (basenames) that are OpenClaw's CLI. */
const PROGRAMS = new Set(['openclaw', 'openclaw.mjs', 'openclaw.js', 'openclaw.cjs']);
/** Subcommands of `openclaw gateway` that do not run a gateway (they talk to one). */
const NOT_RUNNING = new Set(['status', 'stop', 'probe', 'health', 'call', 'discover', '--help', '-h']);

function basename(arg: string): string {
  return arg.split(/[\\/]/).pop() ?? arg;
}

/**
 * Does a command line run an OpenClaw gateway? True for `openclaw-gateway`
 * (the process title the gateway sets), and for an `openclaw` program (a path
 * ending in openclaw, openclaw.mjs, openclaw.js, or the package's dist entry)
 * followed later by the argument `gateway`, unless that is `gateway status`,
 * `gateway stop` and other commands that only talk to a gateway.
 * @throws never
 * @example isGatewayCommandLine(['node', '/usr/lib/node_modules/openclaw/openclaw.mjs', 'gateway', 'run']) // true
 */
export function isGatewayCommandLine(args: readonly string[]): boolean {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const b = basename(a);
    if (b === 'openclaw-gateway') return true;
    const program = PROGRAMS.has(b) || /[\\/]node_modules[\\/]openclaw[\\/]dist[\\/]/.test(a);
    if (!program) continue;
    const g = args.indexOf('gateway', i + 1);
    if (g < 0) continue;
    const next = args[g + 1];
    if (next !== undefined && NOT_RUNNING.has(next)) continue;
    return true;
  }
  return false;
}

/** `--profile NAME`, `--profile=NAME` and `--dev` among the arguments. */
function profileArgs(args: readonly string[]): { profile?: string; dev?: boolean } {
  const out: { profile?: string; dev?: boolean } = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--dev') out.dev = true;
    else if (a === '--profile' && args[i + 1] !== undefined) out.profile = args[i + 1]!;
    else if (a.startsWith('--profile=')) out.profile = a.slice('--profile='.length);
  }
  return out;
}

/** The environment in /proc/<pid>/environ (NUL-separated NAME=value). */
function parseEnviron(bytes: Buffer): Record<string, string> {
  const env: Record<string, string> = {};
  for (const kv of bytes.toString('utf8').split('\0')) {
    const eq = kv.indexOf('=');
    if (eq > 0) env[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return env;
}

/**
 * The state dir process `pid` works on, as OpenClaw resolves it from that
 * process's env and args; undefined when its environment cannot be read
 * (another user's process); null when the process is gone.
 */
async function processStateDir(procDir: string, pid: number, args: readonly string[], host: HostInfo): Promise<string | undefined | null> {
  let env: Record<string, string>;
  let cwd: string | undefined;
  try {
    env = parseEnviron(await readFile(`${procDir}/${pid}/environ`));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ESRCH' ? null : undefined;
  }
  try {
    cwd = await readlink(`${procDir}/${pid}/cwd`);
  } catch {
    cwd = undefined;
  }
  const p = pathApi(host);
  const stateEnv = env['OPENCLAW_STATE_DIR']?.trim();
  // A relative OPENCLAW_STATE_DIR is relative to that process's working directory, not ours.
  if (stateEnv && cwd !== undefined && !stateEnv.startsWith('~') && !p.isAbsolute(stateEnv)) env['OPENCLAW_STATE_DIR'] = p.resolve(cwd, stateEnv);
  const { profile, dev } = profileArgs(args);
  try {
    return resolveStateDir({ host: { platform: host.platform, env, homedir: host.homedir }, ...(profile !== undefined ? { profile } : {}), ...(dev ? { dev } : {}) }).stateDir;
  } catch {
    return undefined; // an odd --profile value: cannot tell
  }
}

/**
 * The processes under `procDir` (default /proc) that run an OpenClaw gateway,
 * except `selfPid`. Empty when there is no /proc (Windows, macOS).
 * @throws never (unreadable entries are skipped)
 * @example for (const g of await gatewayProcesses({ host: currentHost() })) console.log(g.pid, g.stateDir);
 */
export async function gatewayProcesses(opts: { host: HostInfo; procDir?: string; selfPid?: number; signal?: AbortSignal }): Promise<GatewayProcess[]> {
  const procDir = opts.procDir ?? '/proc';
  const self = opts.selfPid ?? process.pid;
  let names: string[];
  try {
    names = await readdir(procDir);
  } catch {
    return [];
  }
  const out: GatewayProcess[] = [];
  for (const name of names) {
    if (opts.signal?.aborted) break;
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid === self) continue;
    let args: string[];
    try {
      const raw = await readFile(`${procDir}/${name}/cmdline`);
      args = raw.toString('utf8').split('\0');
      if (args[args.length - 1] === '') args.pop();
    } catch {
      continue; // exited meanwhile
    }
    // A process that rewrote its title may leave it as one space-separated string.
    const words = args.length === 1 ? args[0]!.split(' ') : args;
    if (!isGatewayCommandLine(words)) continue;
    const stateDir = await processStateDir(procDir, pid, words, opts.host);
    if (stateDir === null) continue; // exited meanwhile
    out.push({ pid, args: words, stateDir });
  }
  return out;
}

/**
 * Same path? Compares real paths when both exist, the given paths otherwise.
 * @throws never
 * @example await sameDir('/home/me/.openclaw', '/home/me/link-to-openclaw') // true when the link points there
 */
export async function sameDir(a: string, b: string): Promise<boolean> {
  if (a === b) return true;
  const ra = await realpath(a).catch(() => a);
  const rb = await realpath(b).catch(() => b);
  return ra === rb;
}
