/*
 * `clawback ls SNAPSHOT [PATH]`: list the entries of a snapshot, or of one
 * directory in it, one path per line (with --long: mode, owner, size, mtime).
 * With --json: one {"type":"node"} line per entry, then the summary.
 */
import { ls, type ListedNode } from '../store/ls.js';
import { parseCommandArgs, type CliContext, type Command } from './command.js';
import { EXIT } from './exit-codes.js';
import { formatTime, modeString, nsToDate, shortId } from './format.js';
import { positionalCount, REPO_HELP, REPO_OPTIONS, repoArgs, withRepository } from './repo-arg.js';

const OPTIONS = {
  ...REPO_OPTIONS,
  long: { type: 'boolean', short: 'l' },
  recursive: { type: 'boolean' },
  'no-recursive': { type: 'boolean' },
} as const;

const HELP = `Usage: clawback ls [OPTIONS] SNAPSHOT [PATH]

List the entries of SNAPSHOT (an id, a unique id prefix or 'latest'), or of
the directory PATH in it (an absolute path as backed up, e.g. /home/me/.openclaw).

  -l, --long              mode, uid, gid, size and mtime before each path;
                          symlinks show their target
      --recursive         list everything below (the default)
      --no-recursive      list only the entries directly in PATH
${REPO_HELP}`;

function longLine({ path, node: n }: ListedNode): string {
  const size = n.type === 'file' ? (n.size ?? 0) : 0;
  const link = n.type === 'symlink' ? ` -> ${n.target ?? ''}` : '';
  return `${modeString(n.type, n.mode)} ${String(n.uid ?? 0).padStart(5)} ${String(n.gid ?? 0).padStart(5)} ${String(size).padStart(12)} ${formatTime(nsToDate(n.mtimeNs))} ${path}${link}`;
}

function nodeJson({ path, node: n }: ListedNode): object {
  return {
    type: 'node',
    path,
    name: n.name,
    nodeType: n.type,
    mode: n.mode,
    ...(n.uid !== undefined ? { uid: n.uid } : {}),
    ...(n.gid !== undefined ? { gid: n.gid } : {}),
    ...(n.size !== undefined ? { size: n.size } : {}),
    mtime: nsToDate(n.mtimeNs).toISOString(),
    ...(n.target !== undefined ? { target: n.target } : {}),
  };
}

/** `clawback ls`. */
export const lsCommand: Command = {
  async run(args: string[], ctx: CliContext): Promise<number> {
    const { values, positionals } = parseCommandArgs(args, OPTIONS, 'ls');
    if (values.help) {
      ctx.io.stdout.write(HELP + '\n');
      return EXIT.OK;
    }
    const r = repoArgs(values, ctx, 'ls');
    positionalCount(positionals, 1, 2, 'ls', 'SNAPSHOT [PATH]');
    const [ref, path = '/'] = positionals as [string, string?];
    const recursive = !values['no-recursive'];
    await withRepository(r, ctx, 'shared', async (repo) => {
      const { id, snapshot } = await repo.findSnapshot(ref);
      if (!r.quiet) ctx.out.note(`snapshot ${shortId(id)} of [${snapshot.paths.join(' ')}] at ${formatTime(snapshot.time)}:`);
      let entries = 0;
      for await (const e of ls(repo, snapshot.tree, path, recursive)) {
        entries++;
        if (ctx.out.json) ctx.out.event(nodeJson(e));
        else ctx.out.text(values.long ? longLine(e) : e.path);
      }
      ctx.out.event({ type: 'summary', command: 'ls', snapshotId: id, path, recursive, entries });
    });
    return EXIT.OK;
  },
};
