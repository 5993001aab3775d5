/*
 * Runs one command as a child process under GNU time and returns its wall time,
 * user and system CPU seconds and peak RSS (the whole-process figures we compare
 * with rdiff). Also small helpers for medians, cmp and formatting.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const TIME_BIN = '/usr/bin/time';

/** Throws unless GNU time is installed (Debian package `time`). */
export function requireTools(tools) {
  for (const t of tools) {
    const r = spawnSync('sh', ['-c', `command -v ${t}`], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${t} not found: install it (apt-get install time rdiff)`);
  }
  if (!existsSync(TIME_BIN)) throw new Error(`${TIME_BIN} not found: apt-get install time`);
}

/**
 * Runs `argv` under /usr/bin/time.
 * @returns {{wall: number, user: number, sys: number, cpu: number, rssKiB: number, stdout: string}}
 */
export function timed(argv, { env } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'cb-time-'));
  const out = join(dir, 'time.txt');
  try {
    const r = spawnSync(TIME_BIN, ['-f', '%e %U %S %M', '-o', out, ...argv], {
      encoding: 'utf8',
      maxBuffer: 64 << 20,
      env: env ?? process.env,
    });
    if (r.status !== 0) throw new Error(`${argv.join(' ')} failed (${r.status}): ${r.stderr}`);
    const line = readFileSync(out, 'utf8').trim().split('\n').pop();
    const [wall, user, sys, rss] = line.split(/\s+/).map(Number);
    return { wall, user, sys, cpu: user + sys, rssKiB: rss, stdout: r.stdout };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** True when two files have the same bytes (cmp -s). */
export function sameFile(a, b) {
  return spawnSync('cmp', ['-s', a, b]).status === 0;
}

/** Median of numbers. */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Formats a number with `d` decimals. */
export const fix = (x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '-');

/** Renders rows (arrays of cells) as a markdown table. */
export function markdownTable(header, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Renders rows as a fixed-width text table for the terminal. */
export function textTable(header, rows) {
  const all = [header, ...rows].map((r) => r.map(String));
  const w = header.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  return all.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ')).join('\n');
}
