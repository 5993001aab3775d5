/*
 * Is the OpenClaw gateway running? A rollback must not rewrite the state under
 * a live gateway (it would keep writing, and may auto-restore its config over
 * ours). Evidence: a listener on the gateway port on loopback, a gateway lock
 * file whose process is alive, a gateway process.
 */
// What each platform sees: the port probe and the lock files work everywhere.
// The process scan needs /proc (Linux). On macOS and Windows a gateway that
// listens only on a non-loopback address (gateway.bind lan/tailnet) and writes
// no JSON lock file (2026.9 writes 0-byte SQLite locks instead) is not detected.
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { processAlive } from '../store/lock.js';
import { configRoots, DEFAULT_GATEWAY_PORT, readOpenClawConfig } from './openclaw-config.js';
import { gatewayProcesses, sameDir } from './gateway-process.js';
import { currentHost, hostEnv, type HostInfo } from './platform-dirs.js';
import { resolveStateDir, type StateLocation } from './state-dir.js';

/** Options of detectGateway: a scope (or a state dir, config and port), plus host facts for tests. */
export interface DetectGatewayOptions {
  /** The resolved OpenClaw scope (its location and gatewayPort are used). */
  scope?: { location: StateLocation; gatewayPort: number };
  /** The state dir, when no scope is given (default: resolved as OpenClaw does). */
  stateDir?: string;
  /** The config file, when no scope is given; its gateway.port is read when gatewayPort is not given. */
  configPath?: string;
  /** The gateway port (default: scope, OPENCLAW_GATEWAY_PORT, the config's gateway.port, else 18789). */
  gatewayPort?: number;
  host?: HostInfo;
  signal?: AbortSignal;
  /** How long a loopback connect may take (default 500 ms). */
  connectTimeoutMs?: number;
  /** The OS temp dir holding `openclaw-<uid>/` (default os.tmpdir()). */
  tmpDir?: string;
  /** The user id in `openclaw-<uid>` (default process.getuid(); every `openclaw-*` dir where there is none). */
  uid?: number;
  /** Where the process table is (default /proc). */
  procDir?: string;
  /** A pid never counted as a gateway process (default: this process). */
  selfPid?: number;
}

/** What detectGateway found. */
export interface GatewayStatus {
  /** True when there is evidence of a gateway working on this state dir. */
  running: boolean;
  /** One sentence per piece of evidence. */
  evidence: string[];
  /** Gateways found that work on another state dir (not counted). */
  elsewhere: string[];
  /** The port probed. */
  port: number;
}

/** Is something accepting connections on host:port? False on refusal, error or timeout. */
function listening(host: string, port: number, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host, port });
    let done = false;
    const finish = (v: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      sock.destroy();
      resolve(v);
    };
    const onAbort = () => finish(false);
    const timer = setTimeout(() => finish(false), timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    sock.once('connect', () => finish(true));
    sock.once('error', () => finish(false));
  });
}

function validPort(v: unknown): number | undefined {
  const n = typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v.trim()) : v;
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 65535 ? n : undefined;
}

/** The port to probe and where it came from. */
async function gatewayPort(opts: DetectGatewayOptions, loc: StateLocation, host: HostInfo): Promise<{ port: number; source: string }> {
  if (opts.gatewayPort !== undefined) {
    const p = validPort(opts.gatewayPort);
    if (p === undefined) throw new RangeError(`"gatewayPort" expected an integer from 1 to 65535, got ${String(opts.gatewayPort)}`);
    return { port: p, source: 'as given' };
  }
  const env = validPort(hostEnv(host, 'OPENCLAW_GATEWAY_PORT'));
  if (env !== undefined) return { port: env, source: 'OPENCLAW_GATEWAY_PORT' };
  if (opts.scope) return { port: opts.scope.gatewayPort, source: `gateway.port of ${loc.configPath}, or the default` };
  const r = await readOpenClawConfig(loc.configPath);
  const port = configRoots(r.config, loc, host).gatewayPort;
  return port !== undefined ? { port, source: `gateway.port in ${loc.configPath}` } : { port: DEFAULT_GATEWAY_PORT, source: 'the default gateway port' };
}

/** Reads a small JSON lock file; undefined when it is not one. */
async function readLock(path: string): Promise<{ pid: number; configPath?: string } | undefined> {
  let text: string;
  try {
    const fh = await open(path, 'r');
    try {
      const buf = Buffer.alloc(64 * 1024);
      const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
      text = buf.subarray(0, bytesRead).toString('utf8');
    } finally {
      await fh.close();
    }
    const j = JSON.parse(text) as { pid?: unknown; configPath?: unknown };
    if (typeof j.pid !== 'number' || !Number.isSafeInteger(j.pid) || j.pid <= 0) return undefined;
    return typeof j.configPath === 'string' ? { pid: j.pid, configPath: j.configPath } : { pid: j.pid };
  } catch {
    return undefined;
  }
}

/** The directories OpenClaw puts gateway locks in. */
async function lockDirs(opts: DetectGatewayOptions, stateDir: string): Promise<string[]> {
  const bases = [opts.tmpDir ?? tmpdir(), join(stateDir, 'tmp')];
  const uid = opts.uid ?? (typeof process.getuid === 'function' ? process.getuid() : undefined);
  if (uid !== undefined) return bases.map((b) => join(b, `openclaw-${uid}`));
  const out: string[] = [];
  for (const b of bases) {
    for (const name of await readdir(b).catch(() => [] as string[])) if (name.startsWith('openclaw-')) out.push(join(b, name));
  }
  return out;
}

/** Evidence from gateway.<hash>.lock files with a live pid. The 0-byte `*.lock.sqlite` files are not evidence. */
async function lockEvidence(opts: DetectGatewayOptions, loc: StateLocation): Promise<{ evidence: string[]; elsewhere: string[] }> {
  const evidence: string[] = [];
  const elsewhere: string[] = [];
  for (const dir of await lockDirs(opts, loc.stateDir)) {
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const name of names.sort()) {
      if (!/^gateway\..+\.lock$/.test(name)) continue;
      const path = join(dir, name);
      const lock = await readLock(path);
      if (!lock || !processAlive(lock.pid)) continue;
      if (lock.configPath !== undefined && !(await sameDir(lock.configPath, loc.configPath))) {
        elsewhere.push(`lock file ${path} names running process ${lock.pid}, a gateway for ${lock.configPath}`);
      } else {
        evidence.push(`lock file ${path} names process ${lock.pid}, which is running`);
      }
    }
  }
  return { evidence, elsewhere };
}

/**
 * Looks for a running OpenClaw gateway on this state dir: a loopback TCP
 * connect to the gateway port (127.0.0.1 and ::1), `gateway.*.lock` files
 * with a live pid under `<tmp>/openclaw-<uid>/` and `<state>/tmp/openclaw-<uid>/`,
 * and (where /proc exists) a process running `openclaw … gateway` whose state
 * dir is this one. A gateway of another state dir goes to `elsewhere`.
 * @throws RangeError when `gatewayPort` is not a port number
 * @example
 * const g = await detectGateway({ scope });
 * if (g.running) console.log('stop the gateway first:', g.evidence.join('; '));
 */
export async function detectGateway(opts: DetectGatewayOptions = {}): Promise<GatewayStatus> {
  const host = opts.host ?? currentHost();
  const loc: StateLocation = opts.scope?.location ?? {
    ...resolveStateDir({ host, ...(opts.stateDir !== undefined ? { stateDir: opts.stateDir } : {}) }),
    ...(opts.configPath !== undefined ? { configPath: opts.configPath } : {}),
  };
  const { port, source } = await gatewayPort(opts, loc, host);
  const timeout = opts.connectTimeoutMs ?? 500;
  const [v4, v6, locks, procs] = await Promise.all([
    listening('127.0.0.1', port, timeout, opts.signal),
    listening('::1', port, timeout, opts.signal),
    lockEvidence(opts, loc),
    gatewayProcesses({ host, ...(opts.procDir !== undefined ? { procDir: opts.procDir } : {}), ...(opts.selfPid !== undefined ? { selfPid: opts.selfPid } : {}), ...(opts.signal ? { signal: opts.signal } : {}) }),
  ]);
  const evidence: string[] = [];
  const elsewhere = [...locks.elsewhere];
  const on = [v4 ? `127.0.0.1:${port}` : '', v6 ? `[::1]:${port}` : ''].filter((s) => s !== '');
  if (on.length > 0) evidence.push(`a program is listening on ${on.join(' and ')} (${source})`);
  evidence.push(...locks.evidence);
  for (const p of procs) {
    const cmd = p.args.join(' ');
    if (p.stateDir === undefined) evidence.push(`process ${p.pid} runs "${cmd}" (its state dir could not be read)`);
    else if (await sameDir(p.stateDir, loc.stateDir)) evidence.push(`process ${p.pid} runs "${cmd}" on ${p.stateDir}`);
    else elsewhere.push(`process ${p.pid} runs "${cmd}" on ${p.stateDir}`);
  }
  return { running: evidence.length > 0, evidence, elsewhere, port };
}
