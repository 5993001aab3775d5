#!/usr/bin/env node
/*
 * Issue 4's targets, clawback against restic in the same run: incremental
 * backup of a one-day mutation of a generated OpenClaw state dir, then the
 * rollback of that day, each tool a whole process under GNU time, clawback
 * through its real CLI; every rolled-back state is checked against fixture A.
 *   node bench/openclaw-compare.mjs [--scale 1] [--repeat 3] [--seed 1] [--fixture legacy|sqlite]
 *                                   [--work /tmp/clawback-bench-openclaw] [--profile] [--profile-only] [--keep]
 *   node bench/run.js openclaw [same options]
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { codeInfo, machineInfo } from './lib/machine.mjs';
import { requireTools } from './lib/measure.mjs';
import { cachedFixture, copyTree, snapshotBuild, treeInfo } from './lib/openclaw-fixture.mjs';
import { backupPhases, profileRun, rollbackPhases, timeline } from './lib/openclaw-profile.mjs';
import { renderReport } from './lib/openclaw-report.mjs';
import { clawbackTool, resticTool, toolLayout } from './lib/openclaw-tools.mjs';
import { compareState, verifyLine, verifyRecord, volatileMatcher } from './lib/openclaw-verify.mjs';
import { duBytes, loads, timedRun } from './lib/store-measure.mjs';
import { runScript } from './lib/script-args.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..');

/** Is anything listening on TCP `port` (any address)? */
function listening(port) {
  const out = execFileSync('ss', ['-ltnH', `sport = :${port}`], { encoding: 'utf8' }).trim();
  return { port, listening: out.length > 0, ss: out };
}

/** {argv, env} → timedRun. */
const timed = ({ argv, env }) => timedRun(argv, { env });

/**
 * The whole comparison; returns the results (also written as JSON and markdown under `work`).
 * @param {{work: string, scale: number, seed: number, fixture: 'legacy'|'sqlite', repeat: number, profile: boolean, profileOnly: boolean, keep: boolean}} o
 */
export async function openclawCompare(o) {
  requireTools(['restic', 'rsync', 'cp', 'du', 'ss']);
  mkdirSync(o.work, { recursive: true });
  const tree = treeInfo(repoRoot);
  // A build given through CLAWBACK_DIST (e.g. one made from `git archive` of a commit) is measured as is.
  const build = process.env.CLAWBACK_DIST ? `given: ${process.env.CLAWBACK_DIST}` : `copy of ${join(repoRoot, 'dist')} taken at the start`;
  process.env.CLAWBACK_DIST = snapshotBuild(repoRoot, o.work);
  const distSrc = dirname(process.env.CLAWBACK_DIST);
  const { layer } = await import('./lib/store-library.mjs');
  const fixtures = await layer('fixtures');
  const clawback = clawbackTool(join(distSrc, 'cli', 'main.js'));
  const tools = [clawback, resticTool];
  // One live path for both tools (one after the other): fixture A names it inside its files
  // (workspaces and agent dirs in openclaw.json), so each tool's copy is the same bytes.
  const state = join(o.work, 'live', '.openclaw');
  const fx = await cachedFixture(o, fixtures, distSrc, state);
  const vol = await volatileMatcher(distSrc);
  const results = {
    options: { scale: o.scale, seed: o.seed, fixture: o.fixture, repeat: o.repeat },
    machine: machineInfo(o.work),
    code: { ...codeInfo(repoRoot, distSrc), ...tree, build },
    versions: Object.fromEntries(tools.map((t) => [t.name, t.version()])),
    gateway: listening(18789),
    volatilePatterns: vol.patterns,
    fixture: fx.summary,
    loads: { start: loads() },
    samples: [],
    verify: [],
    mutations: [],
  };
  process.stderr.write(`fixture: ${fx.summary.files} files, ${(fx.summary.bytes / 1e6).toFixed(1)} MB; port 18789 ${results.gateway.listening ? 'IN USE' : 'free'}; load ${loads().join(' ')}\n`);

  const record = (tool, rep, step, m, extra = {}) => {
    const s = { tool: tool.name, rep, step, wall: m.wall, cpu: +m.cpu.toFixed(2), user: m.user, sys: m.sys, rssKiB: m.rssKiB, load1: +m.load1.toFixed(2), loads: loads(), ...extra };
    results.samples.push(s);
    process.stderr.write(`  rep ${rep} ${tool.name.padEnd(8)} ${step.padEnd(11)} wall ${m.wall.toFixed(2)} s  cpu ${m.cpu.toFixed(2)} s  rss ${(m.rssKiB / 1024).toFixed(0)} MiB  load ${m.load1.toFixed(2)}\n`);
  };
  const check = (rep, what, dir) => {
    const v = compareState(fx.dir, dir, vol.test);
    results.verify.push({ rep, what, ...verifyRecord(v) });
    process.stderr.write(`  verify ${verifyLine(what, v)}\n`);
  };
  /** Fresh state (cp -a of A), fresh repository, initial backup, the day of changes in place: returns the layout and A's snapshot id. */
  const prepare = async (tool, rep, { timedInitial = true } = {}) => {
    const t = toolLayout(o.work, tool.name, state);
    rmSync(t.home, { recursive: true, force: true });
    mkdirSync(t.userHome, { recursive: true });
    copyTree(fx.dir, state);
    tool.init(t);
    const m = timed(tool.backup(t));
    if (timedInitial) record(tool, rep, 'initial', m, { repoBytes: duBytes(t.repo) });
    const idA = tool.firstSnapshot(t);
    const mut = await fixtures.mutateState({ dir: state, seed: o.seed, scale: o.scale, profile: o.fixture });
    if (timedInitial) results.mutations.push({ tool: tool.name, rep, files: mut.files, bytes: mut.bytes });
    return { t, idA };
  };

  if (!o.profileOnly) {
    for (let rep = 0; rep < o.repeat; rep++) {
      const order = tools.map((_, i) => tools[(i + rep) % tools.length]);
      for (const tool of order) {
        const { t, idA } = await prepare(tool, rep);
        const before = duBytes(t.repo);
        record(tool, rep, 'incremental', timed(tool.backup(t)), { growthBytes: duBytes(t.repo) - before });
        if (tool === clawback) {
          record(tool, rep, 'rollback', timed(tool.rollback(t, idA)));
          check(rep, 'clawback rollback', state);
        } else {
          // restic has no in-place restore that deletes extra files: its nearest equivalents.
          record(tool, rep, 'safety', timed(tool.backup(t)));
          rmSync(t.restoreTarget, { recursive: true, force: true });
          mkdirSync(t.restoreTarget, { recursive: true });
          record(tool, rep, 'restore', timed(tool.restore(t, idA)));
          // rsync's quick check (size and mtime) misses a file rewritten with both unchanged: once
          // as is, then with --checksum from the same state B (an untimed copy).
          const saved = join(t.home, 'state-b', '.openclaw');
          copyTree(state, saved);
          record(tool, rep, 'sync', timed(tool.sync(t)));
          check(rep, 'restic restore + rsync -a --delete', state);
          copyTree(saved, state);
          rmSync(dirname(saved), { recursive: true, force: true });
          record(tool, rep, 'sync-c', timed(tool.sync(t, { checksum: true })));
          check(rep, 'restic restore + rsync -a --delete --checksum', state);
        }
      }
      results.loads[`afterRep${rep}`] = loads();
    }
    const counts = new Set(results.mutations.map((m) => JSON.stringify(m.files)));
    results.mutation = results.mutations[0];
    results.mutationsIdentical = counts.size === 1;
    if (counts.size !== 1) process.stderr.write(`WARNING: the day of changes differed between copies: ${[...counts].join(' | ')}\n`);

    // Where clawback's time goes: the same sequence once more with --json, lines timestamped on arrival.
    process.stderr.write('clawback phases (--json run) ...\n');
    const { t, idA } = await prepare(clawback, 'phases', { timedInitial: false });
    const load1 = loads()[0];
    const incremental = backupPhases(await timeline(clawback.backup(t, { json: true })));
    const rollback = rollbackPhases(await timeline(clawback.rollback(t, idA, { json: true, quiet: false })));
    results.breakdown = { load1, incremental, rollback };
    check('phases', 'clawback rollback (--json run)', state);
    results.loads.afterPhases = loads();
  }

  if (o.profile || o.profileOnly) {
    process.stderr.write('clawback CPU profiles (incremental backup, rollback) ...\n');
    const { t, idA } = await prepare(clawback, 'profile', { timedInitial: false });
    const dir = join(o.work, 'profile');
    const prof = (name) => ['--cpu-prof', '--cpu-prof-dir', join(dir, name)];
    results.profile = {
      incremental: profileRun(join(dir, 'incremental'), clawback.backup(t, { nodeArgs: prof('incremental') })),
      rollback: profileRun(join(dir, 'rollback'), clawback.rollback(t, idA, { nodeArgs: prof('rollback') })),
    };
    check('profile', 'clawback rollback (profiled run)', state);
    results.loads.afterProfile = loads();
  }
  results.loads.end = loads();
  return finish(o, results);
}

/** Removes the scratch directories, prints the report and writes it as JSON and markdown. */
function finish(o, results) {
  if (!o.keep) for (const d of ['clawback', 'restic', 'live', 'profile']) rmSync(join(o.work, d), { recursive: true, force: true });
  const { text, markdown } = renderReport(results);
  const stamp = results.machine.date.replace(/[:.]/g, '-');
  const base = join(o.work, `openclaw-compare-${stamp}`);
  writeFileSync(`${base}.json`, JSON.stringify(results, null, 2));
  writeFileSync(`${base}.md`, markdown);
  process.stdout.write(text + '\n');
  process.stderr.write(`results: ${base}.{json,md}\n`);
  return results;
}

/** Options from the command line (also used by bench/run.js). */
export function openclawOptions(opts) {
  const num = (name, def, ok, what) => {
    const v = opts[name] === undefined ? def : Number(opts[name]);
    if (!ok(v)) throw new RangeError(`"${name}" expected ${what}, got ${opts[name]}`);
    return v;
  };
  const fixture = opts.fixture ?? 'legacy';
  if (fixture !== 'legacy' && fixture !== 'sqlite') throw new RangeError(`"fixture" expected legacy or sqlite, got ${fixture}`);
  const flag = (name) => opts[name] === true || opts[name] === 'true';
  return {
    work: resolve(opts.work ?? '/tmp/clawback-bench-openclaw'),
    scale: num('scale', 1, (v) => Number.isFinite(v) && v > 0 && v <= 100, 'number in (0, 100]'),
    seed: num('seed', 1, (v) => Number.isInteger(v) && v >= 1, 'integer >= 1'),
    repeat: num('repeat', 3, (v) => Number.isInteger(v) && v >= 1, 'integer >= 1'),
    fixture,
    profile: flag('profile'),
    profileOnly: flag('profile-only'),
    keep: flag('keep'),
  };
}

runScript(import.meta.url, openclawOptions, openclawCompare);
