/*
 * `clawback restore SNAPSHOT --target DIR`: write a snapshot (or one directory
 * of it, --path) into DIR, new or existing. Files already right are left alone,
 * changed ones rebuilt from the bytes they still share; --delete removes what
 * the snapshot lacks, --verify re-reads every written file.
 */
import { restore } from '../restore/restore.js';
import { parseCommandArgs, UsageError, type CliContext, type Command } from './command.js';
import { EXIT } from './exit-codes.js';
import { formatBytes, formatDuration, plural, shortId } from './format.js';
import { Progress } from './progress.js';
import { positionalCount, REPO_HELP, REPO_OPTIONS, repoArgs, withRepository } from './repo-arg.js';

const OPTIONS = {
  ...REPO_OPTIONS,
  target: { type: 'string', short: 't' },
  path: { type: 'string' },
  delete: { type: 'boolean' },
  verify: { type: 'boolean' },
  quick: { type: 'boolean' },
  include: { type: 'string', short: 'i', multiple: true },
  exclude: { type: 'string', short: 'e', multiple: true },
} as const;

const HELP = `Usage: clawback restore [OPTIONS] SNAPSHOT --target DIR

Restore SNAPSHOT (an id, a unique id prefix or 'latest') into DIR, which is
created if missing. Without --path the backed-up paths are nested under DIR by
their full names (DIR/home/me/.openclaw/...). Files whose content already
matches are not rewritten; every file written goes to a temporary file first
and is renamed into place. Nothing is written outside DIR.

  -t, --target=DIR        where to restore (required)
      --path=PATH         restore the contents of directory PATH of the snapshot
                          (an absolute path as backed up) into DIR
      --delete            remove entries in DIR that the snapshot does not have
                          (within the --include/--exclude selection)
      --verify            re-read and re-hash every written file
      --quick             trust size and mtime to skip a file (do not compare content)
  -i, --include=PATTERN   restore only paths matching PATTERN (repeatable)
  -e, --exclude=PATTERN   do not restore paths matching PATTERN (repeatable)
${REPO_HELP}

Exit status: 0 success; 2 usage error; 4 damaged data (the restore stops before
the affected file is put in place) or --verify failed; 5 SNAPSHOT or PATH not
found, or an I/O error; 7 locked; 130 interrupted.`;

/** `clawback restore`. */
export const restoreCommand: Command = {
  async run(args: string[], ctx: CliContext): Promise<number> {
    const { values, positionals } = parseCommandArgs(args, OPTIONS, 'restore');
    if (values.help) {
      ctx.io.stdout.write(HELP + '\n');
      return EXIT.OK;
    }
    const r = repoArgs(values, ctx, 'restore');
    positionalCount(positionals, 1, 1, 'restore', 'one SNAPSHOT');
    const target = values.target;
    if (target === undefined || target === '') throw new UsageError('restore needs --target DIR', "run 'clawback restore --help'");
    const progress = new Progress(ctx, 'restore', { quiet: r.quiet });
    const counts = { written: 0, unchanged: 0, deleted: 0 };
    const res = await withRepository(r, ctx, 'shared', async (repo) => {
      const { id } = await repo.findSnapshot(positionals[0]!);
      const summary = await restore(repo, id, {
        target,
        ...(values.path !== undefined ? { from: values.path } : {}),
        delete: values.delete ?? false,
        verify: values.verify ?? false,
        quick: values.quick ?? false,
        ...(values.include ? { include: values.include } : {}),
        ...(values.exclude ? { exclude: values.exclude } : {}),
        onProgress: (e) => {
          counts[e.action]++;
          if (ctx.verbose && e.action !== 'unchanged') {
            progress.done();
            ctx.out.text(`${e.action.padEnd(7)} ${e.path}`);
            ctx.out.event({ type: 'file', command: 'restore', action: e.action, path: e.path });
          }
          progress.update({ path: e.path, action: e.action, ...counts }, () => `${counts.written} written, ${counts.unchanged} unchanged, ${counts.deleted} deleted  ${e.path}`);
        },
        signal: ctx.signal,
        noLock: true,
      });
      return { id, summary };
    });
    progress.done();
    const s = res.summary;
    if (!r.quiet) {
      ctx.out.text(`restored snapshot ${shortId(res.id)} to ${target}`);
      ctx.out.text(`Files: ${s.filesWritten} written, ${s.filesUnchanged} unchanged, ${s.deleted} deleted; ${plural(s.dirs, 'dir')}, ${plural(s.symlinks, 'symlink')}`);
      ctx.out.text(`Data:  ${formatBytes(s.bytesWritten)} written (${formatBytes(s.bytesReused)} reused from existing files, ${formatBytes(s.bytesFetched)} fetched)`);
      if (values.verify) ctx.out.text(`verified ${plural(s.verified, 'file')}`);
      ctx.out.text(`took ${formatDuration(s.durationMs)}`);
    }
    ctx.out.event({ type: 'summary', command: 'restore', snapshotId: res.id, target, ...s });
    return EXIT.OK;
  },
};
