/*
 * The retention policy behind `forget`: restic's ExpirePolicy rebuilt as pure
 * logic (no I/O, no clock). Snapshots are grouped (host and paths by default),
 * each group is sorted newest first and walked once; a snapshot is kept when it
 * matches any rule, and carries every reason it matched so `--dry-run` can say why.
 */
import { assertInt } from '../core/assert.js';

/** The fields of a snapshot the policy looks at (a structural subset of store/snapshot.ts). */
export interface RetentionSnapshot {
  readonly id: string;
  /** ISO 8601 time of the backup. */
  readonly time: string;
  readonly host: string;
  readonly paths: readonly string[];
  readonly tags: readonly string[];
}

/** A calendar duration as restic spells it: `1y2m3d4h`. */
export interface PolicyDuration {
  years: number;
  months: number;
  days: number;
  hours: number;
}

/**
 * What to keep. Counts: 0 or absent means "rule off", -1 means unlimited.
 * Durations are measured back from the newest snapshot of the group, not from now.
 */
export interface RetentionPolicy {
  /** Keep the n newest snapshots. */
  last?: number | undefined;
  /** Keep the newest snapshot of each of the n newest hours that have one. */
  hourly?: number | undefined;
  daily?: number | undefined;
  /** ISO 8601 weeks, Monday to Sunday. */
  weekly?: number | undefined;
  monthly?: number | undefined;
  yearly?: number | undefined;
  /** Keep every snapshot newer than (newest - duration). */
  within?: string | PolicyDuration | undefined;
  /** Keep the newest snapshot of every hour within the duration. */
  withinHourly?: string | PolicyDuration | undefined;
  withinDaily?: string | PolicyDuration | undefined;
  withinWeekly?: string | PolicyDuration | undefined;
  withinMonthly?: string | PolicyDuration | undefined;
  withinYearly?: string | PolicyDuration | undefined;
  /** Keep snapshots that carry all tags of at least one entry; `['']` matches untagged snapshots. */
  tags?: readonly (readonly string[])[] | undefined;
}

/** Which snapshot fields form a group. `{host, paths}` is the default; all false means one group. */
export interface GroupBy {
  host: boolean;
  paths: boolean;
  tags: boolean;
}

/** The identity of a group: only the fields grouped by are present (paths and tags sorted). */
export interface GroupKey {
  host?: string;
  paths?: string[];
  tags?: string[];
}

/** Options of applyPolicy. */
export interface PolicyOptions {
  /** `'host,paths'` (default), `'host'`, `'paths'`, `'tags'`, `''` (no grouping), or an object. */
  groupBy?: string | GroupBy | undefined;
  /**
   * The current time. Snapshots after it are not taken as "newest" when measuring
   * `within*` durations (restic ignores future snapshots there). Omitted: none is in the future.
   */
  now?: number | Date | undefined;
}

/** A kept snapshot and why, e.g. `["last snapshot", "daily snapshot"]`. */
export interface KeptSnapshot<S> {
  snapshot: S;
  reasons: string[];
}

/** The verdict for one group; both lists newest first. */
export interface PolicyGroup<S> {
  key: GroupKey;
  keep: KeptSnapshot<S>[];
  remove: S[];
}

/** The verdict for all groups, sorted by key. */
export interface PolicyResult<S> {
  groups: PolicyGroup<S>[];
}

const COUNT_KEYS = ['last', 'hourly', 'daily', 'weekly', 'monthly', 'yearly'] as const;
const WITHIN_KEYS = ['withinHourly', 'withinDaily', 'withinWeekly', 'withinMonthly', 'withinYearly'] as const;
const POLICY_KEYS: readonly string[] = [...COUNT_KEYS, 'within', ...WITHIN_KEYS, 'tags'];
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** A validated policy: counts default to 0, zero durations become null. */
interface NormalPolicy {
  counts: number[]; // in COUNT_KEYS order
  within: PolicyDuration | null;
  withinBuckets: (PolicyDuration | null)[]; // in WITHIN_KEYS order
  tags: string[][];
}

function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'Array';
  if (typeof v === 'object') return v.constructor?.name ?? 'object';
  return String(v);
}

/**
 * Parses a restic duration: numbers each followed by y, m, d or h, in any order
 * (`2y5m7d3h`, `13d23h`, `1m`); a repeated unit overrides the earlier one, and ""
 * is the zero duration. There is no week unit: write `7d`.
 * @throws TypeError when `text` is not a string; RangeError when it is not a duration.
 * @example parsePolicyDuration('1y2m3d4h') // { years: 1, months: 2, days: 3, hours: 4 }
 */
export function parsePolicyDuration(text: string, name = 'duration'): PolicyDuration {
  if (typeof text !== 'string') throw new TypeError(`"${name}" expected string, got ${show(text)}`);
  const s = text.trim();
  const d: PolicyDuration = { years: 0, months: 0, days: 0, hours: 0 };
  const part = /(\d+)([ymdh])/y;
  for (let pos = 0; pos < s.length; pos = part.lastIndex) {
    part.lastIndex = pos;
    const m = part.exec(s);
    const n = m ? Number(m[1]) : NaN;
    if (!m || !Number.isSafeInteger(n)) {
      throw new RangeError(`"${name}" expected duration like 1y2m3d4h, got ${JSON.stringify(text)}`);
    }
    const unit = m[2];
    if (unit === 'y') d.years = n;
    else if (unit === 'm') d.months = n;
    else if (unit === 'd') d.days = n;
    else d.hours = n;
  }
  return d;
}

/**
 * Formats a duration the way restic prints it: `1y2m3d3h`, zero parts left out, "" for zero.
 * @throws never
 * @example formatPolicyDuration({ years: 0, months: 1, days: 14, hours: 0 }) // "1m14d"
 */
export function formatPolicyDuration(d: PolicyDuration): string {
  return (
    (d.years ? `${d.years}y` : '') + (d.months ? `${d.months}m` : '') + (d.days ? `${d.days}d` : '') + (d.hours ? `${d.hours}h` : '')
  );
}

function isZero(d: PolicyDuration): boolean {
  return d.years === 0 && d.months === 0 && d.days === 0 && d.hours === 0;
}

function normalizeDuration(name: string, v: unknown): PolicyDuration | null {
  if (v === undefined) return null;
  let d: PolicyDuration;
  if (typeof v === 'string') d = parsePolicyDuration(v, name);
  else if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    for (const f of ['years', 'months', 'days', 'hours']) assertInt(`${name}.${f}`, o[f], 0);
    d = { years: o['years'] as number, months: o['months'] as number, days: o['days'] as number, hours: o['hours'] as number };
  } else throw new TypeError(`"${name}" expected duration string or object, got ${show(v)}`);
  return isZero(d) ? null : d;
}

function normalizePolicy(policy: RetentionPolicy): NormalPolicy {
  if (typeof policy !== 'object' || policy === null || Array.isArray(policy)) {
    throw new TypeError(`"policy" expected object, got ${show(policy)}`);
  }
  for (const k of Object.keys(policy)) {
    if (!POLICY_KEYS.includes(k)) throw new RangeError(`"policy" expected keys ${POLICY_KEYS.join(', ')}, got ${JSON.stringify(k)}`);
  }
  const counts = COUNT_KEYS.map((k) => {
    const v = policy[k] ?? 0;
    assertInt(`policy.${k}`, v, -1);
    return v;
  });
  const tags: string[][] = [];
  if (policy.tags !== undefined) {
    const bad = (): never => {
      throw new TypeError(`"policy.tags" expected array of string arrays, got ${show(policy.tags)}`);
    };
    if (!Array.isArray(policy.tags)) bad();
    for (const l of policy.tags) {
      if (!Array.isArray(l) || !l.every((t) => typeof t === 'string')) bad();
      tags.push([...l]);
    }
  }
  return {
    counts,
    within: normalizeDuration('policy.within', policy.within),
    withinBuckets: WITHIN_KEYS.map((k) => normalizeDuration(`policy.${k}`, policy[k])),
    tags,
  };
}

/**
 * True when the policy keeps nothing by rule (all counts 0, all durations zero,
 * no tag lists). `forget` must refuse such a policy rather than remove everything.
 * @throws TypeError, RangeError when the policy is malformed (see applyPolicy)
 * @example if (policyIsEmpty(p)) throw new Error('no policy was specified, no snapshots will be removed');
 */
export function policyIsEmpty(policy: RetentionPolicy): boolean {
  const p = normalizePolicy(policy);
  return p.counts.every((c) => c === 0) && p.within === null && p.withinBuckets.every((d) => d === null) && p.tags.length === 0;
}

/**
 * One line describing the policy, worded like restic's "Applying Policy: ..." line.
 * @throws TypeError, RangeError when the policy is malformed
 * @example describePolicy({ daily: 7, weekly: -1 }) // "keep 7 daily, all weekly snapshots"
 */
export function describePolicy(policy: RetentionPolicy): string {
  const p = normalizePolicy(policy);
  const words = ['latest', 'hourly', 'daily', 'weekly', 'monthly', 'yearly'];
  const keeps = p.counts.flatMap((c, i) => (c > 0 ? [`${c} ${words[i]}`] : c === -1 ? [`all ${words[i]}`] : []));
  let s = keeps.length > 0 ? `${keeps.join(', ')} snapshots` : '';
  const keepw = p.withinBuckets.flatMap((d, i) => (d ? [`${words[i + 1]} snapshots within ${formatPolicyDuration(d)}`] : []));
  if (keepw.length > 0) s += (s ? ', ' : '') + keepw.join(', ');
  if (p.tags.length > 0) s += (s ? ' and ' : '') + `all snapshots with tags [${p.tags.map((l) => `[${l.join(', ')}]`).join(' ')}]`;
  if (p.within) s += (s ? ' and ' : '') + `all snapshots within ${formatPolicyDuration(p.within)} of the newest`;
  return s ? `keep ${s}` : 'remove';
}

/**
 * Parses restic's `--group-by` value: comma-separated `host`, `paths`, `tags`
 * (singular forms accepted); `''` disables grouping.
 * @throws TypeError for a non-string; RangeError for an unknown field
 * @example parseGroupBy('host,tags') // { host: true, paths: false, tags: true }
 */
export function parseGroupBy(text: string): GroupBy {
  if (typeof text !== 'string') throw new TypeError(`"groupBy" expected string, got ${show(text)}`);
  const g: GroupBy = { host: false, paths: false, tags: false };
  for (const raw of text.split(',')) {
    const f = raw.trim();
    if (f === 'host' || f === 'hosts') g.host = true;
    else if (f === 'path' || f === 'paths') g.paths = true;
    else if (f === 'tag' || f === 'tags') g.tags = true;
    else if (f !== '') throw new RangeError(`"groupBy" expected comma-separated host, paths, tags, got ${JSON.stringify(text)}`);
  }
  return g;
}

/**
 * A group key as restic prints it above each group: `host alpha, path [/a /b], tags [x]`.
 * @throws never
 * @example formatGroupKey({ host: 'alpha', paths: ['/home'] }) // "host alpha, path [/home]"
 */
export function formatGroupKey(key: GroupKey): string {
  const parts: string[] = [];
  if (key.host) parts.push(`host ${key.host}`);
  if (key.paths && key.paths.length > 0) parts.push(`path [${key.paths.join(' ')}]`);
  if (key.tags && key.tags.length > 0) parts.push(`tags [${key.tags.join(' ')}]`);
  return parts.join(', ');
}

/**
 * Groups whose every snapshot would be removed. restic refuses to run `forget`
 * when there is one ("refusing to delete last snapshot of snapshot group"); this
 * only happens when the policy has nothing but tag rules.
 * @throws never
 * @example const bad = emptiedGroups(result)[0]; if (bad) throw new Error(`refusing to delete last snapshot of snapshot group "${formatGroupKey(bad.key)}"`);
 */
export function emptiedGroups<S>(result: PolicyResult<S>): PolicyGroup<S>[] {
  return result.groups.filter((g) => g.keep.length === 0 && g.remove.length > 0);
}

/** Go's sort.Strings order (UTF-8 bytes), which is code point order. */
function compareCodePoints(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = (x[i] as string).codePointAt(0)! - (y[i] as string).codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

interface Entry<S> {
  s: S;
  ms: number;
  utc: Date;
}

function checkSnapshot<S extends RetentionSnapshot>(s: S, i: number): Entry<S> {
  const at = `snapshots[${i}]`;
  if (typeof s !== 'object' || s === null) throw new TypeError(`"${at}" expected object, got ${show(s)}`);
  if (typeof s.id !== 'string') throw new TypeError(`"${at}.id" expected string, got ${show(s.id)}`);
  if (typeof s.host !== 'string') throw new TypeError(`"${at}.host" expected string, got ${show(s.host)}`);
  for (const f of ['paths', 'tags'] as const) {
    const v = s[f];
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new TypeError(`"${at}.${f}" expected string array, got ${show(v)}`);
  }
  const ms = typeof s.time === 'string' ? Date.parse(s.time) : NaN;
  if (Number.isNaN(ms)) throw new RangeError(`"${at}.time" expected ISO 8601 time, got ${show(s.time)}`);
  return { s, ms, utc: new Date(ms) };
}

/** Start of (newest - d): calendar parts first, normalised like Go's AddDate, then hours. */
function cutoff(latest: number, d: PolicyDuration): number {
  if (latest === -Infinity) return -Infinity;
  const t = new Date(latest);
  t.setUTCFullYear(t.getUTCFullYear() - d.years, t.getUTCMonth() - d.months, t.getUTCDate() - d.days);
  const ms = t.getTime() - d.hours * HOUR_MS;
  return Number.isNaN(ms) ? -Infinity : ms; // beyond the Date range: everything is within
}

/** ISO 8601 week as year*100+week: the week's Thursday decides the year. */
function isoWeek(t: Date): number {
  const day = Math.floor(t.getTime() / DAY_MS) * DAY_MS;
  const thursday = new Date(day + (3 - ((t.getUTCDay() + 6) % 7)) * DAY_MS);
  const year = thursday.getUTCFullYear();
  const jan1 = new Date(0);
  jan1.setUTCFullYear(year, 0, 1);
  return year * 100 + Math.floor((thursday.getTime() - jan1.getTime()) / (7 * DAY_MS)) + 1;
}

// Bucket functions: the calendar unit a snapshot falls in, in UTC. Index 0 (last) is the position itself.
const BUCKETS: readonly ((t: Date, nr: number) => number)[] = [
  (_t, nr) => nr,
  (t) => t.getUTCFullYear() * 1_000_000 + (t.getUTCMonth() + 1) * 10_000 + t.getUTCDate() * 100 + t.getUTCHours(),
  (t) => t.getUTCFullYear() * 10_000 + (t.getUTCMonth() + 1) * 100 + t.getUTCDate(),
  isoWeek,
  (t) => t.getUTCFullYear() * 100 + (t.getUTCMonth() + 1),
  (t) => t.getUTCFullYear(),
];
const BUCKET_REASONS = ['last snapshot', 'hourly snapshot', 'daily snapshot', 'weekly snapshot', 'monthly snapshot', 'yearly snapshot'];
const WITHIN_REASONS = ['hourly within', 'daily within', 'weekly within', 'monthly within', 'yearly within'];

function hasTags(tags: readonly string[], list: readonly string[]): boolean {
  for (const t of list) {
    if (t === '' && tags.length === 0) return true;
    if (!tags.includes(t)) return false;
  }
  return true;
}

function applyToGroup<S extends RetentionSnapshot>(list: Entry<S>[], p: NormalPolicy, now: number, key: GroupKey): PolicyGroup<S> {
  list.sort((a, b) => b.ms - a.ms || (a.s.id < b.s.id ? -1 : a.s.id > b.s.id ? 1 : 0));
  let latest = -Infinity;
  for (const e of list) if (e.ms < now && e.ms > latest) latest = e.ms;
  const withinCut = p.within ? cutoff(latest, p.within) : 0;
  const counts = [...p.counts];
  const lastVal: (number | undefined)[] = BUCKETS.map(() => undefined);
  const within = p.withinBuckets.map((d) => (d ? { d, cut: cutoff(latest, d), last: undefined as number | undefined } : null));
  const group: PolicyGroup<S> = { key, keep: [], remove: [] };
  list.forEach((e, nr) => {
    const oldest = nr === list.length - 1;
    const reasons: string[] = [];
    for (const l of p.tags) if (hasTags(e.s.tags, l)) reasons.push(`has tags [${l.join(', ')}]`);
    if (p.within && e.ms > withinCut) reasons.push(`within ${formatPolicyDuration(p.within)}`);
    BUCKETS.forEach((bucket, i) => {
      const count = counts[i] as number;
      if (count === 0) return;
      const val = bucket(e.utc, nr);
      if (val === lastVal[i] && !oldest) return;
      // The oldest snapshot is kept while counts are left, to stretch the history kept.
      reasons.push(val === lastVal[i] ? `oldest ${BUCKET_REASONS[i]}` : (BUCKET_REASONS[i] as string));
      lastVal[i] = val;
      if (count > 0) counts[i] = count - 1;
    });
    within.forEach((w, i) => {
      if (!w || !(e.ms > w.cut)) return;
      const val = (BUCKETS[i + 1] as (t: Date, nr: number) => number)(e.utc, nr);
      if (val === w.last && !oldest) return;
      const reason = `${WITHIN_REASONS[i]} ${formatPolicyDuration(w.d)}`;
      reasons.push(val === w.last ? `oldest ${reason}` : reason);
      w.last = val;
    });
    if (reasons.length > 0) group.keep.push({ snapshot: e.s, reasons });
    else group.remove.push(e.s);
  });
  return group;
}

function resolveGroupBy(v: PolicyOptions['groupBy']): GroupBy {
  if (v === undefined) return { host: true, paths: true, tags: false };
  if (typeof v === 'string') return parseGroupBy(v);
  if (typeof v !== 'object' || v === null || !['host', 'paths', 'tags'].every((k) => typeof (v as unknown as Record<string, unknown>)[k] === 'boolean')) {
    throw new TypeError(`"groupBy" expected string or {host, paths, tags} booleans, got ${show(v)}`);
  }
  return { host: v.host, paths: v.paths, tags: v.tags };
}

/**
 * Decides, per group, which snapshots `forget` keeps and which it removes, exactly
 * as restic's ApplyPolicy does, with two deliberate choices:
 * - Calendar buckets (hour, day, ISO week, month, year) are taken in **UTC**, not
 *   in the snapshot's local time as restic does, so the verdict does not depend on
 *   the machine's time zone. A backup at 00:30 in UTC+2 counts for the previous UTC day.
 * - Snapshots with the same time are ordered by id (restic keeps listing order,
 *   which for its local backend is id order too), so the input order never matters.
 *
 * Rules, all ORed: `last` keeps the n newest; `hourly`..`yearly` keep the newest
 * snapshot of each of the n newest units that have one, and while a count is left
 * the oldest snapshot too ("oldest daily snapshot"); -1 means unlimited; `within`
 * keeps everything newer than (newest - duration), and `within*` the newest of each
 * unit in that range; `tags` keeps snapshots with all tags of any one entry.
 * "Newest" is the newest snapshot of the group that is before `options.now`.
 *
 * An empty policy keeps nothing: callers must refuse it first (policyIsEmpty), and
 * should refuse a result where a group loses every snapshot (emptiedGroups).
 * @throws TypeError, RangeError for a malformed policy, option or snapshot, with
 *   messages like `"policy.last" expected integer >= -1, got -2`
 * @example
 * const { groups } = applyPolicy(snaps, { daily: 7, weekly: 4 }, { groupBy: 'host,paths', now: Date.now() });
 * for (const g of groups) for (const k of g.keep) console.log(k.snapshot.id, k.reasons.join(', '));
 */
export function applyPolicy<S extends RetentionSnapshot>(
  snapshots: readonly S[],
  policy: RetentionPolicy,
  options: PolicyOptions = {},
): PolicyResult<S> {
  const p = normalizePolicy(policy);
  const groupBy = resolveGroupBy(options.groupBy);
  const now = options.now === undefined ? Infinity : options.now instanceof Date ? options.now.getTime() : options.now;
  if (typeof now !== 'number' || Number.isNaN(now)) throw new TypeError(`"now" expected Date or number, got ${show(options.now)}`);
  if (!Array.isArray(snapshots)) throw new TypeError(`"snapshots" expected array, got ${show(snapshots)}`);

  const groups = new Map<string, { key: GroupKey; list: Entry<S>[] }>();
  snapshots.forEach((s, i) => {
    const e = checkSnapshot(s, i);
    const key: GroupKey = {};
    if (groupBy.host) key.host = s.host;
    if (groupBy.paths) key.paths = [...s.paths].sort(compareCodePoints);
    if (groupBy.tags) key.tags = [...s.tags].sort(compareCodePoints);
    const k = JSON.stringify([key.host ?? null, key.paths ?? null, key.tags ?? null]);
    const g = groups.get(k);
    if (g) g.list.push(e);
    else groups.set(k, { key, list: [e] });
  });
  const keys = [...groups.keys()].sort();
  return { groups: keys.map((k) => groups.get(k)!).map((g) => applyToGroup(g.list, p, now, g.key)) };
}
