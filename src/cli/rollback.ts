/*
 * `clawback rollback [SNAPSHOT | --before TIME | --undo] [--path PATH]`: put
 * the OpenClaw state back as a snapshot has it, in place, after a safety
 * snapshot (so `--undo` can return). Refuses while the gateway runs (exit 7)
 * unless --force. `--path` restores one file or directory from any version.
 */
import { GatewayRunningError, rollback, type RollbackResult } from '../openclaw/rollback.js';
import type { OpenClawScope } from '../openclaw/scope.js';
import { describeLocation } from '../openclaw/state-dir.js';
import { HintedError, parseCommandArgs, UsageError, type CliContext, type Command } from './command.js';
import { EXIT } from './exit-codes.js';
import { formatBytes, formatDuration, formatTime, plural, shortId } from './format.js';
import { Progress } from './progress.js';
import { positionalCount, REPO_HELP, REPO_OPTIONS, repoArgs, rethrowAsUsage, withRepository } from './repo-arg.js';
import { SCOPE_HELP, SCOPE_OPTIONS, scopeFromArgs } from './scope-arg.js';

const OPTIONS = {
  ...REPO_OPTIONS,
  ...SCOPE_OPTIONS,
  before: { type: 'string' },
  path: { type: 'string' },
  undo: { type: 'boolean' },
  force: { type: 'boolean', short: 'f' },
  'dry-run': { type: 'boolean', short: 'n' },
  verify: { type: 'boolean' },
} as const;

const HELP = `Usage: clawback rollback [OPTIONS] [SNAPSHOT]

Put the OpenClaw state back as SNAPSHOT has it, in place: files changed since
are rewritten (from the bytes they still share), files created since are
removed, volatile files the backups leave out (sockets, pid and tmp files,
SQLite -shm) are left alone. SNAPSHOT is an id, a unique id prefix or 'latest';
without it, the latest backup of this state taken on this host.

First a safety snapshot of the current state is taken, so a rollback can be
undone: clawback rollback --undo. A rollback refuses while the OpenClaw gateway
runs (it would keep writing, and may restore its own config over ours).

      --before=TIME       the latest backup taken strictly before TIME: a date
                          or time (2026-03-24, 2026-03-24T12:00, ISO 8601 with
                          a zone) or a duration ago (30m, 2h, 1d, 1w, 1d12h)
      --path=PATH         restore only this file or directory (absolute, or
                          relative to the state dir), from SNAPSHOT or the
                          latest backup that holds it; 'clawback versions PATH'
                          lists its versions
      --undo              go back to the state before the last rollback (its
                          safety snapshot)
  -f, --force             roll back even while the OpenClaw gateway runs
  -n, --dry-run           say what would be written and deleted; change nothing
      --verify            re-read and re-hash every restored file
${SCOPE_HELP}
${REPO_HELP}

Exit status: 0 success; 2 usage error; 4 damaged data or --verify failed;
5 no snapshot qualifies, or an I/O error; 7 the OpenClaw gateway is running
(or another clawback holds the repository); 130 interrupted.`;

const UNITS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * Parses a point in time: an ISO 8601 date (local midnight), date and time
 * (local unless it has a zone; a space may stand for the T), or a duration
 * before `now` like `30m`, `2h`, `1d`, `1w`, `1d12h`.
 * @throws UsageError for anything else
 * @example parseTimeArg('--before', '2h', new Date('2026-03-24T12:00:00Z'), 'rollback') // 2026-03-24T10:00:00Z
 */
export function parseTimeArg(name: string, text: string, now: Date, command: string): Date {
  const bad = () => new UsageError(`${name} expects a time like 2026-03-24, 2026-03-24T12:00 or a duration ago like 2h or 1d, got "${text}"`, `run 'clawback ${command} --help'`);
  const t = text.trim();
  if (/^(\d+(\.\d+)?[smhdw])+$/.test(t)) {
    let ms = 0;
    for (const m of t.matchAll(/(\d+(?:\.\d+)?)([smhdw])/g)) ms += Number(m[1]) * UNITS[m[2]!]!;
    return new Date(now.getTime() - ms);
  }
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(t);
  const d = day ? new Date(Number(day[1]), Number(day[2]) - 1, Number(day[3])) : /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(t) ? new Date(t.replace(' ', 'T')) : undefined;
  if (d === undefined || Number.isNaN(d.getTime())) throw bad();
  if (day && (d.getFullYear() !== Number(day[1]) || d.getMonth() !== Number(day[2]) - 1 || d.getDate() !== Number(day[3]))) throw bad(); // 2026-02-30
  return d;
}

/** The command that undoes this rollback: the same repository and state options. */
function undoCommand(values: { repo?: string | undefined; config?: string | undefined; 'state-dir'?: string | undefined; profile?: string | undefined; dev?: boolean | undefined }): string {
  const q = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
  const parts = ['clawback rollback --undo'];
  if (values.repo !== undefined) parts.push(`--repo ${q(values.repo)}`);
  if (values.config !== undefined) parts.push(`--config ${q(values.config)}`);
  if (values['state-dir'] !== undefined) parts.push(`--state-dir ${q(values['state-dir'])}`);
  if (values.profile !== undefined) parts.push(`--profile ${q(values.profile)}`);
  if (values.dev) parts.push('--dev');
  return parts.join(' ');
}

/** Up to `max` lines `  <verb>  <path>`, then how many more. */
function listSome(verb: string, paths: readonly string[], max = 20): string[] {
  const out = paths.slice(0, max).map((p) => `  ${verb}  ${p}`);
  if (paths.length > max) out.push(`  ... and ${paths.length - max} more`);
  return out;
}

/** What was found: the state dir and why, the other sources, the gateway. */
function reportFound(ctx: CliContext, scope: OpenClawScope, res: RollbackResult): void {
  const others = scope.paths.filter((p) => p !== scope.location.stateDir);
  ctx.out.text(`Found the OpenClaw state at ${scope.location.stateDir} (${describeLocation(scope.location)})${others.length > 0 ? `, with ${others.join(', ')}` : ''}.`);
  const g = res.gateway;
  if (!g.running) ctx.out.text(`The OpenClaw gateway is not running (nothing listens on port ${g.port}, no live gateway lock or process).`);
}

function report(ctx: CliContext, res: RollbackResult, what: string, undo: string, undoing: boolean): void {
  const at = `snapshot ${shortId(res.snapshotId)} of ${formatTime(res.snapshotTime)}`;
  if (res.dryRun) {
    const plan = res.plan!;
    ctx.out.text(`Dry run: rolling ${what} back to ${at} would write ${plural(plan.write.length, 'entry', 'entries')} and delete ${plural(plan.delete.length, 'entry', 'entries')} (${plan.unchanged} unchanged). Nothing was changed.`);
    for (const line of [...listSome('write ', plan.write), ...listSome('delete', plan.delete)]) ctx.out.text(line);
    if (res.gateway.running) ctx.out.text(`Note: the OpenClaw gateway is running (${res.gateway.evidence.join('; ')}); a real rollback refuses unless --force.`);
    return;
  }
  const s = res.restored;
  ctx.out.text(`Rolled ${what} back to ${at}${undoing ? ' (the state before the last rollback)' : ''}.`);
  ctx.out.text(`Files: ${s.filesWritten} written, ${s.filesUnchanged} unchanged, ${s.deleted} deleted; ${formatBytes(s.bytesWritten)} written (${formatBytes(s.bytesReused)} reused from the files in place)`);
  if (res.removedShm.length > 0) ctx.out.text(`Removed ${plural(res.removedShm.length, 'stale SQLite -shm file')}.`);
  if (s.verified > 0) ctx.out.text(`Verified ${plural(s.verified, 'file')}.`);
  ctx.out.text(`Safety snapshot of the state before: ${shortId(res.safetySnapshotId!)}`);
  ctx.out.text(`undo with: ${undo}`);
  ctx.out.text(`took ${formatDuration(res.durationMs)}`);
}

/** `clawback rollback`. */
export const rollbackCommand: Command = {
  async run(args: string[], ctx: CliContext): Promise<number> {
    const { values, positionals } = parseCommandArgs(args, OPTIONS, 'rollback');
    if (values.help) {
      ctx.io.stdout.write(HELP + '\n');
      return EXIT.OK;
    }
    const r = repoArgs(values, ctx, 'rollback');
    positionalCount(positionals, 0, 1, 'rollback', '[SNAPSHOT]');
    const snapshot = positionals[0];
    const ways = [snapshot !== undefined && 'SNAPSHOT', values.before !== undefined && '--before', values.undo === true && '--undo'].filter((x) => x !== false);
    if (ways.length > 1) throw new UsageError(`${ways.join(' and ')} cannot be combined: each names the snapshot to go back to`, "run 'clawback rollback --help'");
    if (values.path !== undefined && values.path.trim() === '') throw new UsageError('--path expects a file or directory, got ""', "run 'clawback rollback --help'");
    const before = values.before !== undefined ? parseTimeArg('--before', values.before, new Date(), 'rollback') : undefined;
    const scope = await scopeFromArgs(values, r.settings, r.host, 'rollback');
    const quiet = r.quiet;
    if (!quiet) for (const w of scope.warnings) ctx.out.note(`clawback: warning: ${w}`);
    ctx.out.event({ type: 'scope', stateDir: scope.location.stateDir, reason: scope.location.reason, paths: scope.paths, warnings: scope.warnings });
    const what = values.path !== undefined ? values.path : `the OpenClaw state at ${scope.location.stateDir}`;
    const progress = new Progress(ctx, 'rollback', { quiet });
    const counts = { written: 0, unchanged: 0, deleted: 0, backedUp: 0 };
    const res = await withRepository(r, ctx, 'shared', async (repo) => {
      try {
        return await rollback(repo, {
          scope,
          ...(snapshot !== undefined ? { snapshot } : {}),
          ...(before !== undefined ? { before } : {}),
          ...(values.path !== undefined ? { path: values.path } : {}),
          ...(values.undo ? { undo: true } : {}),
          force: values.force ?? false,
          dryRun: values['dry-run'] ?? false,
          verify: values.verify ?? false,
          noLock: true,
          signal: ctx.signal,
          onProgress: (e) => {
            if (e.type === 'step') {
              progress.update({ step: e.step, message: e.message }, () => e.message, true);
            } else if (e.type === 'backup') {
              if (e.event.type === 'file') counts.backedUp = e.event.filesDone;
              else if (!quiet) progress.message(`clawback: warning: ${e.event.warning.path}: ${e.event.warning.message}`);
              progress.update({ step: 'safety', filesDone: counts.backedUp }, () => `safety snapshot: ${counts.backedUp} files read`);
            } else {
              counts[e.action]++;
              if (ctx.verbose && e.action !== 'unchanged') {
                progress.done();
                ctx.out.text(`${e.action.padEnd(7)} ${e.path}`);
                ctx.out.event({ type: 'file', command: 'rollback', action: e.action, path: e.path });
              }
              progress.update({ step: 'restore', path: e.path, action: e.action, ...counts }, () => `${counts.written} written, ${counts.unchanged} unchanged, ${counts.deleted} deleted  ${e.path}`);
            }
          },
        });
      } catch (e) {
        if (e instanceof GatewayRunningError) {
          throw new HintedError('BUSY', `the OpenClaw gateway is running: ${e.evidence.join(', ')}`, 'stop the gateway first (openclaw gateway stop), or pass --force to roll back anyway', { cause: e });
        }
        if (e instanceof RangeError && e.message.startsWith('"path"')) return rethrowAsUsage(e, '--path', 'rollback');
        if (e instanceof RangeError && e.message.startsWith('"snapshot"')) return rethrowAsUsage(e, 'SNAPSHOT', 'rollback');
        throw e;
      }
    });
    progress.done();
    const undo = undoCommand(values);
    if (!quiet) {
      if (res.gateway.running && !res.dryRun) ctx.out.note(`clawback: warning: rolled back while the OpenClaw gateway runs (--force): ${res.gateway.evidence.join('; ')}`);
      reportFound(ctx, scope, res);
      report(ctx, res, what, undo, values.undo === true);
    }
    ctx.out.event({
      type: 'summary',
      command: 'rollback',
      stateDir: scope.location.stateDir,
      snapshotId: res.snapshotId,
      snapshotTime: res.snapshotTime,
      ...(res.safetySnapshotId !== undefined ? { safetySnapshotId: res.safetySnapshotId, undo } : {}),
      dryRun: res.dryRun,
      ...(res.path !== undefined ? { path: res.path } : {}),
      restored: res.restored,
      removedShm: res.removedShm,
      ...(res.plan ? { plan: res.plan } : {}),
      gateway: { running: res.gateway.running, evidence: res.gateway.evidence, port: res.gateway.port },
      warnings: res.warnings,
      durationMs: res.durationMs,
    });
    return EXIT.OK;
  },
};
