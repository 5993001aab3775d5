/*
 * `clawback diff SNAPSHOT1 SNAPSHOT2`: what changed from the first snapshot
 * to the second, one line per entry as restic prints it (`+` added, `-`
 * removed, `M` content changed, `T` type changed, `U` only metadata changed;
 * directories end in `/`), then a totals line. Unchanged subtrees are skipped.
 */
import { diffTrees, type DiffEntry } from '../store/diff.js';
import { parseCommandArgs, type CliContext, type Command } from './command.js';
import { EXIT } from './exit-codes.js';
import { shortId } from './format.js';
import { positionalCount, REPO_HELP, REPO_OPTIONS, repoArgs, withRepository } from './repo-arg.js';

const HELP = `Usage: clawback diff [OPTIONS] SNAPSHOT1 SNAPSHOT2

Show what changed from SNAPSHOT1 to SNAPSHOT2 (ids, unique id prefixes or
'latest'). One line per entry:
  +  added            -  removed
  M  content (or symlink target) changed
  T  type changed (e.g. a file became a directory)
  U  only metadata (mode, mtime) changed
Directories end in '/'. A totals line follows.

${REPO_HELP}`;

/** The restic letter for an entry. */
function changeLetter(d: DiffEntry): string {
  if (d.change === 'added') return '+';
  if (d.change === 'removed') return '-';
  const what = d.what ?? [];
  if (what.includes('type')) return 'T';
  if (what.includes('content') || what.includes('target')) return 'M';
  return 'U';
}

/** `clawback diff`. */
export const diffCommand: Command = {
  async run(args: string[], ctx: CliContext): Promise<number> {
    const { values, positionals } = parseCommandArgs(args, REPO_OPTIONS, 'diff');
    if (values.help) {
      ctx.io.stdout.write(HELP + '\n');
      return EXIT.OK;
    }
    const r = repoArgs(values, ctx, 'diff');
    positionalCount(positionals, 2, 2, 'diff', 'two snapshots: SNAPSHOT1 SNAPSHOT2');
    const [refA, refB] = positionals as [string, string];
    await withRepository(r, ctx, 'shared', async (repo) => {
      const a = await repo.findSnapshot(refA);
      const b = await repo.findSnapshot(refB);
      if (!r.quiet) ctx.out.note(`comparing snapshot ${shortId(a.id)} to ${shortId(b.id)}:`);
      const totals = { added: 0, removed: 0, modified: 0 };
      for await (const d of diffTrees(repo, a.snapshot.tree, b.snapshot.tree)) {
        totals[d.change]++;
        const path = d.type === 'dir' ? `${d.path}/` : d.path;
        if (ctx.out.json) {
          ctx.out.event({ type: 'change', path, change: d.change, modifier: changeLetter(d), nodeType: d.type, ...(d.what ? { what: d.what } : {}), ...(d.size !== undefined ? { size: d.size } : {}) });
        } else {
          ctx.out.text(`${changeLetter(d).padEnd(5)}${path}`);
        }
      }
      ctx.out.text(`${totals.added} added, ${totals.removed} removed, ${totals.modified} modified`);
      ctx.out.event({ type: 'summary', command: 'diff', from: a.id, to: b.id, ...totals });
    });
    return EXIT.OK;
  },
};
