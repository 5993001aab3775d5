#!/usr/bin/env node
/*
 * Whole-job comparison of the snapshot store with restic and borg in the same
 * run, on the generated OpenClaw state (fixture A) and its day of changes (B):
 * initial backup, incremental backup, unchanged re-run, restore (checked file
 * by file) and check --read-data, each tool a whole process under GNU time.
 *   node bench/store-compare.mjs [--scale 1] [--repeat 3] [--seed 1] [--fixture legacy]
 *                                [--work /tmp/clawback-bench-store] [--big-file 1g] [--profile] [--profile-only] [--keep]
 * --big-file backs up and restores one incompressible file of that size per tool (peak RSS
 * against file size; 0 skips it); --profile adds CPU profiles of clawback's initial backup,
 * unchanged re-run, restore and check; --profile-only runs just those (on fixture A);
 * --keep leaves repositories and profiles in the work dir.
 *   node bench/run.js store [same options]
 */
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSize, writeRandomFile } from './lib/gen-data.mjs';
import { codeInfo, machineInfo } from './lib/machine.mjs';
import { requireTools, sameFile } from './lib/measure.mjs';
import { changedContent } from './lib/store-changed.mjs';
import { duBytes, loads, run, timedRun } from './lib/store-measure.mjs';
import { profileStore } from './lib/store-profile.mjs';
import { renderReport } from './lib/store-report.mjs';
import { NOTES, restoredRoot, TOOLS } from './lib/store-tools.mjs';
import { compareTrees } from './lib/store-verify.mjs';
import { runScript } from './lib/script-args.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..');

/** Copies dist/ into the work dir (node_modules linked beside it) so a rebuild during the run changes nothing. */
function snapshotBuild(work) {
  if (process.env.CLAWBACK_DIST) return process.env.CLAWBACK_DIST;
  const to = join(work, 'build');
  rmSync(to, { recursive: true, force: true });
  cpSync(join(repoRoot, 'dist'), join(to, 'dist'), { recursive: true });
  symlinkSync(join(repoRoot, 'node_modules'), join(to, 'node_modules'));
  return join(to, 'dist', 'src', 'index.js');
}

/** A hash of the fixture generator's code, so a cached fixture is regenerated when it changes. */
const fixtureCodeHash = (distSrc) =>
  run(['sh', '-c', `cd ${JSON.stringify(join(distSrc, '..', 'fixtures'))} && find . -name '*.js' | sort | xargs cat | sha256sum | cut -c1-16`]).trim();

/** Fixture A, generated once per (scale, seed, profile, generator code) and copied (cp -a) to `src`. */
async function prepareSource(o, fixtures, distSrc) {
  const key = `A-${o.fixture}-s${o.scale}-seed${o.seed}`;
  const cached = join(o.work, 'fixtures', key);
  const marker = `${cached}.json`;
  const codeHash = fixtureCodeHash(distSrc);
  let summary = existsSync(marker) ? JSON.parse(readFileSync(marker, 'utf8')) : undefined;
  if (summary?.codeHash !== codeHash) {
    rmSync(cached, { recursive: true, force: true });
    mkdirSync(dirname(cached), { recursive: true });
    process.stderr.write(`generating fixture ${key} ...\n`);
    const g = await fixtures.generateState({ dir: cached, seed: o.seed, scale: o.scale, profile: o.fixture, contentRoot: o.src });
    summary = { codeHash, files: g.files, dirs: g.dirs, symlinks: g.symlinks, fifos: g.fifos, bytes: g.bytes, largeFileBytes: g.largeFileBytes };
    writeFileSync(marker, JSON.stringify(summary));
  }
  rmSync(dirname(o.src), { recursive: true, force: true });
  mkdirSync(dirname(o.src), { recursive: true });
  run(['cp', '-a', cached, o.src]);
  return summary;
}

/** Runs `step(tool, rep)` for every repetition and tool, rotating the tool order between repetitions. */
function eachRep(o, step) {
  for (let rep = 0; rep < o.repeat; rep++) {
    const order = TOOLS.map((_, i) => TOOLS[(i + rep) % TOOLS.length]);
    for (const tool of order) step(tool, rep);
  }
}

const home = (o, tool) => join(o.work, 'homes', tool.name);
const saved = (o, tool, stage) => join(o.work, 'saved', `${tool.name}-${stage}`);
const copyDir = (from, to) => {
  rmSync(to, { recursive: true, force: true });
  mkdirSync(dirname(to), { recursive: true });
  run(['cp', '-a', from, to]);
};

function record(results, job, tool, m, extra = {}) {
  const s = { wall: m.wall, cpu: m.cpu, user: m.user, sys: m.sys, rssKiB: m.rssKiB, load1: +m.load1.toFixed(2), ...extra };
  ((results.jobs[job] ??= {})[tool.name] ??= []).push(s);
  process.stderr.write(`  ${job.padEnd(11)} ${tool.name.padEnd(8)} wall ${m.wall.toFixed(2)} s  cpu ${m.cpu.toFixed(2)} s  rss ${(m.rssKiB / 1024).toFixed(0)} MiB  load ${m.load1.toFixed(2)}\n`);
}

/** clawback's own JSON line (store-job.mjs prints one). */
const jobJson = (tool, m) => (tool.name === 'clawback' ? JSON.parse(m.stdout.trim().split('\n').pop()) : undefined);

/**
 * The whole comparison. Returns the results object (also written as JSON and markdown under `work`).
 * @param {{work: string, scale: number, seed: number, fixture: 'legacy'|'sqlite', repeat: number, profile: boolean, keep: boolean}} o
 */
export async function storeCompare(o) {
  requireTools(['restic', 'borg', 'du', 'cp']);
  o = { ...o, src: join(o.work, 'src', '.openclaw') };
  mkdirSync(o.work, { recursive: true });
  process.env.CLAWBACK_DIST = snapshotBuild(o.work);
  const distSrc = dirname(process.env.CLAWBACK_DIST);
  const { layer } = await import('./lib/store-library.mjs');
  const fixtures = await layer('fixtures');
  const results = {
    options: { scale: o.scale, seed: o.seed, fixture: o.fixture, repeat: o.repeat },
    machine: machineInfo(o.work),
    code: codeInfo(repoRoot, distSrc),
    versions: Object.fromEntries(TOOLS.map((t) => [t.name, t.version()])),
    notes: NOTES,
    loads: { start: loads() },
    jobs: {},
    sizes: {},
  };
  const jobs = results.jobs;
  results.fixture = await prepareSource(o, fixtures, distSrc);
  process.stderr.write(`fixture: ${results.fixture.files} files, ${(results.fixture.bytes / 1e6).toFixed(1)} MB; load ${loads().join(' ')}\n`);
  if (o.profileOnly) {
    results.profile = await profileStore({ work: o.work, src: o.src });
    return finish(o, results);
  }
  const before = fixtures.scanTree(o.src, { hash: true });

  // 1. Initial backup, each repetition into a fresh repository.
  eachRep(o, (tool, rep) => {
    const h = home(o, tool);
    rmSync(h, { recursive: true, force: true });
    mkdirSync(h, { recursive: true });
    tool.init(h);
    const m = timedRun(...spread(tool.backup(h, o.src)));
    const size = duBytes(join(h, 'repo'));
    record(results, 'initial', tool, m, { repoBytes: size, job: jobJson(tool, m)?.summary });
    if (rep === o.repeat - 1 || o.repeat === 1) copyDir(h, saved(o, tool, 'initial'));
  });
  // Keep the initial state whose size was recorded last for every tool.
  for (const tool of TOOLS) results.sizes[tool.name] = { initial: duBytes(join(saved(o, tool, 'initial'), 'repo')) };
  results.sizes.clawback.indexBytes = duBytes(join(saved(o, TOOLS[0], 'initial'), 'repo', 'index'));
  results.loads.afterInitial = loads();

  // 2. The day of changes, and what really changed.
  process.stderr.write('mutating the source ...\n');
  const mutation = await fixtures.mutateState({ dir: o.src, seed: o.seed, scale: o.scale, profile: o.fixture });
  const after = fixtures.scanTree(o.src, { hash: true });
  results.changed = { summary: mutation.bytes, files: mutation.files, content: changedContent(before, after, o.src, fixtures.BLOCK) };

  // 3. Incremental backup from the saved initial state.
  eachRep(o, (tool) => {
    const h = home(o, tool);
    copyDir(saved(o, tool, 'initial'), h);
    const m = timedRun(...spread(tool.backup(h, o.src)));
    const grown = duBytes(join(h, 'repo')) - results.sizes[tool.name].initial;
    record(results, 'incremental', tool, m, { growthBytes: grown, job: jobJson(tool, m)?.summary });
    results.sizes[tool.name].growth = grown;
    copyDir(h, saved(o, tool, 'incremental'));
  });
  results.loads.afterIncremental = loads();

  // 4. Unchanged re-run from the saved incremental state.
  eachRep(o, (tool) => {
    const h = home(o, tool);
    copyDir(saved(o, tool, 'incremental'), h);
    const m = timedRun(...spread(tool.backup(h, o.src)));
    const j = jobJson(tool, m);
    record(results, 'unchanged', tool, m, j ? { inProcessMs: j.ms, loadedMs: j.loadedMs, openMs: j.openMs, backupMs: j.summary.durationMs, job: j.summary } : {});
  });
  results.loads.afterUnchanged = loads();

  // 5. Restore the latest snapshot into an empty directory; the first repetition is compared file by file.
  results.verify = {};
  eachRep(o, (tool, rep) => {
    const target = join(o.work, 'restore', tool.name);
    rmSync(target, { recursive: true, force: true });
    mkdirSync(target, { recursive: true });
    const m = timedRun(...spread(tool.restore(home(o, tool), target)));
    record(results, 'restore', tool, m);
    if (rep === 0) {
      const v = compareTrees(o.src, restoredRoot(target, o.src));
      results.verify[tool.name] = { ...v, metaDiffer: v.metaDiffer.length, metaDifferSample: v.metaDiffer.slice(0, 5) };
      process.stderr.write(`  verify ${tool.name}: ${v.ok ? 'identical' : 'DIFFERENT'} (${v.files} files, ${v.symlinks} symlinks, ${v.dirs} dirs; missing ${v.missing.length}, extra ${v.extra.length}, differ ${v.differ.length}, mode/mtime ${v.metaDiffer.length})\n`);
    }
    rmSync(target, { recursive: true, force: true });
  });
  results.loads.afterRestore = loads();

  // 6. check --read-data.
  eachRep(o, (tool) => record(results, 'check', tool, timedRun(...spread(tool.check(home(o, tool))))));
  results.loads.end = loads();

  if (!o.keep) for (const d of ['saved', 'restore']) rmSync(join(o.work, d), { recursive: true, force: true });
  if (o.bigFile > 0) results.bigFile = bigFilePhase(o);
  if (o.profile) results.profile = await profileStore({ work: o.work, src: o.src });
  return finish(o, results);
}

/**
 * Memory against file size: one incompressible file of `o.bigFile` bytes backed up into a
 * fresh repository and restored, once per tool. Peak RSS that stays flat while the file grows
 * says memory is bounded by the index, not by file sizes.
 */
function bigFilePhase(o) {
  const dir = join(o.work, 'big', String(o.bigFile));
  const file = join(dir, 'src', 'file.bin');
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeRandomFile(file, o.bigFile, 'store-big');
  }
  const out = { bytes: o.bigFile };
  for (const tool of TOOLS) {
    const h = join(dir, 'homes', tool.name);
    rmSync(h, { recursive: true, force: true });
    mkdirSync(h, { recursive: true });
    tool.init(h);
    const b = timedRun(...spread(tool.backup(h, dirname(file))));
    const target = join(dir, 'restore', tool.name);
    rmSync(target, { recursive: true, force: true });
    mkdirSync(target, { recursive: true });
    const r = timedRun(...spread(tool.restore(h, target)));
    const same = sameFile(file, join(restoredRoot(target, dirname(file)), 'file.bin'));
    out[tool.name] = { backup: { wall: b.wall, cpu: b.cpu, rssKiB: b.rssKiB }, restore: { wall: r.wall, cpu: r.cpu, rssKiB: r.rssKiB }, identical: same };
    process.stderr.write(`  big file ${tool.name.padEnd(8)} backup ${b.wall.toFixed(2)} s ${(b.rssKiB / 1024).toFixed(0)} MiB; restore ${r.wall.toFixed(2)} s ${(r.rssKiB / 1024).toFixed(0)} MiB; ${same ? 'identical' : 'DIFFERENT'}\n`);
    rmSync(target, { recursive: true, force: true });
    if (!o.keep) rmSync(h, { recursive: true, force: true });
  }
  return out;
}

/** Removes the scratch directories, prints the report and writes it as JSON and markdown. */
function finish(o, results) {
  if (!o.keep) for (const d of ['homes', 'saved', 'restore', 'profile']) rmSync(join(o.work, d), { recursive: true, force: true });
  const { text, markdown } = renderReport(results);
  const stamp = results.machine.date.replace(/[:.]/g, '-');
  writeFileSync(join(o.work, `store-compare-${stamp}.json`), JSON.stringify(results, null, 2));
  writeFileSync(join(o.work, `store-compare-${stamp}.md`), markdown);
  process.stdout.write(text + '\n');
  process.stderr.write(`results: ${join(o.work, `store-compare-${stamp}.{json,md}`)}\n`);
  return results;
}

/** {argv, env, cwd} → the arguments of timedRun. */
const spread = ({ argv, env, cwd }) => [argv, { env, cwd }];

/** Options from the command line (also used by bench/run.js). */
export function storeOptions(opts) {
  const num = (name, def, ok) => {
    const v = opts[name] === undefined ? def : Number(opts[name]);
    if (!ok(v)) throw new RangeError(`"${name}" expected ${ok.what}, got ${opts[name]}`);
    return v;
  };
  const positive = Object.assign((v) => Number.isFinite(v) && v > 0 && v <= 100, { what: 'number in (0, 100]' });
  const intMin1 = Object.assign((v) => Number.isInteger(v) && v >= 1, { what: 'integer >= 1' });
  const fixture = opts.fixture ?? 'legacy';
  if (fixture !== 'legacy' && fixture !== 'sqlite') throw new RangeError(`"fixture" expected legacy or sqlite, got ${fixture}`);
  return {
    work: resolve(opts.work ?? '/tmp/clawback-bench-store'),
    scale: num('scale', 1, positive),
    seed: num('seed', 1, intMin1),
    repeat: num('repeat', 3, intMin1),
    fixture,
    profile: opts.profile === true || opts.profile === 'true',
    profileOnly: opts['profile-only'] === true || opts['profile-only'] === 'true',
    bigFile: opts['big-file'] === undefined ? 1 << 30 : parseSize(opts['big-file']),
    keep: opts.keep === true || opts.keep === 'true',
  };
}

runScript(import.meta.url, storeOptions, storeCompare);
