/*
 * `clawback versions PATH`: the stored versions of one file or directory of
 * the OpenClaw state (openclaw.json, a transcript, a workspace file), oldest
 * first, each with the snapshots that hold it. One of them comes back with
 * `clawback rollback SNAPSHOT --path PATH`.
 */
import { posix, win32 } from 'node:path';
import type { StateLocation } from '../openclaw/state-dir.js';
import { fileVersions, isWindowsPath, type FileVersion } from '../store/versions.js';
import { parseCommandArgs, UsageError, type CliContext, type Command } from './command.js';
import { EXIT } from './exit-codes.js';
import { formatBytes, formatTime, modeString, plural, renderTable, shortId } from './format.js';
import { positionalCount, REPO_HELP, REPO_OPTIONS, repoArgs, withRepository } from './repo-arg.js';
import { STATE_HELP, STATE_OPTIONS, stateLocationFromArgs } from './scope-arg.js';

const OPTIONS = {
  ...REPO_OPTIONS,
  ...STATE_OPTIONS,
  host: { type: 'string' },
} as const;

const HELP = `Usage: clawback versions [OPTIONS] PATH

List the stored versions of PATH, a file or directory of the OpenClaw state
(absolute, or relative to the state dir: 'openclaw.json'), oldest first. A
version is one content (and mode) kept by one or more snapshots in a row; a
snapshot without PATH ends a version, so the same content can come back as a
new one. Safety snapshots taken by rollbacks are listed too.

Restore one version of PATH (and nothing else):
  clawback rollback SNAPSHOT --path PATH

      --host=HOST         only snapshots taken on HOST (default: all)
${STATE_HELP}
${REPO_HELP}

With --json: one line per version ({"type":"version", kind (file, dir or
symlink), number, snapshots [{id, shortId, time}], firstSeen, lastSeen, size,
mode, mtime, contentHash}), then a summary line.

Exit status: 0 success (also when no snapshot holds PATH); 2 usage error;
5 no repository, or an I/O error; 7 locked.`;

/** PATH as an absolute path: absolute as given, else relative to the state dir. */
function absolutePath(loc: StateLocation, path: string): string {
  const api = isWindowsPath(loc.stateDir) ? win32 : posix;
  return api.isAbsolute(path) ? api.resolve(path) : api.resolve(loc.stateDir, path);
}

function snapshotsCell(v: FileVersion): string {
  const ids = v.snapshots.map((s) => shortId(s.id));
  return ids.length <= 3 ? ids.join(',') : `${ids.slice(0, 3).join(',')} +${ids.length - 3}`;
}

function dateCell(v: FileVersion): string {
  return v.firstSeen === v.lastSeen ? formatTime(v.firstSeen) : `${formatTime(v.firstSeen)} – ${formatTime(v.lastSeen)}`;
}

/** `clawback versions`. */
export const versionsCommand: Command = {
  async run(args: string[], ctx: CliContext): Promise<number> {
    const { values, positionals } = parseCommandArgs(args, OPTIONS, 'versions');
    if (values.help) {
      ctx.io.stdout.write(HELP + '\n');
      return EXIT.OK;
    }
    const r = repoArgs(values, ctx, 'versions');
    positionalCount(positionals, 1, 1, 'versions', 'one PATH');
    const given = positionals[0]!;
    if (given.trim() === '') throw new UsageError('versions expects a PATH, got ""', "run 'clawback versions --help'");
    const loc = stateLocationFromArgs(values, r.settings, r.host, 'versions');
    const path = absolutePath(loc, given);
    const versions = await withRepository(r, ctx, 'shared', (repo) => fileVersions(repo, path, { ...(values.host !== undefined ? { host: values.host } : {}), signal: ctx.signal }));
    const snapshots = versions.reduce((n, v) => n + v.snapshots.length, 0);
    for (const { type: kind, ...v } of versions) ctx.out.event({ type: 'version', kind, ...v, snapshots: v.snapshots.map((s) => ({ id: s.id, shortId: shortId(s.id), time: s.time })) });
    ctx.out.event({ type: 'summary', command: 'versions', path, versions: versions.length, snapshots });
    if (versions.length === 0) {
      ctx.out.text(`no snapshot holds ${path}`);
      return EXIT.OK;
    }
    const rows = versions.map((v) => [String(v.number), snapshotsCell(v), dateCell(v), v.type === 'dir' ? '' : formatBytes(v.size), modeString(v.type, v.mode)]);
    for (const line of renderTable(['#', 'Snapshots', 'Date', 'Size', 'Mode'], rows, [0, 3])) ctx.out.text(line);
    ctx.out.text(`${plural(versions.length, 'version')} of ${path} in ${plural(snapshots, 'snapshot')}`);
    if (!r.quiet) ctx.out.text(`restore one with: clawback rollback SNAPSHOT --path ${given}`);
    return EXIT.OK;
  },
};
