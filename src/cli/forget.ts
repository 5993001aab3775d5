/*
 * `clawback forget --keep-...`: apply restic's retention policy (from the
 * flags, else the settings file's `retention`) per group of snapshots (host
 * and paths by default), print what is kept (and why) and what is removed, and
 * delete the removed snapshot objects; --prune then deletes the data nothing
 * references any more, under the same exclusive lock.
 */
import type { RetentionPolicy } from '../store/retention.js';
import { describePolicy, formatGroupKey, parseGroupBy, parsePolicyDuration, policyIsEmpty } from '../store/retention.js';
import { forget, forgetSnapshots } from '../store/forget.js';
import { prune } from '../store/prune.js';
import { parseCommandArgs, parseIntOption, UsageError, type CliContext, type Command } from './command.js';
import { EXIT } from './exit-codes.js';
import { formatTime, plural, renderTable, shortId } from './format.js';
import { parseMaxUnused, printPruneResult, pruneJson } from './prune.js';
import { REPO_HELP, REPO_OPTIONS, repoArgs, rethrowAsUsage, withRepository } from './repo-arg.js';

const COUNTS = [
  ['keep-last', 'last', 'l'],
  ['keep-hourly', 'hourly', 'H'],
  ['keep-daily', 'daily', 'd'],
  ['keep-weekly', 'weekly', 'w'],
  ['keep-monthly', 'monthly', 'm'],
  ['keep-yearly', 'yearly', 'y'],
] as const;

const WITHINS = [
  ['keep-within', 'within'],
  ['keep-within-hourly', 'withinHourly'],
  ['keep-within-daily', 'withinDaily'],
  ['keep-within-weekly', 'withinWeekly'],
  ['keep-within-monthly', 'withinMonthly'],
  ['keep-within-yearly', 'withinYearly'],
] as const;

const OPTIONS = {
  ...REPO_OPTIONS,
  'keep-last': { type: 'string', short: 'l' },
  'keep-hourly': { type: 'string', short: 'H' },
  'keep-daily': { type: 'string', short: 'd' },
  'keep-weekly': { type: 'string', short: 'w' },
  'keep-monthly': { type: 'string', short: 'm' },
  'keep-yearly': { type: 'string', short: 'y' },
  'keep-within': { type: 'string' },
  'keep-within-hourly': { type: 'string' },
  'keep-within-daily': { type: 'string' },
  'keep-within-weekly': { type: 'string' },
  'keep-within-monthly': { type: 'string' },
  'keep-within-yearly': { type: 'string' },
  'keep-tag': { type: 'string', multiple: true },
  'group-by': { type: 'string', short: 'g' },
  host: { type: 'string' },
  tag: { type: 'string' },
  'dry-run': { type: 'boolean', short: 'n' },
  prune: { type: 'boolean' },
  'max-unused': { type: 'string' },
} as const;

const HELP = `Usage: clawback forget [OPTIONS] --keep-...
       clawback forget [OPTIONS] SNAPSHOT...

With SNAPSHOT... (ids, unique prefixes or 'latest'): remove those snapshots.
Otherwise remove snapshots that the policy does not keep, as restic does: snapshots are
grouped (by host and paths unless --group-by says otherwise) and within each
group a snapshot is kept when any rule keeps it. The data of removed snapshots
stays until 'clawback prune' (or --prune) deletes it.

  -l, --keep-last=N           keep the N newest snapshots
  -H, --keep-hourly=N         keep the newest snapshot of each of the N newest hours
  -d, --keep-daily=N          ... days
  -w, --keep-weekly=N         ... ISO weeks
  -m, --keep-monthly=N        ... months
  -y, --keep-yearly=N         ... years (for every count, -1 means unlimited)
      --keep-within=DUR       keep all snapshots within DUR of the newest one
                              (DUR like 1y2m3d4h: years, months, days, hours)
      --keep-within-hourly=DUR, --keep-within-daily=DUR, --keep-within-weekly=DUR,
      --keep-within-monthly=DUR, --keep-within-yearly=DUR
                              keep the newest snapshot of each hour/day/... within DUR
      --keep-tag=TAG[,TAG]    keep snapshots with all these tags (repeatable)
  -g, --group-by=FIELDS       host, paths, tags, comma-separated, or '' for one
                              group (default host,paths)
      --host=HOST             only consider snapshots of HOST
      --tag=TAG               only consider snapshots with TAG
  -n, --dry-run               only show what would be removed
      --prune                 afterwards, delete unreferenced data (see 'clawback prune')
      --max-unused=FRACTION   with --prune: repack packs more unused than this (default 0.2)
${REPO_HELP}

Without any --keep option the policy is the settings file's retention (see
'clawback config show'); any --keep option replaces that policy as a whole.
With neither, forget is refused (exit 2): it would remove everything.`;

/** The policy from the command line. */
function policyOf(values: Record<string, unknown>): RetentionPolicy {
  const policy: RetentionPolicy = {};
  for (const [opt, key] of COUNTS) {
    const v = values[opt];
    if (typeof v === 'string') policy[key] = parseIntOption(`--${opt}`, v, -1, Number.MAX_SAFE_INTEGER, 'forget');
  }
  for (const [opt, key] of WITHINS) {
    const v = values[opt];
    if (typeof v !== 'string') continue;
    try {
      parsePolicyDuration(v, opt);
    } catch (e) {
      rethrowAsUsage(e, `--${opt}`, 'forget');
    }
    policy[key] = v;
  }
  const tags = values['keep-tag'];
  if (Array.isArray(tags)) policy.tags = tags.map((t: string) => t.split(',').filter((x) => x.length > 0));
  return policy;
}

/** `clawback forget SNAPSHOT...`. */
async function forgetNamed(refs: string[], values: { 'dry-run'?: boolean | undefined; prune?: boolean | undefined; 'max-unused'?: string | undefined }, r: ReturnType<typeof repoArgs>, ctx: CliContext): Promise<number> {
  const dryRun = values['dry-run'] ?? false;
  if (!values.prune && values['max-unused'] !== undefined) throw new UsageError('--max-unused needs --prune', "run 'clawback forget --help'");
  const maxUnused = values['max-unused'] === undefined ? undefined : parseMaxUnused(values['max-unused'], 'forget');
  const { result, pruned } = await withRepository(r, ctx, 'exclusive', async (repo) => {
    const result = await forgetSnapshots(repo, refs, { dryRun, signal: ctx.signal, noLock: true });
    const pruned = values.prune ? await prune(repo, { dryRun, ...(maxUnused !== undefined ? { maxUnused } : {}), signal: ctx.signal, noLock: true }) : undefined;
    return { result, pruned };
  });
  ctx.out.text(`${dryRun ? 'would remove' : 'removed'} ${plural(result.removed.length, 'snapshot')}: ${result.removed.map(shortId).join(' ')}`);
  if (pruned) printPruneResult(ctx, pruned);
  ctx.out.event({ type: 'summary', command: 'forget', dryRun, removed: result.removed, kept: result.kept, ...(pruned ? { prune: pruneJson(pruned) } : {}) });
  return EXIT.OK;
}

/** `clawback forget`. */
export const forgetCommand: Command = {
  async run(args: string[], ctx: CliContext): Promise<number> {
    const { values, positionals } = parseCommandArgs(args, OPTIONS, 'forget');
    if (values.help) {
      ctx.io.stdout.write(HELP + '\n');
      return EXIT.OK;
    }
    const r = repoArgs(values, ctx, 'forget');
    const flagPolicy = policyOf(values);
    if (positionals.length > 0) {
      if (!policyIsEmpty(flagPolicy)) throw new UsageError('forget takes SNAPSHOT... or --keep-... options, not both', "run 'clawback forget --help'");
      return forgetNamed(positionals, values, r, ctx);
    }
    const fromSettings = policyIsEmpty(flagPolicy);
    const policy: RetentionPolicy = fromSettings ? { ...r.settings.settings.retention } : flagPolicy;
    if (policyIsEmpty(policy)) {
      throw new UsageError('no policy was given: forget would remove every snapshot (give --keep-... options or set retention in the settings file)', "run 'clawback forget --help'");
    }
    const groupBy = values['group-by'];
    if (groupBy !== undefined) {
      try {
        parseGroupBy(groupBy);
      } catch (e) {
        rethrowAsUsage(e, '--group-by', 'forget');
      }
    }
    if (!values.prune && values['max-unused'] !== undefined) throw new UsageError('--max-unused needs --prune', "run 'clawback forget --help'");
    const maxUnused = values['max-unused'] === undefined ? undefined : parseMaxUnused(values['max-unused'], 'forget');
    const dryRun = values['dry-run'] ?? false;
    const { result, pruned } = await withRepository(r, ctx, 'exclusive', async (repo) => {
      const result = await forget(repo, policy, {
        dryRun,
        now: Date.now(),
        ...(groupBy !== undefined ? { groupBy } : {}),
        ...(values.host !== undefined ? { host: values.host } : {}),
        ...(values.tag !== undefined ? { tag: values.tag } : {}),
        signal: ctx.signal,
        noLock: true,
      });
      const pruned = values.prune ? await prune(repo, { dryRun, ...(maxUnused !== undefined ? { maxUnused } : {}), signal: ctx.signal, noLock: true }) : undefined;
      return { result, pruned };
    });
    if (!ctx.out.json) {
      if (!r.quiet) ctx.out.text(`Applying Policy: ${describePolicy(policy)}${fromSettings ? ` (from ${r.settings.file ?? 'the settings file'})` : ''}`);
      for (const g of result.groups) {
        const key = formatGroupKey(g.key);
        if (!r.quiet) {
          ctx.out.text(key ? `snapshots for (${key}):` : 'snapshots:');
          const keepRows = g.keep.map((k) => [shortId(k.snapshot.id), formatTime(k.snapshot.time), k.snapshot.host, k.snapshot.tags.join(','), k.reasons.join('\n'), k.snapshot.paths.join('\n')]);
          ctx.out.text(`keep ${plural(g.keep.length, 'snapshot')}:`);
          for (const line of renderTable(['ID', 'Time', 'Host', 'Tags', 'Reasons', 'Paths'], keepRows)) ctx.out.text(line);
        }
        if (g.remove.length > 0) {
          const rows = g.remove.map((s) => [shortId(s.id), formatTime(s.time), s.host, s.tags.join(','), s.paths.join('\n')]);
          ctx.out.text(`${dryRun ? 'would remove' : 'remove'} ${plural(g.remove.length, 'snapshot')}:`);
          for (const line of renderTable(['ID', 'Time', 'Host', 'Tags', 'Paths'], rows)) ctx.out.text(line);
        }
        if (!r.quiet) ctx.out.text('');
      }
      ctx.out.text(dryRun ? `would remove ${plural(result.removed.length, 'snapshot')} (dry run), keep ${result.kept}` : `removed ${plural(result.removed.length, 'snapshot')}, kept ${result.kept}`);
      if (pruned) printPruneResult(ctx, pruned);
    }
    ctx.out.event({
      type: 'summary',
      command: 'forget',
      dryRun,
      policySource: fromSettings ? 'settings' : 'flags',
      groups: result.groups.map((g) => ({
        key: g.key,
        keep: g.keep.map((k) => ({ id: k.snapshot.id, time: k.snapshot.time, reasons: k.reasons })),
        remove: g.remove.map((s) => ({ id: s.id, time: s.time })),
      })),
      removed: result.removed,
      kept: result.kept,
      ...(pruned ? { prune: pruneJson(pruned) } : {}),
    });
    return EXIT.OK;
  },
};
