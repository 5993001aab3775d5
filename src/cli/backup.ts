/*
 * `clawback backup PATH...`: back up files and directories into a new
 * snapshot. Unchanged files (size, mtime, ctime, inode as in the parent
 * snapshot) cost only a stat. Entries that cannot be read are skipped with a
 * warning and the backup exits 1 ("partial"); the snapshot is still saved.
 */
import { backup, type BackupProgress } from '../backup/backup.js';
import { parseCommandArgs, UsageError, type CliContext, type Command } from './command.js';
import { EXIT } from './exit-codes.js';
import { formatBytes, formatDuration, plural, shortId } from './format.js';
import { Progress } from './progress.js';
import { REPO_HELP, REPO_OPTIONS, repoArgs, withRepository } from './repo-arg.js';

const OPTIONS = {
  ...REPO_OPTIONS,
  tag: { type: 'string', multiple: true },
  host: { type: 'string' },
  exclude: { type: 'string', short: 'e', multiple: true },
  include: { type: 'string', short: 'i', multiple: true },
  parent: { type: 'string' },
  force: { type: 'boolean', short: 'f' },
} as const;

const HELP = `Usage: clawback backup [OPTIONS] PATH...

Back up the files and directories PATH... into a new snapshot. Files whose
size, mtime, ctime and inode match the parent snapshot are not read again.
Symlinks are stored, never followed; FIFOs, sockets and devices are skipped.

      --tag=TAG           add TAG to the snapshot (repeatable; TAG may be a,b)
      --host=HOST         record HOST instead of this machine's name
  -e, --exclude=PATTERN   leave out paths matching PATTERN (fast-glob syntax;
                          a pattern without '/' matches a name at any depth)
  -i, --include=PATTERN   back up only paths matching PATTERN (repeatable)
      --parent=SNAPSHOT   compare with SNAPSHOT (id, prefix or 'latest') to find
                          unchanged files; default: the latest snapshot with the
                          same host and paths
  -f, --force             read every file again (no parent snapshot)
${REPO_HELP}

Warnings (one line each, on stderr) name every entry that was skipped.

Exit status: 0 success; 1 partial: some entries could not be read (see the
warnings; the snapshot was saved without them); 2 usage error; 5 a PATH does
not exist or the repository is missing; 7 the repository is locked;
130 interrupted (no snapshot is written; the data saved so far is reused by
the next backup).`;

/** `clawback backup`. */
export const backupCommand: Command = {
  async run(args: string[], ctx: CliContext): Promise<number> {
    const { values, positionals } = parseCommandArgs(args, OPTIONS, 'backup');
    if (values.help) {
      ctx.io.stdout.write(HELP + '\n');
      return EXIT.OK;
    }
    const r = repoArgs(values, ctx, 'backup');
    if (positionals.length === 0) throw new UsageError('backup needs at least one PATH to back up', "run 'clawback backup --help'");
    if (values.force && values.parent !== undefined) throw new UsageError('--force and --parent exclude each other', "run 'clawback backup --help'");
    const tags = (values.tag ?? []).flatMap((t) => t.split(',')).filter((t) => t.length > 0);
    const progress = new Progress(ctx, 'backup', { quiet: r.quiet });
    const onProgress = (e: BackupProgress) => {
      if (e.type === 'warning') {
        const w = e.warning;
        progress.message(`warning: ${w.path}: ${w.message}`);
        ctx.out.event({ type: 'warning', command: 'backup', path: w.path, code: w.code, message: w.message });
        return;
      }
      progress.update({ filesDone: e.filesDone, bytesDone: e.bytesDone, path: e.path }, () => `${plural(e.filesDone, 'file')}, ${formatBytes(e.bytesDone)} read  ${e.path}`);
    };
    const res = await withRepository(r, ctx, 'shared', (repo) =>
      backup(repo, {
        paths: positionals,
        tags,
        ...(values.host !== undefined ? { host: values.host } : {}),
        ...(values.exclude ? { exclude: values.exclude } : {}),
        ...(values.include ? { include: values.include } : {}),
        parent: values.force ? null : (values.parent ?? 'auto'),
        onProgress,
        signal: ctx.signal,
        noLock: true,
      }),
    );
    progress.done();
    const s = res.summary;
    if (!r.quiet) {
      const n = (x: number) => String(x).padStart(5);
      ctx.out.text(`Files:     ${n(s.filesNew)} new, ${n(s.filesChanged)} changed, ${n(s.filesUnchanged)} unmodified`);
      ctx.out.text(`Dirs:      ${n(s.dirs)}`);
      ctx.out.text(`Added to the repository: ${formatBytes(s.bytesAdded)} (${formatBytes(s.bytesStored)} stored)`);
      ctx.out.text('');
      ctx.out.text(`processed ${plural(s.totalFiles, 'file')}, ${formatBytes(s.totalBytes)} (${formatBytes(s.bytesRead)} read) in ${formatDuration(s.durationMs)}`);
      ctx.out.text(`snapshot ${shortId(res.id)} saved${s.partial ? ' (partial)' : ''}`);
    }
    if (s.partial) ctx.out.note(`clawback: backup is partial: ${plural(s.skipped, 'entry', 'entries')} could not be read (see the warnings above); exit status 1`);
    ctx.out.event({
      type: 'summary',
      command: 'backup',
      snapshotId: res.id,
      shortId: shortId(res.id),
      time: res.snapshot.time,
      host: res.snapshot.host,
      paths: res.snapshot.paths,
      tags: res.snapshot.tags,
      parent: res.snapshot.parent ?? null,
      ...s,
      warnings: res.warnings.length,
    });
    return s.partial ? EXIT.FAILURE : EXIT.OK;
  },
};
