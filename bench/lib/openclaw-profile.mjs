/*
 * Where clawback's incremental backup and rollback spend their time: a run
 * with --json whose output lines are timestamped as they arrive (the
 * rollback's step events give gateway check, safety snapshot, restore), and
 * CPU profiles (node --cpu-prof) summarized by function and by file.
 */
import { spawn } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { summarizeProfile } from './cpu-profile.mjs';
import { timedRun } from './store-measure.mjs';
import { inclusiveOurs, selfByFile } from './store-profile.mjs';

/**
 * Runs `argv` and timestamps every stdout line (ms since spawn) as it arrives. Node writes to a
 * pipe synchronously on Linux, so a line arrives when the child writes it.
 * @returns {Promise<{wallMs: number, status: number, events: {t: number, obj: object}[], stderr: string}>}
 */
export function timeline({ argv, env }) {
  return new Promise((resolvePromise, reject) => {
    const t0 = performance.now();
    const child = spawn(argv[0], argv.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const events = [];
    let buf = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      const t = performance.now() - t0;
      buf += chunk;
      let i;
      while ((i = buf.indexOf('\n')) !== -1) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (line.trim()) events.push({ t, obj: JSON.parse(line) });
      }
    });
    child.stderr.on('data', (c) => (stderr += c));
    child.on('error', reject);
    child.on('close', (status) => {
      const wallMs = performance.now() - t0;
      if (status !== 0) reject(new Error(`${argv.join(' ')} failed (exit ${status}):\n${stderr.slice(-4000)}`));
      else resolvePromise({ wallMs, status, events, stderr });
    });
  });
}

const r1 = (x) => Math.round(x);

/** The rollback's phases from its timestamped step events (first event of each step) and its summary. */
export function rollbackPhases(tl) {
  const first = {};
  for (const { t, obj } of tl.events) if (obj.type === 'progress' && obj.step && first[obj.step] === undefined) first[obj.step] = t;
  const summary = tl.events.find((e) => e.obj.type === 'summary');
  const at = (s) => first[s];
  const span = (a, b) => (at(a) !== undefined && b !== undefined ? r1(b - at(a)) : undefined);
  return {
    wallMs: r1(tl.wallMs),
    startupMs: at('gateway') !== undefined ? r1(at('gateway')) : undefined,
    gatewayAndSelectMs: span('gateway', at('safety') ?? at('select')),
    safetySnapshotMs: span('safety', at('restore')),
    restoreMs: span('restore', at('cleanup')),
    cleanupMs: span('cleanup', summary?.t),
    exitMs: summary ? r1(tl.wallMs - summary.t) : undefined,
    inProcessMs: summary?.obj.durationMs,
    restoreInProcessMs: summary?.obj.restored?.durationMs,
    restored: summary?.obj.restored,
    gateway: summary?.obj.gateway,
    removedShm: summary?.obj.removedShm?.length,
    warnings: summary?.obj.warnings?.length,
  };
}

/** A backup's process time against its in-process backup() time (summary durationMs). */
export function backupPhases(tl) {
  const s = tl.events.find((e) => e.obj.type === 'summary');
  const o = s?.obj ?? {};
  return {
    wallMs: r1(tl.wallMs),
    backupMs: o.durationMs,
    outsideBackupMs: o.durationMs !== undefined ? r1(s.t - o.durationMs) : undefined,
    exitMs: s ? r1(tl.wallMs - s.t) : undefined,
    summary: { filesNew: o.filesNew, filesChanged: o.filesChanged, filesUnchanged: o.filesUnchanged, totalFiles: o.totalFiles, totalBytes: o.totalBytes, bytesRead: o.bytesRead, bytesAdded: o.bytesAdded, bytesStored: o.bytesStored, secrets: o.secrets, partial: o.partial },
  };
}

/** Runs `cmd` (whose argv already carries --cpu-prof --cpu-prof-dir `dir`) and summarizes each thread's profile. */
export function profileRun(dir, cmd) {
  rmSync(dir, { recursive: true, force: true });
  const m = timedRun(cmd.argv, { env: cmd.env });
  const clean = (fn) => fn.replace(/file:\/\/\S*\/dist\//, 'dist/').replace(/\/\S*\/dist\//, 'dist/');
  const threads = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .sort()
    .map((f) => {
      const p = join(dir, f);
      const s = summarizeProfile(p, { top: 15 });
      return { file: f, totalMs: r1(s.totalMs), top: s.rows.map((r) => ({ ...r, fn: clean(r.fn) })), byFile: selfByFile(p, 10), inclusive: inclusiveOurs(p, 12) };
    });
  return { wall: m.wall, cpu: m.cpu, rssKiB: m.rssKiB, threads };
}
