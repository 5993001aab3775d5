/*
 * Renders the snapshot-store comparison as a terminal text report and as
 * markdown for docs/benchmarks: medians per job and tool, ratios of clawback to
 * restic and borg, repository sizes against the really-changed bytes, the restore
 * checks, the issue's targets marked met or missed, and the profile summary.
 */
import { machineMarkdown } from './machine.mjs';
import { fix, markdownTable, median, textTable } from './measure.mjs';

const JOBS = ['initial', 'incremental', 'unchanged', 'restore', 'check'];
const JOB_LABEL = { initial: 'initial backup', incremental: 'incremental backup', unchanged: 'unchanged re-run', restore: 'restore (latest, empty dir)', check: 'check --read-data' };
const MB = (b) => fix(b / 1e6, 1);
const med = (samples, key) => median(samples.map((s) => s[key]));

/** Median figures per job and tool. */
export function medians(results) {
  const out = {};
  for (const job of JOBS) {
    for (const [tool, samples] of Object.entries(results.jobs[job] ?? {})) {
      (out[job] ??= {})[tool] = { wall: med(samples, 'wall'), cpu: med(samples, 'cpu'), rssKiB: med(samples, 'rssKiB'), load1: med(samples, 'load1'), n: samples.length, walls: samples.map((s) => s.wall) };
    }
  }
  return out;
}

function tables(results) {
  const m = medians(results);
  const tools = Object.keys(results.versions);
  const jobRows = [];
  const ratioRows = [];
  for (const job of JOBS) {
    for (const t of tools) {
      const x = m[job]?.[t];
      if (x) jobRows.push([JOB_LABEL[job], t, fix(x.wall), x.walls.map((w) => fix(w)).join(' '), fix(x.cpu), fix(x.rssKiB / 1024, 0), fix(x.load1)]);
    }
    const c = m[job]?.clawback;
    const r = (peer, k) => (c && m[job]?.[peer] ? fix(c[k] / m[job][peer][k]) : '-');
    ratioRows.push([JOB_LABEL[job], r('restic', 'wall'), r('borg', 'wall'), r('restic', 'cpu'), r('borg', 'cpu'), r('restic', 'rssKiB'), r('borg', 'rssKiB')]);
  }
  const ch = results.changed.content;
  const sizeRows = tools.map((t) => {
    const s = results.sizes[t];
    return [t, MB(s.initial), fix(s.initial / results.fixture.bytes), MB(s.growth), fix(s.growth / ch.raw), fix(s.growth / ch.deflatePerFile), fix(s.growth / ch.deflateStream)];
  });
  const verifyRows = tools.map((t) => {
    const v = results.verify[t];
    return [t, v.ok ? 'identical' : 'DIFFERENT', v.files, v.symlinks, v.dirs, `${v.missing.length}/${v.extra.length}/${v.differ.length}`, v.metaDiffer, v.special.join('; ') || '-'];
  });
  return { m, jobRows, ratioRows, sizeRows, verifyRows };
}

function targets(results, m) {
  const c = (job) => m[job]?.clawback;
  const r = (job) => m[job]?.restic;
  const s = results.sizes;
  const ch = results.changed.content;
  const unch = results.jobs.unchanged?.clawback ?? [];
  const inproc = median(unch.map((x) => x.backupMs));
  const parts = `import ${fix(median(unch.map((x) => x.loadedMs)) / 1000)} s, index load ${fix(median(unch.map((x) => x.openMs ?? NaN)) / 1000)} s, backup() ${fix(inproc / 1000)} s`;
  const rows = [
    ['initial backup <= 0.8x restic wall', `${fix(c('initial').wall / r('initial').wall)}x`, c('initial').wall <= 0.8 * r('initial').wall],
    ['incremental backup <= 0.5x restic wall', `${fix(c('incremental').wall / r('incremental').wall)}x`, c('incremental').wall <= 0.5 * r('incremental').wall],
    [`unchanged tree (${results.verify.clawback?.files ?? results.fixture.files} files) < 0.3 s`, `${fix(c('unchanged').wall)} s whole process (${parts})`, c('unchanged').wall < 0.3],
    ['restore no slower than restic', `${fix(c('restore').wall / r('restore').wall)}x`, c('restore').wall <= r('restore').wall],
    ['growth <= 1.1x changed bytes compressed (per file)', `${fix(s.clawback.growth / ch.deflatePerFile)}x (one stream: ${fix(s.clawback.growth / ch.deflateStream)}x)`, s.clawback.growth <= 1.1 * ch.deflatePerFile],
    ['initial repository no larger than restic', `${fix(s.clawback.initial / s.restic.initial)}x`, s.clawback.initial <= s.restic.initial],
    rssTarget(results, m),
  ];
  return rows.map(([what, fig, ok]) => [what, fig, ok === undefined ? 'see text' : ok ? 'met' : 'MISSED']);
}

/** Peak RSS is bounded by the index when the big-file run (one file far larger than any in the fixture) needs no more than the fixture run. */
function rssTarget(results, m) {
  const fixtureMax = Math.max(...['initial', 'restore'].map((j) => m[j]?.clawback?.rssKiB ?? 0));
  const big = results.bigFile?.clawback;
  const fig = `fixture (largest file ${MB(results.fixture.largeFileBytes)} MB, index ${MB(results.sizes.clawback.indexBytes ?? NaN)} MB): ${fix(fixtureMax / 1024, 0)} MiB`;
  if (!big) return ['peak RSS bounded by the index', `${fig}; no --big-file run`, undefined];
  const bigMax = Math.max(big.backup.rssKiB, big.restore.rssKiB);
  return ['peak RSS bounded by the index', `${fig}; one ${MB(results.bigFile.bytes)} MB file: ${fix(bigMax / 1024, 0)} MiB`, bigMax <= 1.2 * fixtureMax];
}

function bigFileRows(b) {
  return Object.keys(b)
    .filter((k) => k !== 'bytes')
    .map((t) => [t, fix(b[t].backup.wall), fix(b[t].backup.rssKiB / 1024, 0), fix(b[t].restore.wall), fix(b[t].restore.rssKiB / 1024, 0), b[t].identical ? 'identical' : 'DIFFERENT']);
}

function profileLines(p, md) {
  if (!p) return [];
  const out = [];
  for (const [name, run] of Object.entries(p)) {
    out.push('', `${md ? '#### ' : ''}profile: ${name} (wall ${fix(run.wall)} s, CPU ${fix(run.cpu)} s, in-process ${fix(run.job.ms / 1000)} s)`);
    for (const th of run.threads) {
      out.push('', `${th.file}: ${fix(th.totalMs / 1000)} s sampled`);
      const rows = th.top.slice(0, 15).map((r) => [fix(r.selfMs, 0), fix(r.selfPct, 1), fix(r.totalPct, 1), r.fn.replaceAll('|', '\\|')]);
      out.push(md ? markdownTable(['self ms', 'self %', 'total %', 'function'], rows) : textTable(['self ms', 'self %', 'total %', 'function'], rows));
      const f = th.byFile.map((r) => [fix(r.selfMs, 0), fix(r.selfPct, 1), r.file]);
      out.push('', md ? markdownTable(['self ms', 'self %', 'file'], f) : textTable(['self ms', 'self %', 'file'], f));
      const inc = (th.inclusive ?? []).map((r) => [fix(r.totalMs, 0), fix(r.totalPct, 1), r.fn.replaceAll('|', '\\|')]);
      if (inc.length > 0) out.push('', md ? markdownTable(['incl. ms', 'incl. %', 'our function (inclusive)'], inc) : textTable(['incl. ms', 'incl. %', 'our function (inclusive)'], inc));
    }
  }
  return out;
}

/** The report as `{ text, markdown }`. */
export function renderReport(results) {
  if (!results.jobs || Object.keys(results.jobs).length === 0) {
    const text = profileLines(results.profile, false).join('\n');
    return { text, markdown: ['### clawback profile', '', ...profileLines(results.profile, true), ''].join('\n') };
  }
  const { m, jobRows, ratioRows, sizeRows, verifyRows } = tables(results);
  const ch = results.changed.content;
  const f = results.fixture;
  const o = results.options;
  const head = [
    `fixture: ${o.fixture} profile, scale ${o.scale}, seed ${o.seed}: ${f.files} files, ${f.dirs} dirs, ${f.symlinks} symlinks, ${f.fifos} FIFO, ${MB(f.bytes)} MB (largest file ${MB(f.largeFileBytes)} MB); median of ${o.repeat}`,
    `mutation: really changed ${MB(ch.raw)} MB in ${ch.files} files (fixture figure ${MB(results.changed.summary.changed)} MB); deflate-3 per file ${MB(ch.deflatePerFile)} MB, as one stream ${MB(ch.deflateStream)} MB; appended ${MB(results.changed.summary.appended)} MB`,
    `versions: ${Object.values(results.versions).join('; ')}; code ${results.code.commit}${results.code.srcFilesChanged ? ` + ${results.code.srcFilesChanged} changed src files` : ''}, dist ${results.code.distHash}`,
    `load averages (1, 5, 15 min): ${Object.entries(results.loads).map(([k, v]) => `${k} ${v.join(' ')}`).join('; ')}`,
  ];
  const jh = ['job', 'tool', 'wall s', 'walls', 'CPU s', 'peak RSS MiB', 'load1'];
  const rh = ['job', 'wall cb/restic', 'wall cb/borg', 'CPU cb/restic', 'CPU cb/borg', 'RSS cb/restic', 'RSS cb/borg'];
  const sh = ['tool', 'initial repo MB', 'repo/source', 'growth MB', 'growth/changed raw', 'growth/changed deflate per file', 'growth/changed deflate stream'];
  const vh = ['tool', 'restore', 'files', 'symlinks', 'dirs', 'missing/extra/differ', 'mode/mtime diffs', 'special files'];
  const th = ['target (issue 3)', 'figure', 'verdict'];
  const bh = ['tool', 'backup wall s', 'backup RSS MiB', 'restore wall s', 'restore RSS MiB', 'restore'];
  const big = results.bigFile ? bigFileRows(results.bigFile) : undefined;
  const bigTitle = results.bigFile ? `one incompressible file of ${MB(results.bigFile.bytes)} MB, fresh repository, one run:` : '';
  const tg = targets(results, m);
  const text = [
    ...head,
    '',
    textTable(jh, jobRows),
    '',
    textTable(rh, ratioRows),
    '',
    textTable(sh, sizeRows),
    '',
    textTable(vh, verifyRows),
    ...(big ? ['', bigTitle, textTable(bh, big)] : []),
    '',
    textTable(th, tg),
    ...profileLines(results.profile, false),
  ].join('\n');
  const markdown = [
    `### Snapshot store vs restic and borg (${results.machine.date.slice(0, 10)})`,
    '',
    machineMarkdown(results.machine),
    ...head.map((h) => `- ${h}`),
    ...results.notes.map((n) => `- ${n}`),
    '',
    markdownTable(jh, jobRows),
    '',
    markdownTable(rh, ratioRows),
    '',
    markdownTable(sh, sizeRows),
    '',
    markdownTable(vh, verifyRows),
    ...(big ? ['', bigTitle, '', markdownTable(bh, big)] : []),
    '',
    markdownTable(th, tg),
    ...profileLines(results.profile, true),
    '',
  ].join('\n');
  return { text, markdown };
}
