/*
 * `clawback prune`: delete data no snapshot references, under an exclusive
 * lock. Packs with nothing used are deleted; packs more unused than
 * --max-unused are repacked. Also the prune report `forget --prune` prints.
 */
import type { PruneResult } from '../store/prune.js';
import { prune } from '../store/prune.js';
import { parseCommandArgs, UsageError, type CliContext, type Command } from './command.js';
import { EXIT } from './exit-codes.js';
import { formatBytes, plural } from './format.js';
import { REPO_HELP, REPO_OPTIONS, repoArgs, withRepository } from './repo-arg.js';

const OPTIONS = {
  ...REPO_OPTIONS,
  'max-unused': { type: 'string' },
  'dry-run': { type: 'boolean', short: 'n' },
} as const;

const HELP = `Usage: clawback prune [OPTIONS]

Delete the data that no snapshot references (left by 'clawback forget' and by
interrupted backups). Takes an exclusive lock: no backup or restore can run
meanwhile. Order of work: new packs, new index, then deletions, so an
interruption at any point loses nothing.

      --max-unused=LIMIT  repack a pack when more than LIMIT of its bytes are
                          unused: a fraction (0.2) or a percentage (20%);
                          default 0.2; 0 repacks every pack with unused data
  -n, --dry-run           only report what would be deleted
${REPO_HELP}`;

/**
 * Parses --max-unused: a fraction from 0 to 1, or a percentage.
 * @throws UsageError
 * @example parseMaxUnused('20%', 'prune') // 0.2
 */
export function parseMaxUnused(text: string, command: string): number {
  const m = /^(\d+(?:\.\d+)?)(%?)$/.exec(text.trim());
  const v = m ? Number(m[1]) / (m[2] ? 100 : 1) : NaN;
  if (!(v >= 0 && v <= 1)) throw new UsageError(`--max-unused expects a fraction from 0 to 1 or a percentage, got "${text}"`, `run 'clawback ${command} --help'`);
  return v;
}

/**
 * Prints what prune did, or would do, for people (one line).
 * @throws never
 * @example printPruneResult(ctx, await prune(repo, { noLock: true }));
 */
export function printPruneResult(ctx: CliContext, p: PruneResult): void {
  const would = p.dryRun ? 'would be ' : '';
  ctx.out.text(
    `prune: ${plural(p.packsDeleted, 'pack')} ${would}deleted, ${p.packsRepacked} ${would}repacked, ${p.packsKept} kept; ${plural(p.blobsRemoved, 'blob')} ${would}removed, ${formatBytes(p.bytesFreed)} ${would}freed${p.dryRun ? ' (dry run)' : ''}`,
  );
}

/**
 * The prune result as JSON fields.
 * @throws never
 * @example ctx.out.event({ type: 'summary', command: 'prune', ...pruneJson(res) });
 */
export function pruneJson(p: PruneResult): object {
  return { ...p };
}

/** `clawback prune`. */
export const pruneCommand: Command = {
  async run(args: string[], ctx: CliContext): Promise<number> {
    const { values, positionals } = parseCommandArgs(args, OPTIONS, 'prune');
    if (values.help) {
      ctx.io.stdout.write(HELP + '\n');
      return EXIT.OK;
    }
    const r = repoArgs(values, ctx, 'prune');
    if (positionals.length > 0) throw new UsageError(`prune takes no arguments, got "${positionals[0]}"`, "run 'clawback prune --help'");
    const maxUnused = values['max-unused'] === undefined ? 0.2 : parseMaxUnused(values['max-unused'], 'prune');
    const res = await withRepository(r, ctx, 'exclusive', (repo) => prune(repo, { maxUnused, dryRun: values['dry-run'] ?? false, signal: ctx.signal, noLock: true }));
    printPruneResult(ctx, res);
    ctx.out.event({ type: 'summary', command: 'prune', ...pruneJson(res) });
    return EXIT.OK;
  },
};
