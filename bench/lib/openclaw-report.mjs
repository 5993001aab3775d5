/*
 * The OpenClaw benchmark's report: medians per tool and step (wall, CPU, peak
 * RSS, with the spread and the load beside them), restic's rollback
 * equivalents as sums per repetition, the verdicts against issue 4's targets,
 * the checks of every result, clawback's phases and its CPU profiles.
 */
import { machineMarkdown } from './machine.mjs';
import { fix, markdownTable, median, textTable } from './measure.mjs';

/** Issue 4's targets, on clawback's median wall time. */
export const TARGETS = { incremental: 1, rollback: 2 };

/** The rows of the main table: [label, tool, steps summed per repetition]. */
const ROWS = [
  ['initial backup (not a target)', 'clawback', ['initial']],
  ['initial backup (not a target)', 'restic', ['initial']],
  ['incremental backup (target < 1 s)', 'clawback', ['incremental']],
  ['incremental backup (target < 1 s)', 'restic', ['incremental']],
  ['rollback to A (target < 2 s): `clawback rollback`', 'clawback', ['rollback']],
  ['restic (a): `restore` into an empty dir', 'restic', ['restore']],
  ['restic (b): (a) + `rsync -a --delete` into the live dir', 'restic', ['restore', 'sync']],
  ["restic (b'): (a) + `rsync -a --delete --checksum`", 'restic', ['restore', 'sync-c']],
  ["restic (c): safety `backup` + (b')", 'restic', ['safety', 'restore', 'sync-c']],
];

/** Per repetition, the sum of `steps` for `tool`: [{wall, cpu, rssKiB, load1}], one per repetition that has all of them. */
export function perRep(results, tool, steps) {
  const reps = new Map();
  for (const s of results.samples) {
    if (s.tool !== tool || !steps.includes(s.step)) continue;
    const r = reps.get(s.rep) ?? { wall: 0, cpu: 0, rssKiB: 0, load1: 0, n: 0 };
    r.wall += s.wall;
    r.cpu += s.cpu;
    r.rssKiB = Math.max(r.rssKiB, s.rssKiB);
    r.load1 = Math.max(r.load1, s.load1);
    r.n++;
    reps.set(s.rep, r);
  }
  return [...reps.values()].filter((r) => r.n === steps.length);
}

/** Median and spread of a list of per-repetition figures. */
export function stats(rows) {
  const pick = (k) => rows.map((r) => r[k]);
  return {
    n: rows.length,
    wall: median(pick('wall')),
    wallMin: Math.min(...pick('wall')),
    wallMax: Math.max(...pick('wall')),
    cpu: median(pick('cpu')),
    rssMiB: Math.max(...pick('rssKiB')) / 1024,
    loadMin: Math.min(...pick('load1')),
    loadMax: Math.max(...pick('load1')),
  };
}

/** The verdicts on clawback's medians. */
export function verdicts(results) {
  const out = {};
  for (const [step, limit] of Object.entries(TARGETS)) {
    const s = stats(perRep(results, 'clawback', [step]));
    out[step] = { limit, median: s.wall, met: s.wall < limit, marginSec: +(limit - s.wall).toFixed(2), ratio: +(s.wall / limit).toFixed(2) };
  }
  return out;
}

function mainTable(results) {
  const inc = stats(perRep(results, 'clawback', ['incremental']));
  const rb = stats(perRep(results, 'clawback', ['rollback']));
  const ref = { incremental: inc.wall, rollback: rb.wall, initial: stats(perRep(results, 'clawback', ['initial'])).wall };
  return ROWS.map(([label, tool, steps]) => {
    const s = stats(perRep(results, tool, steps));
    const base = steps[0] === 'initial' ? ref.initial : steps[0] === 'incremental' ? ref.incremental : ref.rollback;
    return [label, tool, `${fix(s.wall)} (${fix(s.wallMin)}–${fix(s.wallMax)})`, fix(s.cpu), fix(s.rssMiB, 0), tool === 'clawback' ? '1' : fix(s.wall / base), `${fix(s.loadMin, 1)}–${fix(s.loadMax, 1)}`];
  });
}

function verdictLines(results) {
  const v = verdicts(results);
  const say = (name, x) => `- ${name}: median ${fix(x.median)} s against < ${x.limit} s: **${x.met ? 'met' : 'not met'}** (${x.met ? `${fix(x.marginSec)} s to spare` : `${fix(-x.marginSec)} s over, ${fix(x.ratio)}x the target`}).`;
  return [say('incremental backup', v.incremental), say('rollback', v.rollback)];
}

/** Repository size after the initial backup and its growth by the incremental one (medians, MB). */
function sizeLine(results) {
  const med = (tool, step, k) => median(results.samples.filter((x) => x.tool === tool && x.step === step).map((x) => x[k]));
  const one = (tool) => `${tool} ${fix(med(tool, 'initial', 'repoBytes') / 1e6, 1)} MB after the initial backup, +${fix(med(tool, 'incremental', 'growthBytes') / 1e6, 1)} MB from the incremental`;
  return `Repository (du -sb, medians): ${one('clawback')}; ${one('restic')}.`;
}

function verifyLines(results) {
  return results.verify.map((v) => `- rep ${v.rep} ${v.what}: ${v.ok ? 'identical to A' : '**DIFFERENT from A**'} (${v.files} files, ${v.symlinks} symlinks, ${v.dirs} dirs; missing ${v.counts.missing}, extra ${v.counts.extra}, differ ${v.counts.differ}${v.counts.differ ? `: ${v.differ.join(', ')}` : ''}; mode/mtime differences ${v.counts.metaDiffer}; volatile entries left out ${v.volatile.length}; special: ${v.special.join(', ') || 'none'})`);
}

function breakdownLines(b) {
  if (!b) return [];
  const r = b.rollback;
  const i = b.incremental;
  const ms = (x) => (x === undefined ? '-' : `${x} ms`);
  return [
    '',
    `**Where clawback's time goes** (a separate run with \`--json\`, stdout lines timestamped on arrival; load ${fix(b.load1, 1)}):`,
    '',
    markdownTable(
      ['process', 'wall', 'phases'],
      [
        ['incremental backup', ms(i.wallMs), `\`backup()\` ${ms(i.backupMs)}; before it (node start, module load, settings, scope, repository open) ${ms(i.outsideBackupMs)}; after the summary (exit) ${ms(i.exitMs)}`],
        ['rollback', ms(r.wallMs), `start to the gateway step (node start, module load, settings, scope, repository open) ${ms(r.startupMs)}; gateway check + lock + index refresh + snapshot selection + restore plan ${ms(r.gatewayAndSelectMs)}; **safety snapshot ${ms(r.safetySnapshotMs)}**; **in-place restore ${ms(r.restoreMs)}** (its own durationMs ${ms(r.restoreInProcessMs)}); -shm cleanup ${ms(r.cleanupMs)}; exit ${ms(r.exitMs)}; \`rollback()\` in all ${ms(r.inProcessMs)}`],
      ],
    ),
    '',
    `Incremental backup: ${i.summary.filesNew} new, ${i.summary.filesChanged} changed, ${i.summary.filesUnchanged} unchanged files of ${i.summary.totalFiles}; ${fix(i.summary.bytesRead / 1e6, 1)} MB read, ${fix(i.summary.bytesAdded / 1e6, 1)} MB added (${fix(i.summary.bytesStored / 1e6, 1)} MB stored).`,
    r.restored ? `Rollback: ${r.restored.filesWritten} files written, ${r.restored.filesUnchanged} unchanged, ${r.restored.deleted} deleted; ${fix(r.restored.bytesWritten / 1e6, 1)} MB written (${fix(r.restored.bytesReused / 1e6, 1)} MB reused in place, ${fix(r.restored.bytesFetched / 1e6, 1)} MB fetched from the repository, ${fix(r.restored.bytesCompared / 1e6, 1)} MB compared); ${r.removedShm} stale -shm removed; gateway: ${r.gateway?.running ? `RUNNING (${r.gateway.evidence.join('; ')})` : `not running (port ${r.gateway?.port})`}.` : '',
  ];
}

function profileLines(p) {
  if (!p) return [];
  const out = ['', '**CPU profiles** (`node --cpu-prof`, one run each, main thread; self time):', ''];
  for (const [name, run] of Object.entries(p)) {
    const main = run.threads[0];
    if (!main) continue;
    out.push(`${name}: wall ${fix(run.wall)} s, CPU ${fix(run.cpu)} s, profile ${main.totalMs} ms${run.threads.length > 1 ? ` (${run.threads.length} threads profiled)` : ''}`, '');
    out.push(markdownTable(['function', 'self ms', 'self %', 'total %'], main.top.slice(0, 12).map((r) => [`\`${r.fn}\``, fix(r.selfMs, 0), fix(r.selfPct, 1), fix(r.totalPct, 1)])));
    out.push('', `By file (self): ${main.byFile.slice(0, 8).map((f) => `${f.file} ${f.selfPct}%`).join(', ')}`, '');
    out.push(`Inclusive (our functions): ${main.inclusive.slice(0, 10).map((f) => `\`${f.fn}\` ${f.totalPct}%`).join(', ')}`, '');
    for (const th of run.threads.slice(1)) out.push(`Other thread ${th.file}: ${th.totalMs} ms; top self: ${th.top.slice(0, 5).map((r) => `\`${r.fn}\` ${fix(r.selfMs, 0)} ms`).join(', ')}`, '');
  }
  return out;
}

/** Text for the terminal and markdown for the docs. */
export function renderReport(results) {
  const head = ['step', 'tool', 'wall s median (min–max)', 'CPU s', 'peak RSS MiB', 'wall / clawback', 'load 1m'];
  const rows = results.samples.length > 0 ? mainTable(results) : [];
  const o = results.options;
  const f = results.fixture;
  const m = results.mutation;
  const c = results.code;
  const md = [
    `OpenClaw state, fixture \`${o.fixture}\` scale ${o.scale} seed ${o.seed}: ${f.files} files, ${f.dirs} dirs, ${f.symlinks} symlinks, ${f.fifos} FIFO, ${fix(f.bytes / 1e6, 1)} MB.`,
    m ? `Day of changes (mutateState, seed ${o.seed}): ${m.files.added} added, ${m.files.modified} modified, ${m.files.deleted} deleted, ${m.files.renamed} renamed, ${m.files.appended} appended, ${m.files.metaOnly} metadata only; ${fix(m.bytes.changed / 1e6, 1)} MB changed.` : '',
    `${o.repeat} repetitions, medians; tools in rotating order. Code: build ${c.build}; the tree at commit ${c.commit} had ${c.uncommitted.length} uncommitted changes (${c.srcFilesChanged} under src/); measured dist/src hash ${c.distHash}. ${results.versions.clawback}; ${results.versions.restic}.`,
    `Gateway: ${results.gateway.listening ? `**something listens on port ${results.gateway.port}**` : `nothing listens on port ${results.gateway.port}`} (\`ss -ltn\`).`,
    '',
    markdownTable(head, rows),
    '',
    ...(rows.length > 0 ? verdictLines(results) : []),
    ...(rows.length > 0 ? ['', sizeLine(results)] : []),
    '',
    'Checks (fixture A against the live state dir after each rollback):',
    '',
    ...verifyLines(results),
    ...breakdownLines(results.breakdown),
    ...profileLines(results.profile),
    '',
    'Load averages (1, 5, 15 min) at each phase: ' + Object.entries(results.loads).map(([k, v]) => `${k} ${v.join('/')}`).join('; '),
    '',
    machineMarkdown(results.machine),
  ].join('\n');
  const text = [textTable(head, rows), '', ...(rows.length > 0 ? verdictLines(results) : []), ...verifyLines(results)].join('\n');
  return { text, markdown: md };
}
