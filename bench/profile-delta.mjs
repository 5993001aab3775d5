/*
 * CPU profiles of our whole-process jobs (node --cpu-prof) on the bench inputs:
 * delta on the mostly-matching (edited) and all-literal (unrelated) cases in both
 * formats, plus signature and patch on the edited case. Prints the top functions
 * by self time and writes them as markdown to <work>/profile.md.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { summarizeProfile } from './lib/cpu-profile.mjs';
import { ensureEditedCase, ensureUnrelatedCase, sizeLabel } from './lib/gen-data.mjs';
import { codeInfo, snapshotDist } from './lib/machine.mjs';
import { fix, markdownTable, textTable } from './lib/measure.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..');
const JOB = join(here, 'clawback-job.mjs');

function job(args, profDir, name) {
  const argv = profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`, `--cpu-prof-name=${name}.cpuprofile`, JOB, ...args] : [JOB, ...args];
  const t = performance.now();
  const r = spawnSync('node', argv, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`node ${argv.join(' ')} failed: ${r.stderr}`);
  return (performance.now() - t) / 1000;
}

/** Profiles the jobs and prints the top self-time functions of each. */
export async function profileDelta(o) {
  const work = resolve(o.work);
  const dataDir = join(work, 'data');
  const dir = join(work, 'profile');
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(dir)) if (f.endsWith('.cpuprofile')) rmSync(join(dir, f));
  const edited = { name: `edited-${sizeLabel(o.size)}`, ...ensureEditedCase(dataDir, o.size) };
  const unrelated = { name: `unrelated-${sizeLabel(o.literalSize)}`, ...ensureUnrelatedCase(dataDir, o.literalSize) };
  process.env.CLAWBACK_DIST ??= snapshotDist(repo);
  const distIndex = process.env.CLAWBACK_DIST;
  const code = codeInfo(repo, dirname(distIndex));
  const runs = [];
  for (const c of [edited, unrelated]) {
    for (const format of ['native', 'librsync']) {
      const sig = join(dir, `${c.name}.${format}.sig`);
      const delta = join(dir, `${c.name}.${format}.delta`);
      const sigProf = c === edited;
      runs.push({ name: `signature ${c.name} ${format}`, s: job(['signature', c.basis, sig, '--format', format], sigProf ? dir : undefined, `signature-${c.name}-${format}`), prof: sigProf && `signature-${c.name}-${format}` });
      runs.push({ name: `delta ${c.name} ${format}`, s: job(['delta', sig, c.next, delta], dir, `delta-${c.name}-${format}`), prof: `delta-${c.name}-${format}` });
      if (c === edited) {
        const out = join(dir, `${c.name}.out`);
        runs.push({ name: `patch ${c.name} ${format}`, s: job(['patch', c.basis, delta, out], dir, `patch-${c.name}-${format}`), prof: `patch-${c.name}-${format}` });
        rmSync(out, { force: true });
      }
    }
  }
  const header = ['self ms', 'self %', 'total %', 'function'];
  const md = [`### CPU profiles (node --cpu-prof)`, '', `Command: \`node bench/run.js profile --size ${sizeLabel(o.size)} --literal-size ${sizeLabel(o.literalSize)}\`; code: commit ${code.commit}, ${code.srcFilesChanged} file(s) under src/ changed, dist/src hash ${code.distHash}.`, ''];
  for (const r of runs.filter((x) => x.prof)) {
    const { totalMs, rows } = summarizeProfile(join(dir, `${r.prof}.cpuprofile`), { top: o.top, root: `${repo}/` });
    const cells = rows.map((x) => [fix(x.selfMs, 0), fix(x.selfPct, 1), fix(x.totalPct, 1), x.fn]);
    process.stdout.write(`\n${r.name}: ${fix(r.s)} s wall under the profiler, ${fix(totalMs / 1000)} s sampled\n${textTable(header, cells)}\n`);
    md.push(`#### ${r.name} (${fix(r.s)} s wall under the profiler, ${fix(totalMs / 1000)} s sampled)`, '', markdownTable(header, cells), '');
  }
  writeFileSync(join(work, 'profile.md'), md.join('\n'));
  process.stdout.write(`\nwrote ${join(work, 'profile.md')}; raw profiles in ${dir}\n`);
}
