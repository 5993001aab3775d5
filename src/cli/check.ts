/*
 * `clawback check [--read-data]`: verify the repository's structure (index
 * files, pack headers, snapshots, trees) and with --read-data re-hash every
 * pack and blob. Every problem is printed naming the object; any problem
 * makes the exit status 4 (INTEGRITY).
 */
import { check } from '../store/check.js';
import { HintedError, parseCommandArgs, UsageError, type CliContext, type Command } from './command.js';
import { describeFailure, failureLine } from './error-report.js';
import { EXIT } from './exit-codes.js';
import { formatBytes, plural } from './format.js';
import { Progress } from './progress.js';
import { REPO_HELP, REPO_OPTIONS, repoArgs, withRepository } from './repo-arg.js';

const OPTIONS = {
  ...REPO_OPTIONS,
  'read-data': { type: 'boolean' },
} as const;

const HELP = `Usage: clawback check [OPTIONS]

Check the repository: every index file hashes to its name, every indexed pack
exists and its header agrees with the index, every snapshot loads and every
tree and blob it needs is indexed. Each problem is printed on stderr as
'error: <object>: <what is wrong>', where <object> is data/<pack id>,
blob/<blob id>, index/<id>, snapshots/<id> or tree/<id>.

      --read-data         also read every pack and re-hash every blob in it
${REPO_HELP}

Exit status: 0 no errors; 4 errors were found (the repository is damaged);
5 the repository is missing or unreadable; 7 locked.`;

/** `clawback check`. */
export const checkCommand: Command = {
  async run(args: string[], ctx: CliContext): Promise<number> {
    const { values, positionals } = parseCommandArgs(args, OPTIONS, 'check');
    if (values.help) {
      ctx.io.stdout.write(HELP + '\n');
      return EXIT.OK;
    }
    const r = repoArgs(values, ctx, 'check');
    if (positionals.length > 0) throw new UsageError(`check takes no arguments, got "${positionals[0]}"`, "run 'clawback check --help'");
    const readData = values['read-data'] ?? false;
    const progress = new Progress(ctx, 'check', { quiet: r.quiet });
    const res = await withRepository(r, ctx, 'shared', (repo) =>
      check(repo, {
        readData,
        onProgress: (e) => progress.update({ ...e }, () => `checking ${e.phase}: ${e.done + 1} of ${e.total}`, e.done === 0),
        signal: ctx.signal,
        noLock: true,
      }),
    );
    progress.done();
    for (const e of res.errors) {
      ctx.out.note(`error: ${e.object}: ${e.message}`);
      ctx.out.event({ type: 'error', command: 'check', object: e.object, message: e.message });
    }
    if (!r.quiet) {
      ctx.out.text(
        `checked ${plural(res.snapshots, 'snapshot')}, ${plural(res.trees, 'tree')}, ${plural(res.packs, 'pack')}, ${plural(res.blobs, 'blob')}${readData ? `, ${formatBytes(res.bytesRead)} read` : ''}`,
      );
      if (res.unindexedPacks.length > 0) ctx.out.text(`${plural(res.unindexedPacks.length, 'pack')} not referenced by any index (left by an interrupted backup; 'clawback prune' removes them)`);
      if (res.ok) ctx.out.text('no errors were found');
    }
    ctx.out.event({ type: 'summary', command: 'check', ...res, readData });
    if (res.ok) return EXIT.OK;
    const failure = describeFailure(
      new HintedError('INTEGRITY', `check found ${plural(res.errors.length, 'error')} in the repository`, 'restore what you can; see the errors above for the damaged objects'),
    );
    ctx.out.note(failureLine(failure));
    return failure.exitCode; // INTEGRITY's status in the one table (exit-codes.ts)
  },
};
