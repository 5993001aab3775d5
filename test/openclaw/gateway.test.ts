// Gateway detection against real things: a TCP listener on the port the config names, a real
// process whose command line is `… openclaw gateway run`, and gateway lock files holding a live
// and a dead pid. Gateways of another state dir are reported apart and do not count.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeAll, freePort, listen } from '../helpers/net.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { detectGateway, type DetectGatewayOptions } from '../../src/openclaw/gateway.js';
import { isGatewayCommandLine } from '../../src/openclaw/gateway-process.js';
import type { HostInfo } from '../../src/openclaw/platform-dirs.js';

let dir: string;
let state: string;
let lockTmp: string;
const children: ChildProcess[] = [];
const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
const host: HostInfo = { platform: process.platform, env: {}, homedir: '/nonexistent-home' };

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clawback-gw-'));
  state = join(dir, '.openclaw');
  lockTmp = join(dir, 'ostmp');
  await mkdir(state, { recursive: true });
  await mkdir(lockTmp);
});
afterEach(async () => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  await closeAll();
  await rm(dir, { recursive: true, force: true });
});

/** Starts `node -e "setInterval(…)" ...args` and waits until /proc shows its command line. */
async function startChild(args: string[], env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', ...args], { env: { ...process.env, ...env }, stdio: 'ignore' });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', () => resolve());
    child.once('error', reject);
  });
  if (existsSync('/proc')) {
    for (let i = 0; i < 200; i++) {
      const cmd = await readFile(`/proc/${child.pid}/cmdline`, 'utf8').catch(() => '');
      if (cmd.includes('setInterval')) break;
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  return child;
}

function opts(extra: Partial<DetectGatewayOptions> = {}): DetectGatewayOptions {
  return { stateDir: state, host, tmpDir: lockTmp, uid, connectTimeoutMs: 2000, ...extra };
}

describe('detectGateway', () => {
  it('finds nothing when no gateway runs', async () => {
    const port = await freePort();
    const g = await detectGateway(opts({ gatewayPort: port }));
    expect(g).toMatchObject({ running: false, evidence: [], port });
  });

  it('sees a listener on the port named in openclaw.json, and not once it is closed', async () => {
    const { server, port } = await listen();
    await writeFile(join(state, 'openclaw.json'), `// JSON5, as OpenClaw writes it\n{ gateway: { mode: 'local', port: ${port} } }\n`);
    const g = await detectGateway(opts());
    expect(g.port).toBe(port);
    expect(g.running).toBe(true);
    expect(g.evidence.join('\n')).toContain(`127.0.0.1:${port}`);
    await new Promise((r) => server.close(r));
    const after = await detectGateway(opts());
    expect(after.running).toBe(false);
  });

  it('counts a gateway lock with a live pid, not one with a dead pid or a 0-byte .lock.sqlite', async () => {
    const port = await freePort();
    const live = await startChild([], {}); // an ordinary process: only the lock file points at it
    const dead = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    await new Promise((r) => dead.once('exit', r));
    const osLocks = join(lockTmp, `openclaw-${uid}`);
    const stateLocks = join(state, 'tmp', `openclaw-${uid}`);
    await mkdir(osLocks, { recursive: true });
    await mkdir(stateLocks, { recursive: true });
    await writeFile(join(osLocks, 'gateway.deadbeef.lock'), JSON.stringify({ pid: dead.pid, createdAt: new Date().toISOString() }));
    await writeFile(join(stateLocks, 'gateway.8f1eeb69.lock.sqlite'), '');
    await writeFile(join(stateLocks, 'gateway.state.lock.sqlite'), '');
    expect((await detectGateway(opts({ gatewayPort: port }))).running).toBe(false);

    await writeFile(join(stateLocks, 'gateway.0a1b2c3d.lock'), JSON.stringify({ pid: live.pid, createdAt: new Date().toISOString() }));
    const g = await detectGateway(opts({ gatewayPort: port }));
    expect(g.running).toBe(true);
    expect(g.evidence).toHaveLength(1);
    expect(g.evidence[0]).toContain(`process ${live.pid}`);
    expect(g.evidence[0]).toContain('gateway.0a1b2c3d.lock');

    // The same live pid in a lock of another config is a gateway elsewhere.
    await rm(join(stateLocks, 'gateway.0a1b2c3d.lock'));
    await writeFile(join(osLocks, 'gateway.11112222.lock'), JSON.stringify({ pid: live.pid, configPath: join(dir, 'other', 'openclaw.json') }));
    const other = await detectGateway(opts({ gatewayPort: port }));
    expect(other.running).toBe(false);
    expect(other.elsewhere.join('\n')).toContain(`${live.pid}`);
  });

  it.runIf(existsSync('/proc'))('sees a process running `openclaw gateway run` on this state dir, and tells one on another state dir apart', async () => {
    const port = await freePort();
    const child = await startChild(['openclaw', 'gateway', 'run'], { OPENCLAW_STATE_DIR: state });
    const g = await detectGateway(opts({ gatewayPort: port }));
    expect(g.running).toBe(true);
    expect(g.evidence.some((e) => e.includes(`process ${child.pid}`) && e.includes('openclaw gateway run'))).toBe(true);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect((await detectGateway(opts({ gatewayPort: port }))).evidence.some((e) => e.includes(`process ${child.pid}`))).toBe(false);

    const elsewhere = join(dir, 'other-state');
    const other = await startChild(['openclaw', 'gateway', 'run'], { OPENCLAW_STATE_DIR: elsewhere });
    const g2 = await detectGateway(opts({ gatewayPort: port }));
    expect(g2.evidence.some((e) => e.includes(`process ${other.pid}`))).toBe(false);
    expect(g2.elsewhere.some((e) => e.includes(`process ${other.pid}`) && e.includes(elsewhere))).toBe(true);

    // --profile NAME in its arguments: the state dir is <home>/.openclaw-NAME of that process's HOME.
    const prof = await startChild(['openclaw', '--profile', 'work', 'gateway'], { HOME: dir, OPENCLAW_STATE_DIR: '' });
    const forProfile = await detectGateway(opts({ gatewayPort: port, stateDir: join(dir, '.openclaw-work') }));
    expect(forProfile.evidence.some((e) => e.includes(`process ${prof.pid}`))).toBe(true);
  });
});

describe('isGatewayCommandLine', () => {
  it.each([
    [['node', '/usr/lib/node_modules/openclaw/openclaw.mjs', 'gateway', 'run'], true],
    [['/usr/local/bin/openclaw', 'gateway'], true],
    [['openclaw', '--profile', 'work', 'gateway', 'run', '--port', '18790'], true],
    [['openclaw-gateway'], true],
    [['node', '/opt/app/node_modules/openclaw/dist/entry.js', 'gateway', 'run'], true],
    [['openclaw', 'gateway', 'status'], false],
    [['openclaw', 'gateway', 'stop'], false],
    [['openclaw', 'agent', '--message', 'hi'], false],
    [['vim', 'gateway', 'openclaw'], false],
    [['clawback', 'rollback', '--state-dir', '/home/me/.openclaw'], false],
    [['node', 'my-openclaw-tool', 'gateway'], false],
  ])('%j → %s', (args, want) => {
    expect(isGatewayCommandLine(args)).toBe(want);
  });
});
