/*
 * `clawback snapshots`: list the snapshots, oldest first, as restic's table
 * (short id, time, host, tags, paths, size) or with --json as one JSON array.
 * Filters: --host, --tag (a,b = both; repeated = either), --path (all given).
 */
import { resolve } from 'node:path';
import type { SnapshotRecord } from '../store/repository.js';
import { parseCommandArgs, UsageError, type CliContext, type Command } from './command.js';
import { EXIT } from './exit-codes.js';
import { formatBytes, formatTime, plural, renderTable, shortId } from './format.js';
import { REPO_HELP, REPO_OPTIONS, repoArgs, withRepository } from './repo-arg.js';

const OPTIONS = {
  ...REPO_OPTIONS,
  host: { type: 'string', multiple: true },
  tag: { type: 'string', multiple: true },
  path: { type: 'string', multiple: true },
} as const;

const HELP = `Usage: clawback snapshots [OPTIONS]

List the snapshots in the repository, oldest first.

      --host=HOST         only snapshots of HOST (repeatable: any of them)
      --tag=TAG[,TAG]     only snapshots with all these tags (repeatable: any)
      --path=PATH         only snapshots that include PATH (repeatable: all)
${REPO_HELP}

With --json the output is one line: a JSON array of the snapshots, each with
its full id, shortId, time, host, username, paths, tags, parent, tree and the
backup summary.`;

/** Does `s` pass the restic-style filters? */
function matchesFilter(s: SnapshotRecord['snapshot'], f: { hosts: string[]; tags: string[][]; paths: string[] }): boolean {
  if (f.hosts.length > 0 && !f.hosts.includes(s.host)) return false;
  if (f.tags.length > 0 && !f.tags.some((all) => all.every((t) => s.tags.includes(t)))) return false;
  return f.paths.every((p) => s.paths.includes(p));
}

/** A snapshot as the JSON output shows it. */
function snapshotJson(r: SnapshotRecord): object {
  return { id: r.id, shortId: shortId(r.id), ...r.snapshot };
}

/** `clawback snapshots`. */
export const snapshotsCommand: Command = {
  async run(args: string[], ctx: CliContext): Promise<number> {
    const { values, positionals } = parseCommandArgs(args, OPTIONS, 'snapshots');
    if (values.help) {
      ctx.io.stdout.write(HELP + '\n');
      return EXIT.OK;
    }
    const r = repoArgs(values, ctx, 'snapshots');
    if (positionals.length > 0) throw new UsageError(`snapshots takes no arguments, got "${positionals[0]}"`, "run 'clawback snapshots --help'");
    const filter = {
      hosts: values.host ?? [],
      tags: (values.tag ?? []).map((t) => t.split(',').filter((x) => x.length > 0)),
      paths: (values.path ?? []).map((p) => resolve(p)),
    };
    const list = (await withRepository(r, ctx, 'shared', (repo) => repo.snapshots())).filter((s) => matchesFilter(s.snapshot, filter));
    if (ctx.out.json) {
      ctx.out.event(list.map(snapshotJson));
      return EXIT.OK;
    }
    const rows = list.map(({ id, snapshot: s }) => [shortId(id), formatTime(s.time), s.host, s.tags.join(','), s.paths.join('\n'), s.summary ? formatBytes(s.summary.totalBytes) : '']);
    for (const line of renderTable(['ID', 'Time', 'Host', 'Tags', 'Paths', 'Size'], rows, [5])) ctx.out.text(line);
    ctx.out.text(plural(list.length, 'snapshot'));
    return EXIT.OK;
  },
};
