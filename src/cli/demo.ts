/*
 * `npm run demo` / `clawback demo`: builds a realistic OpenClaw home in a temp
 * dir, backs it up, changes it as a day of agent use does, backs up again,
 * breaks it, rolls it back in place and verifies the result byte for byte,
 * then checks the rsync engine underneath against librsync's rdiff. Each step
 * says what it did, with figures; a failed check stops it with one line.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseCommandArgs, UsageError, type CliContext, type Command } from './command.js';
import { buildHome, dayOfChanges, firstBackup, secondBackup } from './demo-backup.js';
import { DEMO_SCALE, DEMO_SEED, findRdiff, say, secs, type DemoState, type DemoStep } from './demo-context.js';
import { engineCheck } from './demo-rdiff.js';
import { breakHome, rollBack, verify } from './demo-rollback.js';
import { removeTree } from './demo-tree.js';
import { EXIT } from './exit-codes.js';
import { shortId } from './format.js';
import { isEntryPoint, runAsProgram } from './program.js';

/** The demo, in order. */
const STEPS: readonly DemoStep[] = [buildHome, firstBackup, dayOfChanges, secondBackup, breakHome, rollBack, verify, engineCheck];

/**
 * Runs the demo in a fresh temp dir (removed afterwards unless `keep`).
 * @throws HintedError INTEGRITY when a check fails; ClawbackError IO when rdiff fails; errors of the store when a backup or restore fails
 * @example await runDemo(ctx);
 */
export async function runDemo(ctx: CliContext, keep = false): Promise<void> {
  const t0 = performance.now();
  const dir = await mkdtemp(join(tmpdir(), 'clawback-demo-'));
  const s: DemoState = {
    ctx,
    dir,
    state: join(dir, 'home', '.openclaw'),
    repoDir: join(dir, 'repo'),
    rdiff: findRdiff(),
    repo: undefined,
    scope: undefined,
    generated: undefined,
    initialSizes: new Map(),
    first: undefined,
    day: undefined,
    second: undefined,
    reference: undefined,
    damage: undefined,
    verified: 0,
  };
  say(s, 'clawback demo: back up an OpenClaw home, change it, break it, roll it back, and prove it');
  say(s, `   working in ${dir} (${keep ? 'kept' : 'removed'} at the end); ${s.rdiff ? `found ${s.rdiff.version}` : 'rdiff not found'}`);
  try {
    for (const [i, step] of STEPS.entries()) {
      say(s);
      say(s, `${i + 1}. ${step.title}`);
      await step.run(s);
    }
  } finally {
    if (!keep) await removeTree(dir);
  }
  const seconds = (performance.now() - t0) / 1000;
  say(s);
  say(s, `Done in ${secs(seconds * 1000)}: every check above passed.`);
  ctx.out.event({
    command: 'demo',
    ok: true,
    seed: DEMO_SEED,
    scale: DEMO_SCALE,
    files: s.generated?.files ?? 0,
    bytes: s.generated?.bytes ?? 0,
    snapshots: [s.first?.id, s.second?.id].filter((id) => id !== undefined).map(shortId),
    verified: s.verified,
    rdiff: s.rdiff?.version ?? null,
    seconds,
  });
}

const HELP = `Usage: clawback demo [--keep]

Build a realistic OpenClaw home (about 23 MB, 560 files, seeded) in a temp dir,
back it up into a new repository, apply a day of agent activity, back up again,
break the home (a botched config edit, a deleted transcript, a damaged
database), roll it back in place to the second snapshot and verify it byte for
byte, check the repository, and cross-check the rsync engine with rdiff if it
is on PATH. Exits 0 when every check passes, 4 when one fails.

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
