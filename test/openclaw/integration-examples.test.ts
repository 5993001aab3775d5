// The examples of docs/integration-tauri.md, run as an app would run them, on a
// generated OpenClaw home in a temp HOME: docs/examples/embed.mjs imports
// 'clawback' as an installed package (node_modules/clawback is this package, its
// dist/ the test build); docs/examples/sidecar-client.mjs drives the real CLI with
// --json: backup with progress events, listing, rollback, a BUSY refusal while a
// gateway listens, and a cancelled backup.
import { spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { generateState, mutateState } from '../../fixtures/index.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BUILD = inject('buildRoot');
const EXAMPLES = join(ROOT, 'docs', 'examples');

let dir: string;
let env: Record<string, string>;
let state: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clawback-examples-'));
  const home = join(dir, 'home');
  state = join(home, '.openclaw');
  env = { PATH: process.env['PATH'] ?? '', HOME: home, XDG_DATA_HOME: join(dir, 'data'), XDG_CONFIG_HOME: join(dir, 'config') };
  await generateState({ dir: state, seed: 5, scale: 0.02, profile: 'sqlite' });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function node(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('docs/examples', () => {
  it("embed.mjs: import { backup, listBackups, rollback } from 'clawback' in an app that installed the package", async () => {
    // The package as npm installs it: package.json plus dist/ (the build), under the app's node_modules.
    const pkg = join(dir, 'app', 'node_modules', 'clawback');
    await mkdir(pkg, { recursive: true });
    await copyFile(join(ROOT, 'package.json'), join(pkg, 'package.json'));
    await symlink(BUILD, join(pkg, 'dist'));
    await copyFile(join(EXAMPLES, 'embed.mjs'), join(dir, 'app', 'embed.mjs'));
    const first = await node(['embed.mjs'], join(dir, 'app'));
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^backup [0-9a-f]{8} "before-upgrade": \d+ files/m);
    expect(first.stdout).toContain('{"done":true,"backups":1}');
    await mutateState({ dir: state, seed: 5, scale: 0.02 });
    const configBefore = await readFile(join(state, 'openclaw.json'));
    const second = await node(['embed.mjs'], join(dir, 'app'));
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/^rolled back to [0-9a-f]{8}: \d+ files written, \d+ deleted; safety backup [0-9a-f]{8}$/m);
    expect(second.stdout).toMatch(/^undone: back at [0-9a-f]{8}$/m);
    expect(second.stdout).toContain('{"done":true,"backups":2}');
    // Rolled back and undone: the state is as it was before the second run.
    expect(await readFile(join(state, 'openclaw.json'))).toEqual(configBefore);
  });

  it('sidecar-client.mjs: the --json protocol of the real CLI, as a Tauri app reads it', async () => {
    const { runClawback } = (await import(join(EXAMPLES, 'sidecar-client.mjs'))) as {
      runClawback: (args: string[], opts: object) => Promise<Record<string, unknown>>;
    };
    const command = [process.execPath, join(BUILD, 'src', 'cli', 'main.js')];
    const events: Record<string, unknown>[] = [];
    const made = await runClawback(['backup', '--tag', 'clawpal'], { command, env, onEvent: (e: Record<string, unknown>) => events.push(e) });
    expect(made).toMatchObject({ type: 'summary', command: 'backup', partial: false, tags: ['clawpal'] });
    expect(made['secrets']).toEqual(expect.any(Number));
    expect(made['secrets'] as number).toBeGreaterThan(0);
    const list = await runClawback(['snapshots'], { command, env });
    expect(Array.isArray(list)).toBe(true);

    // A gateway listening on the configured port: rollback refuses, with the error line and exit 7.
    const cfg = JSON.parse(await readFile(join(state, 'openclaw.json'), 'utf8')) as { gateway: { port: number } };
    const server: Server = createServer((s) => s.destroy());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    await writeFile(join(state, 'openclaw.json'), JSON.stringify({ ...cfg, gateway: { ...cfg.gateway, port } }, null, 2));
    try {
      const refused = await runClawback(['rollback', String(made['shortId'])], { command, env }).catch((e: unknown) => e);
      expect(refused).toMatchObject({ code: 'BUSY', exitCode: 7 });
    } finally {
      await new Promise((r) => server.close(r));
    }
    const rolled = await runClawback(['rollback', String(made['shortId'])], { command, env });
    expect(rolled).toMatchObject({ type: 'summary', command: 'rollback' });

    // Cancelling: the app aborts, clawback stops on SIGINT with exit 130 and writes no snapshot.
    const before = (await runClawback(['snapshots'], { command, env })) as unknown as unknown[];
    const ac = new AbortController();
    const cancelled = runClawback(['backup', '--force'], { command, env, signal: ac.signal, onEvent: () => ac.abort() }).catch((e: unknown) => e);
    setTimeout(() => ac.abort(), 2000).unref();
    const e = await cancelled;
    if (e instanceof Error) expect(e).toMatchObject({ code: 'ABORTED', exitCode: 130 });
    const after = (await runClawback(['snapshots'], { command, env })) as unknown as unknown[];
    expect(after.length).toBe(e instanceof Error ? before.length : before.length + 1);
  });
});
