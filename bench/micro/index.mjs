/*
 * Runs the micro-benchmark suites (all, or those named), prints one table per
 * suite and writes them as markdown to <work>/micro.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { codeInfo, machineInfo, machineMarkdown } from '../lib/machine.mjs';
import { fix, markdownTable, textTable } from '../lib/measure.mjs';
import { clockName, setClock } from './common.mjs';

const SUITES = {
  rolling: () => import('./rolling.mjs'),
  scan: () => import('./scan.mjs'),
  strong: () => import('./strong-sums.mjs'),
  signature: () => import('./signature-encoder.mjs'),
  delta: () => import('./delta-encoder.mjs'),
  apply: () => import('./apply-delta.mjs'),
  hashes: () => import('./hash-backends.mjs'),
  chunker: () => import('./chunker.mjs'),
};

const HEADER = ['task', 'bytes', 'mean ms', '±%', 'samples', 'MB/s'];
const cells = (r) => [r.name, String(r.bytes), fix(r.meanMs, 3), fix(r.rmePct, 1), String(r.samples), fix(r.mbps, 0)];

/** Runs the named suites (all when `names` is empty) with the 'wall' or 'cpu' clock. */
export async function runMicro(names, work, clock = 'wall') {
  setClock(clock);
  const chosen = names.length ? names : Object.keys(SUITES);
  for (const n of chosen) if (!SUITES[n]) throw new RangeError(`unknown micro suite "${n}": expected ${Object.keys(SUITES).join(', ')}`);
  const started = Date.now();
  const md = [];
  for (const n of chosen) {
    process.stderr.write(`micro: ${n} ...\n`);
    const rows = await (await SUITES[n]()).suite();
    process.stdout.write(`\n${rows[0].suite}\n${textTable(HEADER, rows.map(cells))}\n`);
    md.push(`#### ${rows[0].suite}`, '', markdownTable(HEADER, rows.map(cells)), '');
  }
  const seconds = (Date.now() - started) / 1000;
  const repo = fileURLToPath(new URL('../..', import.meta.url));
  const code = codeInfo(repo, process.env.CLAWBACK_DIST ? dirname(process.env.CLAWBACK_DIST) : undefined);
  const head = [`### micro-benchmarks (tinybench)`, '', `Command: \`${['node bench/run.js micro', ...names, '--clock', clockName()].join(' ')}\`; code: commit ${code.commit}, ${code.srcFilesChanged} file(s) under src/ changed, dist/src hash ${code.distHash}; MB/s = 10^6 bytes per second of mean latency, timed by the ${clockName() === 'cpu' ? 'process CPU clock (user+system)' : 'wall clock'}; ${seconds.toFixed(0)} s in all.`, '', machineMarkdown(machineInfo(work)), ''];
  mkdirSync(work, { recursive: true });
  writeFileSync(join(work, 'micro.md'), [...head, ...md].join('\n'));
  process.stdout.write(`\nwrote ${join(work, 'micro.md')} (${seconds.toFixed(0)} s)\n`);
}
