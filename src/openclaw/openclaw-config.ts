/*
 * Reads OpenClaw's config (openclaw.json, JSON5) and picks out what a backup
 * needs from it: the workspaces and agent dirs that may live outside the state
 * dir, and the gateway port. The one module that imports json5. Unknown shapes
 * and odd values are ignored, never fatal: the config belongs to OpenClaw.
 */
import { readFile } from 'node:fs/promises';
import JSON5 from 'json5';
import type { HostInfo } from './platform-dirs.js';
import { expandHome, openclawEnv, resolveHostPath, type StateLocation } from './state-dir.js';

/** What readOpenClawConfig found: the parsed value, or nothing (with the reason when the file exists but is unusable). */
export type OpenClawConfigResult = { config: unknown } | { config: undefined; problem?: string };

/** Roots named by the config (absolute, deduplicated, in config order) and the gateway port. */
export interface ConfigRoots {
  workspaces: string[];
  agentDirs: string[];
  gatewayPort?: number;
}

/** The gateway port OpenClaw listens on when the config does not say. */
export const DEFAULT_GATEWAY_PORT = 18789;

/**
 * Reads and parses an OpenClaw config file as JSON5. Never throws for a bad
 * file: a missing file gives `{config: undefined}`, an unreadable or
 * unparsable one `{config: undefined, problem: 'openclaw.json line 3: …'}`.
 * @throws TypeError when `path` is not a non-empty string
 * @example
 * const r = await readOpenClawConfig('/home/u/.openclaw/openclaw.json');
 * if (r.config === undefined && 'problem' in r) console.warn(r.problem);
 */
export async function readOpenClawConfig(path: string): Promise<OpenClawConfigResult> {
  if (typeof path !== 'string' || path === '') {
    throw new TypeError(`"path" expected non-empty string, got ${path === '' ? 'empty string' : typeof path}`);
  }
  const name = path.split(/[\\/]/).pop() ?? path;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { config: undefined };
    return { config: undefined, problem: `${name}: cannot read (${code ?? String(e)})` };
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // a BOM, as Windows editors write
  try {
    return { config: JSON5.parse(text) as unknown };
  } catch (e) {
    return { config: undefined, problem: `${name} ${describeParseError(e)}` };
  }
}

/** `line 3: invalid character 'x' (column 5)` from JSON5's `JSON5: invalid character 'x' at 3:5`. */
function describeParseError(e: unknown): string {
  const err = e as { message?: unknown; lineNumber?: unknown; columnNumber?: unknown };
  const msg = typeof err.message === 'string' ? err.message.replace(/^JSON5: /, '').replace(/ at \d+:\d+$/, '') : String(e);
  if (typeof err.lineNumber === 'number') {
    const col = typeof err.columnNumber === 'number' ? ` (column ${err.columnNumber})` : '';
    return `line ${err.lineNumber}: ${msg}${col}`;
  }
  return `is not valid JSON5: ${msg}`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A usable path string: non-empty after trimming, no NUL. */
function pathString(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const t = v.trim();
  return t === '' || t.includes('\0') ? undefined : t;
}

/**
 * The roots an OpenClaw config names: `agents.defaults.workspace`,
 * `agents.list[].workspace`/`agentDir`, `agents.entries.<id>.workspace`/`agentDir`,
 * plus the env vars `OPENCLAW_AGENT_DIR` and `PI_CODING_AGENT_DIR`; `~` is
 * expanded with `loc.home` and relative paths are resolved against the state
 * dir. Non-string or empty values are skipped. `gatewayPort` is `gateway.port`
 * when it is an integer in 1..65535.
 * @throws never (any `config` value is accepted; a non-object gives no roots)
 * @example
 * const { workspaces, agentDirs, gatewayPort } = configRoots(config, loc, currentHost());
 */
export function configRoots(config: unknown, loc: StateLocation, host: HostInfo): ConfigRoots {
  const workspaces: string[] = [];
  const agentDirs: string[] = [];
  const add = (list: string[], v: unknown): void => {
    const s = pathString(v);
    if (s === undefined) return;
    const abs = resolveHostPath(host, loc.stateDir, expandHome(s, loc.home, host));
    if (!list.includes(abs)) list.push(abs);
  };
  const addAgent = (a: unknown): void => {
    if (!isRecord(a)) return;
    add(workspaces, a['workspace']);
    add(agentDirs, a['agentDir']);
  };

  const agents = isRecord(config) ? config['agents'] : undefined;
  if (isRecord(agents)) {
    const defaults = agents['defaults'];
    if (isRecord(defaults)) add(workspaces, defaults['workspace']);
    const list = agents['list'];
    if (Array.isArray(list)) for (const a of list) addAgent(a);
    const entries = agents['entries'];
    if (isRecord(entries)) for (const a of Object.values(entries)) addAgent(a);
  }
  for (const name of ['OPENCLAW_AGENT_DIR', 'PI_CODING_AGENT_DIR']) add(agentDirs, openclawEnv(host, name));

  const out: ConfigRoots = { workspaces, agentDirs };
  const gateway = isRecord(config) ? config['gateway'] : undefined;
  const port = isRecord(gateway) ? gateway['port'] : undefined;
  if (typeof port === 'number' && Number.isInteger(port) && port >= 1 && port <= 65535) out.gatewayPort = port;
  return out;
}
