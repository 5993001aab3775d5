/*
 * CPU profiles of clawback's initial backup and unchanged re-run (node
 * --cpu-prof, one profile per thread): the top functions by self time and the
 * self time per source file, so the report can say where the time goes.
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { summarizeProfile } from './cpu-profile.mjs';
import { run, timedRun } from './store-measure.mjs';

const JOB = fileURLToPath(new URL('./store-job.mjs', import.meta.url));

/** Self time per script (dist file, node: internal module, or a V8 pseudo-node such as (garbage collector)). */
export function selfByFile(path, top = 12) {
  const prof = JSON.parse(readFileSync(path, 'utf8'));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const self = new Map();
  let sum = 0;
  for (let i = 0; i < prof.samples.length; i++) {
    const dt = (prof.timeDeltas[i + 1] ?? 0) / 1000;
    sum += dt;
    const f = byId.get(prof.samples[i]).callFrame;
    const key = f.url ? f.url.replace(/^file:\/\//, '').replace(/^.*\/dist\//, 'dist/').replace(/^.*\/node_modules\//, 'node_modules/') : f.functionName;
    self.set(key, (self.get(key) ?? 0) + dt);
  }
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([file, ms]) => ({ file, selfMs: +ms.toFixed(1), selfPct: +((100 * ms) / sum).toFixed(1) }));
}

/** Inclusive time of our own functions (dist/ files), counted once per sample however deep the recursion. */
export function inclusiveOurs(path, top = 15) {
  const prof = JSON.parse(readFileSync(path, 'utf8'));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const keyOf = (f) => (f.url.includes('/dist/') ? `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\/dist\//, 'dist/')}:${f.lineNumber + 1}` : undefined);
  const total = new Map();
  let sum = 0;
  for (let i = 0; i < prof.samples.length; i++) {
    const dt = (prof.timeDeltas[i + 1] ?? 0) / 1000;
    sum += dt;
    const seen = new Set();
    for (let id = prof.samples[i]; id !== undefined; id = parent.get(id)) {
      const k = keyOf(byId.get(id).callFrame);
      if (k === undefined || seen.has(k)) continue;
      seen.add(k);
      total.set(k, (total.get(k) ?? 0) + dt);
    }
  }
  return [...total.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([fn, ms]) => ({ fn, totalMs: +ms.toFixed(1), totalPct: +((100 * ms) / sum).toFixed(1) }));
}

function profileRun(dir, argv) {
  rmSync(dir, { recursive: true, force: true });
  const m = timedRun([process.execPath, '--cpu-prof', '--cpu-prof-dir', dir, ...argv]);
  const threads = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .sort()
    .map((f) => {
      const p = join(dir, f);
      const s = summarizeProfile(p, { top: 20 });
      return { file: f, totalMs: +s.totalMs.toFixed(0), top: s.rows.map((r) => ({ ...r, fn: r.fn.replace(/file:\/\/\S*\/dist\//, 'dist/').replace(/\/\S*\/dist\//, 'dist/') })), byFile: selfByFile(p), inclusive: inclusiveOurs(p) };
    });
  return { wall: m.wall, cpu: m.cpu, rssKiB: m.rssKiB, job: JSON.parse(m.stdout.trim().split('\n').pop()), threads };
}

/** Profiles an initial backup of `src` into a fresh repository, an unchanged re-run, a restore into an empty directory and check --read-data. */
export async function profileStore({ work, src }) {
  const dir = join(work, 'profile');
  rmSync(dir, { recursive: true, force: true });
  run([process.execPath, JOB, 'init', join(dir, 'repo')]);
  process.stderr.write('profiling clawback initial backup, unchanged re-run, restore and check ...\n');
  const initial = profileRun(join(dir, 'initial'), [JOB, 'backup', join(dir, 'repo'), src]);
  const unchanged = profileRun(join(dir, 'unchanged'), [JOB, 'backup', join(dir, 'repo'), src]);
  const restore = profileRun(join(dir, 'restore'), [JOB, 'restore', join(dir, 'repo'), join(dir, 'target')]);
  const check = profileRun(join(dir, 'check'), [JOB, 'check', join(dir, 'repo'), '--read-data']);
  return { initial, unchanged, restore, check };
}
