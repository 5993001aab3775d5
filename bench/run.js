#!/usr/bin/env node
/*
 * The bench entry point (`npm run bench` builds first, then runs this):
 *   node bench/run.js                 everything: rdiff comparison at 1 GiB, then the micro-benchmarks
 *   node bench/run.js rdiff [--size 1g] [--literal-size 256m] [--reps 3] [--warmup 0] [--no-scaling] [--work DIR]
 *   node bench/run.js micro [rolling|scan|strong|signature|delta|apply|hashes|chunker ...] [--clock wall|cpu]
 *   node bench/run.js profile [--size 1g] [--literal-size 256m] [--work DIR]
 *   node bench/run.js store [options of bench/store-compare.mjs]     (snapshot store vs restic and borg)
 *   node bench/run.js openclaw [options of bench/openclaw-compare.mjs]  (OpenClaw state: incremental backup and rollback vs restic)
 * Generated inputs and results go to bench/out/ (git-ignored) unless --work says otherwise.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSize } from './lib/gen-data.mjs';
import { snapshotDist } from './lib/machine.mjs';

const here = dirname(fileURLToPath(import.meta.url));

function parseArgs(argv) {
  const names = [];
  const opts = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--no-scaling') opts.scaling = false;
    else if (a === '--profile' || a === '--keep' || a === '--profile-only') opts[a.slice(2)] = true;
    else if (a.startsWith('--')) {
      const [k, v] = a.includes('=') ? a.slice(2).split('=', 2) : [a.slice(2), argv[++i]];
      if (v === undefined) throw new RangeError(`"${k}" expected a value`);
      opts[k] = v;
    } else names.push(a);
  }
  return { names, opts };
}

function int(name, text, min) {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new RangeError(`"${name}" expected integer >= ${min}, got ${text}`);
  return n;
}

async function main() {
  if (!existsSync(join(here, '..', 'dist', 'src', 'index.js'))) throw new Error('dist/ missing: run `npm run build` first (npm run bench does)');
  const { names, opts } = parseArgs(process.argv.slice(2));
  // One build for the whole run: every job and suite loads this snapshot (see lib/library.mjs).
  process.env.CLAWBACK_DIST ??= snapshotDist(join(here, '..'));
  const what = names[0] ?? 'all';
  if (!['rdiff', 'micro', 'all', 'profile', 'store', 'openclaw'].includes(what)) throw new RangeError(`unknown benchmark "${what}": expected rdiff, micro, profile, store, openclaw or nothing`);
  const size = parseSize(opts.size ?? '1g');
  const common = {
    size,
    literalSize: parseSize(opts['literal-size'] ?? String(Math.min(size, 256 << 20))),
    work: opts.work ?? join(here, 'out'),
  };
  if (what === 'rdiff' || what === 'all') {
    const { rdiffCompare } = await import('./rdiff-compare.mjs');
    await rdiffCompare({ ...common, scaling: opts.scaling ?? true, reps: int('reps', opts.reps ?? '3', 1), warmup: int('warmup', opts.warmup ?? '0', 0) });
  }
  if (what === 'micro' || what === 'all') {
    const { runMicro } = await import('./micro/index.mjs');
    await runMicro(what === 'micro' ? names.slice(1) : [], common.work, opts.clock ?? 'wall');
  }
  if (what === 'store') {
    const { storeCompare, storeOptions } = await import('./store-compare.mjs');
    await storeCompare(storeOptions(opts));
  }
  if (what === 'openclaw') {
    const { openclawCompare, openclawOptions } = await import('./openclaw-compare.mjs');
    await openclawCompare(openclawOptions(opts));
  }
  if (what === 'profile') {
    const { profileDelta } = await import('./profile-delta.mjs');
    await profileDelta({ ...common, top: int('top', opts.top ?? '15', 1) });
  }
}

main().catch((e) => {
  process.stderr.write(`${e instanceof RangeError ? e.message : (e?.stack ?? e)}\n`);
  process.exit(1);
});
