/*
 * `clawback backup [PATH...]`: back up the OpenClaw state (no PATH: the state
 * dir plus the workspaces and agent dirs its config points to, with the
 * default excludes) or the files and directories named into a new snapshot.
 * Unchanged files (size, mtime, ctime, inode as in the parent snapshot) cost
 * only a stat. Entries that cannot be read are skipped with a warning and the
 * backup exits 1 ("partial"); the snapshot is still saved.
 */
import { backup, type BackupOptions, type BackupProgress } from '../backup/backup.js';
import { assertOutside } from '../openclaw/repository-location.js';
import { stateBackupOptions } from '../openclaw/state-backup.js';
import { describeLocation } from '../openclaw/state-dir.js';
import { parseCommandArgs, UsageError, type CliContext, type Command } from './command.js';
import { EXIT } from './exit-codes.js';
import { formatBytes, formatDuration, plural, shortId } from './format.js';
import { Progress } from './progress.js';
import { REPO_HELP, REPO_OPTIONS, repoArgs, withRepository } from './repo-arg.js';
import { SCOPE_OPTIONS, STATE_HELP, scopeFromArgs, scopeSettings } from './scope-arg.js';

const OPTIONS = {
  ...REPO_OPTIONS,
  ...SCOPE_OPTIONS,
  tag: { type: 'string', multiple: true },
  host: { type: 'string' },
  parent: { type: 'string' },
  force: { type: 'boolean', short: 'f' },
} as const;

const HELP = `Usage: clawback backup [OPTIONS] [PATH...]

Without PATH: back up the OpenClaw state, found as OpenClaw finds it (the
state dir, plus the workspaces and agent dirs its config points to outside
it): sessions, archives, credentials, SQLite databases with their WALs,
workspaces, plugins. Left out by default: only volatile or regenerable
entries (Chromium Singleton* links, sockets, pid and temp files, SQLite -shm
files, cache/control-ui-assets). With PATH...: back up those files and
directories instead. Files whose size, mtime, ctime and inode match the
parent snapshot are not read again. Symlinks are stored, never followed;
FIFOs, sockets and devices are skipped.

${STATE_HELP}
      --exclude-node-modules
                          leave out extensions' node_modules (their package.json,
                          lockfiles and openclaw.plugin.json are kept)
      --tag=TAG           add TAG to the snapshot (repeatable; TAG may be a,b)
      --host=HOST         record HOST instead of this machine's name
  -e, --exclude=PATTERN   leave out paths matching PATTERN (fast-glob syntax;
                          a pattern without '/' matches a name at any depth;
                          added to the settings file's exclude list)
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
    if (values.force && values.parent !== undefined) throw new UsageError('--force and --parent exclude each other', "run 'clawback backup --help'");
    const tags = (values.tag ?? []).flatMap((t) => t.split(',')).filter((t) => t.length > 0);
    let what: Pick<BackupOptions, 'paths' | 'exclude' | 'include' | 'keep' | 'isSecret' | 'appendOnly'>;
    if (positionals.length === 0) {
      const scope = await scopeFromArgs(values, r.settings, r.host, 'backup');
      assertOutside(r.host, r.dir, scope.paths);
      what = stateBackupOptions(scope);
      for (const w of scope.warnings) {
        if (!r.quiet) ctx.out.note(`clawback: ${w}`);
        ctx.out.event({ type: 'warning', command: 'backup', code: 'SCOPE', message: w });
      }
      const outside = scope.paths.length - 1;
      if (!r.quiet) ctx.out.note(`backing up the OpenClaw state at ${scope.location.stateDir} (${describeLocation(scope.location)})${outside > 0 ? ` and ${plural(outside, 'path')} outside it` : ''}`);
    } else {
      const s = scopeSettings(values, r.settings, 'backup');
      what = { paths: positionals, exclude: [...s.exclude], include: [...s.include] };
    }
    const progress = new Progress(ctx, 'backup', { quiet: r.quiet });
    const onProgress = (e: BackupProgress) => {
      if (e.type === 'warning') {
        const w = e.warning;
        progress.message(`warning: ${w.path}: ${w.message}`);
        ctx.out.event({ type: 'warning', command: 'backup', path: w.path, code: w.code, message: w.message });
        return;
      }
      if (ctx.verbose) {
        // --verbose: one line per file read, as restic -v prints them (on stdout: the backup's own result).
        progress.done(); // clears the status line (a terminal only) before the line on stdout
        ctx.out.text(`${e.action.padEnd(7)} ${e.path}`);
        ctx.out.event({ type: 'file', command: 'backup', action: e.action, path: e.path });
      }
      progress.update({ filesDone: e.filesDone, bytesDone: e.bytesDone, path: e.path }, () => `${plural(e.filesDone, 'file')}, ${formatBytes(e.bytesDone)} read  ${e.path}`);
    };
    const res = await withRepository(r, ctx, 'shared', (repo) =>
      backup(repo, {
        ...what,
        tags,
        ...(values.host !== undefined ? { host: values.host } : {}),
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
      if (s.secrets) ctx.out.text(`Secrets:   ${n(s.secrets)} files (credentials, auth profiles, .env, identity, state database; modes kept)`);
      if (s.vanished) ctx.out.text(`Vanished:  ${n(s.vanished)} deleted while the backup ran (not an error)`);
      ctx.out.text(`Added to the repository: ${formatBytes(s.bytesAdded)} (${formatBytes(s.bytesStored)} stored)`);
      ctx.out.text('');
      ctx.out.text(`processed ${plural(s.totalFiles, 'file')}, ${formatBytes(s.totalBytes)} (${formatBytes(s.bytesRead)} read) in ${formatDuration(s.durationMs)}`);
      ctx.out.text(`snapshot ${shortId(res.id)} saved${s.partial ? ' (partial)' : ''}`);
    }
    if (s.partial) ctx.out.note(`clawback: backup is partial: ${plural(s.skipped - (s.vanished ?? 0), 'entry', 'entries')} could not be read (see the warnings above); exit status 1`);
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
