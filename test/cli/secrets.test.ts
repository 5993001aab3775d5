// Secrets never reach the output: a backup, a verbose rollback with --json, versions and
// ls of a generated OpenClaw home print paths and counts, never a byte of a secret file
// (the fixture's API keys, bot tokens, private keys). Secret files keep 0600 through it all.
import { readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateState, mutateState } from '../../fixtures/index.js';
import { cb } from './repo-harness.js';

let dir: string;
let state: string;
let env: Record<string, string>;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clawback-secrets-'));
  state = join(dir, 'home', '.openclaw');
  env = { HOME: join(dir, 'home'), XDG_DATA_HOME: join(dir, 'data'), XDG_CONFIG_HOME: join(dir, 'config'), OPENCLAW_STATE_DIR: '', OPENCLAW_HOME: '' };
  await generateState({ dir: state, seed: 21, scale: 0.02, profile: 'legacy' });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Every secret value in the generated home: long runs from the files the issue names. */
function secretValues(): string[] {
  const out: string[] = [];
  const env = readFileSync(join(state, '.env'), 'utf8');
  for (const line of env.split('\n')) if (line.includes('=')) out.push(line.slice(line.indexOf('=') + 1));
  const auth = JSON.parse(readFileSync(join(state, 'agents', 'main', 'agent', 'auth-profiles.json'), 'utf8')) as { profiles: Record<string, { key: string }> };
  for (const p of Object.values(auth.profiles)) if (typeof p.key === 'string') out.push(p.key);
  const device = readFileSync(join(state, 'identity', 'device.json'), 'utf8');
  const pem = /-----BEGIN [A-Z ]+-----\\n([A-Za-z0-9+/=]{20,})/.exec(device) ?? /([A-Za-z0-9+/=]{40,})/.exec(device);
  if (pem) out.push(pem[1]!.slice(0, 40));
  return out.filter((s) => typeof s === 'string' && s.length >= 16);
}

describe('secrets', () => {
  it('appear in no output of backup, rollback, versions or ls (text and --json, verbose), and keep 0600', async () => {
    const secrets = secretValues();
    expect(secrets.length).toBeGreaterThanOrEqual(4);
    const outputs: string[] = [];
    const run = async (args: string[], code = 0) => {
      const r = await cb(args, env);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(code);
      outputs.push(r.stdout.toString(), r.stderr);
      return r;
    };
    const first = await run(['--json', 'backup', '-v']);
    const summary = JSON.parse(first.stdout.toString().trim().split('\n').pop()!) as { secrets: number; snapshotId: string };
    expect(summary.secrets).toBeGreaterThan(10);
    await mutateState({ dir: state, seed: 21, scale: 0.02 });
    await run(['backup', '-v']);
    await run(['--json', 'rollback', '-v', summary.snapshotId.slice(0, 8)]);
    await run(['rollback', '-v', '--undo']);
    await run(['versions', '.env']);
    await run(['--json', 'versions', 'agents/main/agent/auth-profiles.json']);
    await run(['ls', '-l', 'latest']);
    await run(['--json', 'ls', 'latest']);
    const all = outputs.join('\n');
    expect(all).toContain('auth-profiles.json'); // paths are there; contents are not
    for (const s of secrets) expect(all.includes(s), `a secret value reached the output: ${s.slice(0, 6)}...`).toBe(false);
    for (const f of ['.env', 'agents/main/agent/auth-profiles.json', 'identity/device.json', 'credentials/oauth.json']) {
      expect((statSync(join(state, f)).mode & 0o777).toString(8), f).toBe('600');
    }
  });
});
