/*
 * `npm run demo` / `clawback demo`: makes a 20 MB agent state in a temp dir,
 * a later version of it, then signature → delta → patch with the engine in
 * both formats, checks every result byte for byte, and cross-checks with the
 * real rdiff when it is on PATH. The demo is a list of steps; add one to grow it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ClawbackError } from '../core/errors.js';
import type { FormatKind } from '../rsync/magic.js';
import { deltaFile, patchFile, signatureFile } from '../rsync/files.js';
import { recommendBlockLen, recommendNativeBlockLen } from '../rsync/signature-params.js';
import { parseCommandArgs, UsageError, type CliContext, type Command } from './command.js';
import { editDatabase, editTranscript, makeDatabase, makeTranscript, PAGE } from './demo-data.js';
import { EXIT } from './exit-codes.js';
import { isEntryPoint, runAsProgram } from './program.js';

/** A file the demo works on: its old and new versions on disk. */
interface DemoFile {
  label: string;
  old: string;
  new: string;
}

/** What the steps share. */
interface DemoState {
  dir: string;
  ctx: CliContext;
  files: DemoFile[];
  /** Path of rdiff, or undefined when it is not on PATH. */
  rdiff: string | undefined;
}

/** One step of the demo: a title and what it does. */
interface DemoStep {
  title: string;
  run(s: DemoState): Promise<void>;
}

const say = (s: DemoState, line = '') => s.ctx.out.text(line);
const kb = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${(n / 1e3).toFixed(1)} KB`);
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const pct = (a: number, b: number) => `${((100 * a) / b).toFixed(2)}%`;

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const v = await fn();
  return [v, performance.now() - t0];
}

async function sameBytes(a: string, b: string): Promise<boolean> {
  const [x, y] = await Promise.all([readFile(a), readFile(b)]);
  return x.equals(y);
}

function mustMatch(ok: boolean, what: string): void {
  if (!ok) throw new ClawbackError('INTEGRITY', `demo check failed: ${what}`);
}

/** The rdiff on PATH and its version line, or undefined. */
function findRdiff(): { path: string; version: string } | undefined {
  const r = spawnSync('rdiff', ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return undefined;
  return { path: 'rdiff', version: (r.stdout.split('\n')[0] ?? 'rdiff').trim() };
}

function rdiff(s: DemoState, args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(s.rdiff!, args, { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new ClawbackError('IO', `rdiff ${args.join(' ')} failed: ${r.error?.message ?? r.stderr.trim()}`);
  return performance.now() - t0;
}

const makeState: DemoStep = {
  title: 'Made an agent state (seeded: the same bytes on every run)',
  async run(s) {
    const t = makeTranscript(1, 8_000_000);
    const pages = 3_000;
    const db = makeDatabase(2, pages);
    const files: [DemoFile, Uint8Array, string][] = [
      [{ label: 'transcript', old: join(s.dir, 'session.jsonl'), new: join(s.dir, 'session.later.jsonl') }, t.data, `JSONL session transcript, ${t.turns} turns`],
      [{ label: 'memory db', old: join(s.dir, 'memory.sqlite'), new: join(s.dir, 'memory.later.sqlite') }, db, `SQLite-like, ${pages} pages of notes and embeddings`],
    ];
    for (const [f, data, what] of files) {
      await writeFile(f.old, data);
      s.files.push(f);
      say(s, `     ${f.old.slice(s.dir.length + 1).padEnd(22)} ${kb(data.length).padStart(8)}  ${what}`);
    }
    const later = [editTranscript(t.data, t.turns, 3, 200), editDatabase(db, 4, 60, 100)];
    for (const [i, f] of s.files.entries()) await writeFile(f.new, later[i]!);
    say(s, `   and a day later: 200 turns appended and 1 line rewritten in the transcript;`);
    say(s, `   60 pages rewritten and 100 appended (${kb(100 * PAGE)}) in the database.`);
  },
};

function roundTrip(format: FormatKind): DemoStep {
  return {
    title: format === 'librsync' ? 'librsync format (what rdiff reads and writes): signature, delta, patch' : 'native format (XXH64 sums, SHA-256-verified deltas): signature, delta, patch',
    async run(s) {
      for (const f of s.files) {
        const sig = `${f.old}.${format}.sig`;
        const delta = `${f.new}.${format}.delta`;
        const out = `${f.new}.${format}.patched`;
        const [params, tSig] = await timed(() => signatureFile(f.old, sig, { format, signal: s.ctx.signal }));
        const [stats, tDelta] = await timed(() => deltaFile(sig, f.new, delta, { signal: s.ctx.signal }));
        const [, tPatch] = await timed(() => patchFile(f.old, delta, out, { signal: s.ctx.signal }));
        const same = await sameBytes(out, f.new);
        mustMatch(same, `${format} patch of the ${f.label} differs from its new version`);
        const sigSize = (await stat(sig)).size;
        say(s, `     ${f.label.padEnd(11)} signature ${kb(sigSize).padStart(8)} (${params.blockLen}-byte blocks) in ${secs(tSig)}; delta ${kb(stats.deltaLength).padStart(8)} = ${pct(stats.deltaLength, stats.newLength).padStart(6)} of the ${kb(stats.newLength)} new file, in ${secs(tDelta)}`);
        say(s, `     ${''.padEnd(11)} ${stats.copyCommands} copies (${kb(stats.copyBytes)}), ${stats.literalCommands} literals (${kb(stats.literalBytes)}); patch ${secs(tPatch)}: byte-identical to the new file`);
      }
    },
  };
}

const crossCheck: DemoStep = {
  title: "cross-check with librsync's rdiff",
  async run(s) {
    if (!s.rdiff) {
      say(s, '     rdiff is not on PATH, so this step was skipped (Debian/Ubuntu: apt install rdiff).');
      return;
    }
    for (const f of s.files) {
      const ours = `${f.old}.librsync.sig`;
      const theirs = `${f.old}.rdiff.sig`;
      const tSig = rdiff(s, ['signature', f.old, theirs]);
      mustMatch(await sameBytes(ours, theirs), `rdiff's signature of the ${f.label} differs from ours`);
      const byRdiff = `${f.new}.by-rdiff`;
      const tPatch = rdiff(s, ['patch', f.old, `${f.new}.librsync.delta`, byRdiff]);
      mustMatch(await sameBytes(byRdiff, f.new), `rdiff patch with our delta of the ${f.label} gave different bytes`);
      const rdDelta = `${f.new}.rdiff.delta`;
      const tDelta = rdiff(s, ['delta', theirs, f.new, rdDelta]);
      const byUs = `${f.new}.rdiff.patched`;
      await patchFile(f.old, rdDelta, byUs, { signal: s.ctx.signal });
      mustMatch(await sameBytes(byUs, f.new), `our patch with rdiff's delta of the ${f.label} gave different bytes`);
      const rdSize = (await stat(rdDelta)).size;
      const ourSize = (await stat(`${f.new}.librsync.delta`)).size;
      say(s, `     ${f.label.padEnd(11)} rdiff's signature is byte-identical to ours; rdiff applied our delta and we applied rdiff's: both exact`);
      say(s, `     ${''.padEnd(11)} rdiff took ${secs(tSig)} (signature), ${secs(tDelta)} (delta), ${secs(tPatch)} (patch); its delta is ${kb(rdSize)}, ours ${kb(ourSize)}`);
    }
  },
};

/** The demo, in order. Later milestones (backup, rollback) add steps here. */
const blockNote: DemoStep = {
  title: 'why the native delta of the database is smaller',
  async run(s) {
    const db = s.files.find((f) => f.label === 'memory db')!;
    const size = (await stat(db.old)).size;
    const rs = recommendBlockLen(size);
    const native = recommendNativeBlockLen(size);
    say(s, `     librsync's block length is sqrt(size) rounded down to 128 bytes: ${rs} here, which does not divide`);
    say(s, `     the ${PAGE}-byte pages, so a changed page also spoils the blocks it straddles. The native format`);
    say(s, `     rounds to a power of two (${native} here), so its blocks line up with the pages.`);
  },
};

const STEPS: readonly DemoStep[] = [makeState, roundTrip('librsync'), roundTrip('native'), blockNote, crossCheck];

/**
 * Runs the demo in a fresh temp dir (removed afterwards unless `keep`).
 * @throws ClawbackError INTEGRITY when a check fails; IO when rdiff fails
 * @example await runDemo(ctx);
 */
export async function runDemo(ctx: CliContext, keep = false): Promise<void> {
  const t0 = performance.now();
  const dir = await mkdtemp(join(tmpdir(), 'clawback-demo-'));
  const found = findRdiff();
  const s: DemoState = { dir, ctx, files: [], rdiff: found?.path };
  say(s, 'clawback demo: the rsync engine on a made-up OpenClaw agent state');
  say(s, `   working in ${dir} (${keep ? 'kept' : 'removed'} at the end); ${found ? `found ${found.version}` : 'rdiff not found'}`);
  try {
    for (const [i, step] of STEPS.entries()) {
      say(s);
      say(s, `${i + 1}. ${step.title}`);
      await step.run(s);
    }
  } finally {
    if (!keep) await rm(dir, { recursive: true, force: true });
  }
  say(s);
  say(s, `Done in ${secs(performance.now() - t0)}: every output above was checked byte for byte.`);
  ctx.out.event({ command: 'demo', ok: true, rdiff: found?.version ?? null, seconds: (performance.now() - t0) / 1000 });
}

const HELP = `Usage: clawback demo [--keep]

Make a 20 MB agent state (a JSONL transcript and a SQLite-like database) and a
later version of it in a temp dir, run signature, delta and patch in both
formats, check the results byte for byte, and cross-check with rdiff if it is
on PATH.

      --keep      keep the temp dir and print where it is
      --json      print only a final JSON result line`;

/** `clawback demo`. */
export const demoCommand: Command = {
  async run(args: string[], ctx: CliContext): Promise<number> {
    const { values, positionals } = parseCommandArgs(args, { keep: { type: 'boolean' } }, 'demo');
    if (values.help) {
      ctx.io.stdout.write(HELP + '\n');
      return EXIT.OK;
    }
    if (positionals.length > 0) throw new UsageError(`demo takes no arguments, got "${positionals[0]}"`, "run 'clawback demo --help'");
    await runDemo(ctx, values.keep ?? false);
    return EXIT.OK;
  },
};

if (isEntryPoint(import.meta.url)) {
  const { main } = await import('./main.js');
  void runAsProgram((argv, io) => main(['demo', ...argv], io));
}
