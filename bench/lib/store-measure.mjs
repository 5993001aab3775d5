/*
 * Process-level measurement for the snapshot-store comparison: runs a command
 * under GNU time (with its own cwd and environment, which borg extract and the
 * restic/borg cache settings need) and returns wall, user, sys, peak RSS; also
 * `du -sb` and the load average recorded beside every figure.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { TIME_BIN } from './measure.mjs';

/**
 * Runs `argv` under /usr/bin/time -f '%e %U %S %M'.
 * @returns {{wall: number, user: number, sys: number, cpu: number, rssKiB: number, stdout: string, stderr: string, status: number, load1: number}}
 * @throws Error when the command exits non-zero and `okStatus` does not list its status
 */
export function timedRun(argv, { env = process.env, cwd, okStatus = [0] } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'cb-store-time-'));
  const out = join(dir, 'time.txt');
  try {
    const r = spawnSync(TIME_BIN, ['-f', '%e %U %S %M', '-o', out, ...argv], { encoding: 'utf8', maxBuffer: 256 << 20, env, cwd });
    if (r.error) throw r.error;
    if (!okStatus.includes(r.status)) throw new Error(`${argv.join(' ')} failed (exit ${r.status}):\n${r.stderr.slice(-4000)}`);
    const line = readFileSync(out, 'utf8').trim().split('\n').pop();
    const [wall, user, sys, rss] = line.split(/\s+/).map(Number);
    return { wall, user, sys, cpu: user + sys, rssKiB: rss, stdout: r.stdout, stderr: r.stderr, status: r.status, load1: loadavg()[0] };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs a command untimed; returns stdout. @throws Error when it fails */
export function run(argv, { env = process.env, cwd } = {}) {
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', maxBuffer: 256 << 20, env, cwd });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed (exit ${r.status}):\n${r.stderr.slice(-4000)}`);
  return r.stdout;
}

/** Apparent size in bytes of everything under `path` (du -sb). */
export function duBytes(path) {
  return Number(run(['du', '-sb', path]).split(/\s+/)[0]);
}

/** `uptime` load averages as [1, 5, 15] minutes. */
export const loads = () => loadavg().map((x) => +x.toFixed(2));
