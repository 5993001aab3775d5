/*
 * Whole-process comparison with librsync's rdiff in the same run: signature, delta
 * and patch on generated inputs (an edited copy of a large file; an unrelated file,
 * where nothing matches), each as its own process under GNU time, medians of several
 * repetitions, every patched output checked with cmp. Prints a table and writes it
 * as markdown and JSON under the work directory.
 */
import { closeSync, mkdirSync, openSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureEditedCase, ensureUnrelatedCase, sizeLabel } from './lib/gen-data.mjs';
import { codeInfo, machineInfo, machineMarkdown, snapshotDist } from './lib/machine.mjs';
import { loadavg } from 'node:os';
import { fix, markdownTable, median, requireTools, sameFile, textTable, timed } from './lib/measure.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const MB = 1e6;
const MiB = 1 << 20;

/**
 * The tools compared. Each turns (op, files) into an argv; `ops` limits which ops it runs.
 * rdiff+fsync is rdiff followed by `sync FILE`, because our file calls fsync their output
 * (atomic write) and rdiff does not: it shows what durability costs.
 */
const TOOLS = [
  { id: 'rdiff', ops: ['signature', 'delta', 'patch'], argv: (op, a) => ['rdiff', '-f', op, ...a] },
  {
    id: 'rdiff+fsync',
    ops: ['delta', 'patch'],
    sigFrom: 'rdiff',
    argv: (op, a) => ['sh', '-c', `rdiff -f ${op} "$1" "$2" "$3" && sync "$3"`, 'sh', ...a],
  },
  { id: 'clawback-blake2', ops: ['signature', 'delta', 'patch'], argv: (op, a) => clawback(op, a, 'librsync') },
  { id: 'clawback-native', ops: ['signature', 'delta', 'patch'], argv: (op, a) => clawback(op, a, 'native') },
  // Native without fsync (--no-fsync), like for like with plain rdiff, which does not sync either.
  { id: 'clawback-nofsync', ops: ['signature', 'delta', 'patch'], argv: (op, a) => clawback(op, a, 'native', ['--no-fsync']) },
];

/** The CLI of the measured build (the dist snapshot), as a user runs it: `clawback rdiff -f OP [--format F] FILES`. */
const cliPath = () => join(dirname(process.env.CLAWBACK_DIST), 'cli', 'main.js');
function clawback(op, files, format, extra = []) {
  return ['node', cliPath(), 'rdiff', '-f', ...extra, op, ...(op === 'signature' ? ['--format', format] : []), ...files];
}

/** Reads a file once, so that every tool then finds it in the page cache. */
function preload(path) {
  const fd = openSync(path, 'r');
  const buf = Buffer.alloc(8 << 20);
  try {
    while (readSync(fd, buf, 0, buf.length, null) > 0);
  } finally {
    closeSync(fd);
  }
}

/** Runs every tool over one case once; returns one sample per (tool, op). */
function runCase(c, dir) {
  const samples = [];
  for (const tool of TOOLS) {
    const sig = join(dir, `${c.name}.${tool.sigFrom ?? tool.id}.sig`);
    const delta = join(dir, `${c.name}.${tool.id}.delta`);
    const out = join(dir, `${c.name}.${tool.id}.out`);
    for (const op of tool.ops) {
      const files = op === 'signature' ? [c.basis, sig] : op === 'delta' ? [sig, c.next, delta] : [c.basis, delta, out];
      rmSync(files.at(-1), { force: true });
      const m = timed(tool.argv(op, files));
      const output = files.at(-1);
      const sample = { tool: tool.id, op, ...m, outputBytes: statSync(output).size };
      delete sample.stdout;
      if (op === 'patch') {
        sample.ok = sameFile(out, c.next);
        if (!sample.ok) throw new Error(`${tool.id} patch output differs from ${c.next}`);
        rmSync(out, { force: true });
      }
      samples.push(sample);
    }
  }
  return samples;
}

/** Aggregates samples into medians per (tool, op) and adds the ratios against rdiff. */
function summarize(c, samples) {
  const rows = [];
  const key = (t, o) => `${t}/${o}`;
  const groups = new Map();
  for (const s of samples) {
    const k = key(s.tool, s.op);
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k).push(s);
  }
  const med = new Map();
  for (const [k, g] of groups) {
    med.set(k, {
      tool: g[0].tool,
      op: g[0].op,
      runs: g.length,
      wall: median(g.map((s) => s.wall)),
      cpu: median(g.map((s) => s.cpu)),
      user: median(g.map((s) => s.user)),
      sys: median(g.map((s) => s.sys)),
      rssKiB: Math.max(...g.map((s) => s.rssKiB)),
      outputBytes: g[0].outputBytes,
      stableOutput: g.every((s) => s.outputBytes === g[0].outputBytes),
      ok: g.every((s) => s.ok !== false),
      walls: g.map((s) => s.wall),
    });
  }
  for (const m of med.values()) {
    const inBytes = m.op === 'signature' ? c.basisBytes : c.newBytes;
    const rd = med.get(key('rdiff', m.op));
    const rdSync = med.get(key('rdiff+fsync', m.op));
    rows.push({
      case: c.name,
      ...m,
      mbps: inBytes / MB / m.wall,
      cpuMbps: inBytes / MB / m.cpu,
      vsRdiff: rd ? m.wall / rd.wall : NaN,
      cpuVsRdiff: rd ? m.cpu / rd.cpu : NaN,
      vsRdiffFsync: rdSync ? m.wall / rdSync.wall : NaN,
    });
  }
  return rows;
}

const HEADER = ['case', 'op', 'tool', 'wall s', 'user+sys s', 'MB/s wall', 'MB/s cpu', 'peak RSS MiB', 'output bytes', 'time/rdiff', 'cpu/rdiff', 'time/(rdiff+fsync)', 'cmp'];

function cells(r) {
  return [
    r.case,
    r.op,
    r.tool,
    fix(r.wall),
    fix(r.cpu),
    fix(r.mbps, 0),
    fix(r.cpuMbps, 0),
    fix(r.rssKiB / 1024, 1),
    String(r.outputBytes),
    r.tool === 'rdiff' ? '1' : fix(r.vsRdiff),
    r.tool === 'rdiff' ? '1' : fix(r.cpuVsRdiff),
    Number.isNaN(r.vsRdiffFsync) ? '-' : fix(r.vsRdiffFsync),
    r.op === 'patch' ? (r.ok ? 'same' : 'DIFFERS') : '',
  ];
}

/**
 * Runs the comparison.
 * @param {{size: number, literalSize: number, scaling: boolean, reps: number, warmup: number, work: string}} o
 */
export async function rdiffCompare(o) {
  requireTools(['rdiff', 'cmp', 'sync']);
  const work = resolve(o.work);
  const dataDir = join(work, 'data');
  const runDir = join(work, 'run');
  mkdirSync(runDir, { recursive: true });
  const log = (s) => process.stderr.write(`${s}\n`);

  const cases = [];
  const editedSizes = [o.size];
  if (o.scaling && o.literalSize < o.size) editedSizes.unshift(o.literalSize);
  for (const size of editedSizes) {
    log(`inputs: edited ${sizeLabel(size)} ...`);
    const f = ensureEditedCase(dataDir, size);
    cases.push({ name: `edited-${sizeLabel(size)}`, ...f });
  }
  log(`inputs: unrelated ${sizeLabel(o.literalSize)} ...`);
  cases.push({ name: `unrelated-${sizeLabel(o.literalSize)}`, ...ensureUnrelatedCase(dataDir, o.literalSize) });
  for (const c of cases) {
    c.basisBytes = statSync(c.basis).size;
    c.newBytes = statSync(c.next).size;
  }

  process.env.CLAWBACK_DIST ??= snapshotDist(join(here, '..'));
  const distIndex = process.env.CLAWBACK_DIST;
  const started = Date.now();
  const all = [];
  const extraChecks = [];
  const load = [loadavg()[0]];
  const startup = [];
  // The CLI's fixed cost: node starting, loading the rdiff command, signing a 1-byte file.
  const tiny = join(runDir, 'one-byte');
  writeFileSync(tiny, 'x');
  for (let i = 0; i < o.reps; i++) startup.push(timed(clawback('signature', [tiny, `${tiny}.sig`], 'native')));
  const fixed = { wall: median(startup.map((s) => s.wall)), cpu: median(startup.map((s) => s.cpu)), rssKiB: median(startup.map((s) => s.rssKiB)) };
  for (const c of cases) {
    preload(c.basis);
    preload(c.next);
    for (let i = 0; i < o.warmup; i++) {
      log(`${c.name}: warm-up ${i + 1}/${o.warmup}`);
      runCase(c, runDir);
    }
    const samples = [];
    for (let i = 0; i < o.reps; i++) {
      log(`${c.name}: run ${i + 1}/${o.reps}`);
      samples.push(...runCase(c, runDir));
    }
    // Our rdiff-compatible signature must be byte-identical to rdiff's.
    const sigSame = sameFile(join(runDir, `${c.name}.rdiff.sig`), join(runDir, `${c.name}.clawback-blake2.sig`));
    extraChecks.push({ case: c.name, check: 'clawback BLAKE2b signature == rdiff signature (cmp)', ok: sigSame });
    all.push(...summarize(c, samples));
    load.push(loadavg()[0]);
  }
  const seconds = (Date.now() - started) / 1000;

  const machine = machineInfo(work);
  const code = codeInfo(join(here, '..'), dirname(distIndex));
  const notes = [
    `code: commit ${code.commit}, ${code.srcFilesChanged} file(s) under src/ differ from it, dist/src hash ${code.distHash}`,
    `clawback fixed cost (\`clawback rdiff signature\` of a 1-byte file): ${fix(fixed.wall)} s wall, ${fix(fixed.cpu)} s CPU, ${fix(fixed.rssKiB / 1024, 1)} MiB RSS (median of ${o.reps})`,
    `1-minute load average before and after each case: ${load.map((x) => x.toFixed(2)).join(', ')} (nproc ${machine.nproc}; other work shared the machine)`,
  ];
  const rows = all.map(cells);
  const text = textTable(HEADER, rows);
  const md = [
    `### rdiff comparison: ${cases.map((c) => `${c.name} (${(c.newBytes / MiB).toFixed(0)} MiB new)`).join(', ')}`,
    '',
    `Command: \`node bench/run.js rdiff --size ${sizeLabel(o.size)} --literal-size ${sizeLabel(o.literalSize)} --reps ${o.reps} --warmup ${o.warmup}\`; medians of ${o.reps} runs after ${o.warmup} warm-up pass(es); inputs read once before each case, so they are in the page cache (${machine.ramGiB} GiB RAM); peak RSS is the max over runs; MB = 10^6 bytes; MB/s wall = input bytes / wall time, MB/s cpu = input bytes / (user+sys) time; ${seconds.toFixed(0)} s in all.`,
    '',
    machineMarkdown(machine),
    '',
    markdownTable(HEADER, rows),
    '',
    ...extraChecks.map((x) => `- ${x.case}: ${x.check}: ${x.ok ? 'yes' : 'NO'}`),
    ...notes.map((n) => `- ${n}`),
    '',
  ].join('\n');
  process.stdout.write(`\n${text}\n\n`);
  for (const x of extraChecks) process.stdout.write(`${x.case}: ${x.check}: ${x.ok ? 'yes' : 'NO'}\n`);
  for (const n of notes) process.stdout.write(`${n}\n`);
  const label = `rdiff-${sizeLabel(o.size)}`;
  writeFileSync(join(work, `${label}.md`), md);
  writeFileSync(join(work, `${label}.json`), JSON.stringify({ options: o, machine, code, fixed, load, seconds, cases, rows: all, extraChecks }, null, 2));
  process.stdout.write(`\nwrote ${join(work, `${label}.md`)} and .json (${seconds.toFixed(0)} s)\n`);
  return { rows: all, extraChecks };
}
