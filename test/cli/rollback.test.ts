// `clawback rollback` and `clawback versions` end to end on a small OpenClaw state found the way
// OpenClaw finds it (HOME and OPENCLAW_STATE_DIR pointed at temp dirs): dry run, rollback, undo,
// --before with a relative time, one path from an older version, the versions table and its JSON
// lines; refusing with exit 7 while a gateway listens on the configured port (a real process),
// --force; usage errors; the time parser.
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backup } from '../../src/backup/backup.js';
import { parseTimeArg } from '../../src/cli/rollback.js';
import { UsageError } from '../../src/cli/command.js';
import { LocalBackend } from '../../src/store/backend-local.js';
import { Repository } from '../../src/store/repository.js';
import { expectOneLineError, tempDir } from './harness.js';
import { cb, cbInProcess, cbInProcessOk, describeDir, jsonLines, summaryOf } from './repo-harness.js';

let t: Awaited<ReturnType<typeof tempDir>>;
let state: string;
let repoDir: string;
let env: Record<string, string>;
let port: number;
const HOUR = 3600_000;

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const p = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return p;
}

/** Writes the state's files; `v` marks the version of the config and the session. */
async function writeState(v: string): Promise<void> {
  await mkdir(join(state, 'agents', 'main', 'sessions'), { recursive: true });
  await mkdir(join(state, 'agents', 'main', 'agent'), { recursive: true });
  await writeFile(join(state, 'openclaw.json'), `{ "meta": { "v": "${v}" }, "gateway": { "mode": "local", "port": ${port} } }\n`);
  await chmod(join(state, 'openclaw.json'), 0o600);
  await writeFile(join(state, 'agents', 'main', 'sessions', 's1.jsonl'), `{"v":"${v}"}\n`);
  await writeFile(join(state, 'agents', 'main', 'agent', 'auth-profiles.json'), '{"key":"sk-fake-secret"}\n', { mode: 0o600 });
}

/** Backs the state up through the library (the CLI's `backup` of the default scope is tested elsewhere) at `time`. */
async function snap(time: Date): Promise<string> {
  const repo = await Repository.open(await LocalBackend.open(repoDir));
  try {
    return (await backup(repo, { paths: [state], time })).id;
  } finally {
    await repo.backend.close();
  }
}

const ids: string[] = [];
const trees: Map<string, string>[] = [];

beforeAll(async () => {
  t = await tempDir();
  const home = t.path('home');
  state = join(home, 'oc-state');
  repoDir = t.path('repo');
  port = await freePort();
  env = { HOME: home, OPENCLAW_STATE_DIR: state, CLAWBACK_CONFIG: '', XDG_CONFIG_HOME: t.path('xdg-config'), XDG_DATA_HOME: t.path('xdg-data') };
  await cbInProcessOk(['init', '--repo', repoDir], 0, env);
  await writeState('A');
  ids.push(await snap(new Date(Date.now() - 5 * HOUR)));
  trees.push(await describeDir(state));
  await writeState('B');
  await writeFile(join(state, 'agents', 'main', 'sessions', 's2.jsonl'), '{"new":true}\n');
  ids.push(await snap(new Date(Date.now() - 1 * HOUR)));
  trees.push(await describeDir(state));
  await writeState('C');
  await writeFile(join(state, 'agents', 'main', 'sessions', 's3.jsonl'), '{"newer":true}\n');
});

afterAll(async () => {
  await t.rmAll();
});

describe('clawback rollback', () => {
  it('dry run, then rollback to the latest backup, undo, --before, and one path from an older version', async () => {
    const now = await describeDir(state);
    const dry = await cbInProcessOk(['rollback', '--repo', repoDir, '--dry-run', '--json'], 0, env);
    const ds = summaryOf(dry, 'rollback');
    expect(ds).toMatchObject({ dryRun: true, snapshotId: ids[1], stateDir: state });
    const plan = ds['plan'] as { write: string[]; delete: string[] };
    expect(plan.delete).toEqual([join(state, 'agents', 'main', 'sessions', 's3.jsonl')]);
    expect(plan.write).toContain(join(state, 'openclaw.json'));
    expect(await describeDir(state)).toEqual(now);

    const text = await cbInProcessOk(['rollback', '--repo', repoDir], 0, env);
    const out = text.stdout.toString();
    expect(out).toContain(`Rolled the OpenClaw state at ${state} back to snapshot ${ids[1]!.slice(0, 8)}`);
    expect(out).toMatch(/Safety snapshot of the state before: [0-9a-f]{8}\n/);
    expect(out).toContain('undo with: clawback rollback --undo --repo ');
    expect(out).not.toContain('sk-fake-secret');
    expect(await describeDir(state)).toEqual(trees[1]);

    const undo = summaryOf(await cbInProcessOk(['rollback', '--repo', repoDir, '--undo', '--json'], 0, env), 'rollback');
    expect(undo['dryRun']).toBe(false);
    expect(JSON.stringify(undo)).not.toContain('sk-fake-secret');
    expect(await describeDir(state)).toEqual(now);

    const before = summaryOf(await cbInProcessOk(['rollback', '--repo', repoDir, '--before', '2h', '--json'], 0, env), 'rollback');
    expect(before['snapshotId']).toBe(ids[0]);
    expect(await describeDir(state)).toEqual(trees[0]);

    // Back to B, then only openclaw.json from A.
    await cbInProcessOk(['rollback', '--repo', repoDir, ids[1]!.slice(0, 12)], 0, env);
    await cbInProcessOk(['rollback', '--repo', repoDir, ids[0]!.slice(0, 8), '--path', 'openclaw.json'], 0, env);
    const mixed = new Map(trees[1]);
    mixed.set('openclaw.json', trees[0]!.get('openclaw.json')!);
    expect(await describeDir(state)).toEqual(mixed);
    expect((await readFile(join(state, 'openclaw.json'), 'utf8')).includes('"A"')).toBe(true);
  });

  it('refuses with exit 7 while a gateway listens on the configured port, and rolls back with --force', async () => {
    const server: Server = createServer((s) => s.destroy());
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    try {
      const before = await describeDir(state);
      const r = await cb(['rollback', '--repo', repoDir, ids[0]!], env);
      expect(r.code).toBe(7);
      expectOneLineError(r.stderr, /gateway is running/, new RegExp(`127\\.0\\.0\\.1:${port}`), /--force/);
      expect(await describeDir(state)).toEqual(before);
      const j = await cb(['rollback', '--repo', repoDir, ids[0]!, '--json'], env);
      expect(j.code).toBe(7);
      expect(jsonLines(j).pop()).toMatchObject({ error: { code: 'BUSY', exitCode: 7 } });

      const forced = await cb(['rollback', '--repo', repoDir, ids[0]!, '--force'], env);
      expect(forced.code, forced.stderr).toBe(0);
      expect(forced.stderr).toMatch(/gateway runs \(--force\)/);
      expect(await describeDir(state)).toEqual(trees[0]);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it.each([
    [['rollback', 'abcd1234', '--undo'], /SNAPSHOT and --undo cannot be combined/],
    [['rollback', '--before', 'yesterday'], /--before expects a time/],
    [['rollback', '--state-dir', '/x', '--profile', 'work'], /--state-dir and --profile cannot be combined/],
    [['rollback', '--path', '/somewhere/else.json'], /--path: expected a path inside the backed-up OpenClaw state/],
    [['versions'], /versions needs one PATH/],
  ])('%j is a usage error', async (args, message) => {
    const r = await cbInProcess([...args, '--repo', repoDir], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});

describe('clawback versions', () => {
  it('lists the versions of openclaw.json as a table and as JSON lines', async () => {
    const text = (await cbInProcessOk(['versions', '--repo', repoDir, 'openclaw.json'], 0, env)).stdout.toString();
    const rows = text.split('\n').filter((l) => /^\s*\d+\s+[0-9a-f]{8}/.test(l));
    expect(rows.length).toBeGreaterThanOrEqual(3); // A, B, and the states the rollbacks saved
    expect(rows[0]).toContain(ids[0]!.slice(0, 8));
    expect(rows[0]).toMatch(/-rw-------/);
    expect(text).toContain(`of ${join(state, 'openclaw.json')} in `);
    expect(text).toContain('restore one with: clawback rollback SNAPSHOT --path openclaw.json');

    const lines = jsonLines(await cbInProcessOk(['versions', '--repo', repoDir, join(state, 'openclaw.json'), '--json'], 0, env));
    const versions = lines.filter((l) => l['type'] === 'version');
    expect(versions.length).toBe(rows.length);
    const first = versions[0] as { number: number; kind: string; size: number; snapshots: { id: string }[] };
    expect(first).toMatchObject({ number: 1, kind: 'file' });
    expect(first.snapshots[0]!.id).toBe(ids[0]);
    expect(first.size).toBe(Buffer.byteLength(`{ "meta": { "v": "A" }, "gateway": { "mode": "local", "port": ${port} } }\n`));
    expect(lines.pop()).toMatchObject({ type: 'summary', command: 'versions', versions: versions.length });

    const none = await cbInProcessOk(['versions', '--repo', repoDir, 'no-such-file.json'], 0, env);
    expect(none.stdout.toString()).toContain('no snapshot holds');
  });
});

describe('parseTimeArg', () => {
  const now = new Date('2026-03-24T12:00:00Z');
  it.each([
    ['2h', '2026-03-24T10:00:00.000Z'],
    ['1d', '2026-03-23T12:00:00.000Z'],
    ['1w', '2026-03-17T12:00:00.000Z'],
    ['1d12h', '2026-03-23T00:00:00.000Z'],
    ['90m', '2026-03-24T10:30:00.000Z'],
    ['2026-03-20T08:30:00Z', '2026-03-20T08:30:00.000Z'],
    ['2026-03-20T08:30:00+02:00', '2026-03-20T06:30:00.000Z'],
  ])('%s', (text, iso) => {
    expect(parseTimeArg('--before', text, now, 'rollback').toISOString()).toBe(iso);
  });
  it('reads a date or a zone-less time as local time', () => {
    expect(parseTimeArg('--before', '2026-03-20', now, 'rollback').getTime()).toBe(new Date(2026, 2, 20).getTime());
    expect(parseTimeArg('--before', '2026-03-20 08:30', now, 'rollback').getTime()).toBe(new Date(2026, 2, 20, 8, 30).getTime());
  });
  it.each(['yesterday', '2h ago', '', '2026-02-30', '12:00', '-2h'])('rejects %j', (text) => {
    expect(() => parseTimeArg('--before', text, now, 'rollback')).toThrow(UsageError);
  });
});
