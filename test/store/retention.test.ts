/*
 * The retention policy (src/store/retention.ts) against: restic's own golden
 * results ported from its repository, expectations derived by hand, a second
 * brute-force implementation written here, and golden files for 53 cases on a
 * 60-snapshot fixture (regenerate with UPDATE_GOLDEN=1; refused if the two disagree).
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  applyPolicy,
  describePolicy,
  emptiedGroups,
  formatGroupKey,
  formatPolicyDuration,
  parseGroupBy,
  parsePolicyDuration,
  policyIsEmpty,
  type GroupKey,
  type PolicyOptions,
  type PolicyResult,
  type RetentionPolicy,
  type RetentionSnapshot,
} from '../../src/store/retention.js';

const DATA = join(import.meta.dirname, 'testdata', 'retention');
const readJson = <T>(name: string): T => JSON.parse(readFileSync(join(DATA, name), 'utf8')) as T;
type Snap = RetentionSnapshot;
const FIXTURE = readJson<{ snapshots: Snap[] }>('snapshots.json').snapshots;
const RESTIC_INPUT = readJson<{ snapshots: Snap[] }>('restic-input.json').snapshots;

// ---------------------------------------------------------------------------
// Reference: restic's rules restated set-wise (no running counters): per rule,
// the distinct buckets in newest-first order, the newest snapshot of each of the
// first n, and the oldest snapshot when buckets ran out before n did.
// ---------------------------------------------------------------------------
const DAY = 86_400_000;
/** Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  return era * 146097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719468;
}
function refDuration(s: string): number[] {
  const d = [0, 0, 0, 0];
  for (const m of s.matchAll(/(\d+)([ymdh])/g)) d['ymdh'.indexOf(m[2]!)] = Number(m[1]);
  return d;
}
function refCutoff(latest: number, s: string): number {
  if (latest === -Infinity) return -Infinity;
  const [Y, M, D, H] = refDuration(s) as [number, number, number, number];
  const t = new Date(latest);
  const months = t.getUTCFullYear() * 12 + t.getUTCMonth() - Y * 12 - M; // Go's AddDate: months first...
  const y = Math.floor(months / 12);
  const day = daysFromCivil(y, months - y * 12 + 1, 1) + t.getUTCDate() - 1 - D; // ...then days may overflow
  return day * DAY + (latest - Math.floor(latest / DAY) * DAY) - H * 3_600_000;
}
function refIsoWeek(ms: number): string {
  const day = Math.floor(ms / DAY);
  const mondayOfWeek1 = (y: number): number => {
    const jan4 = daysFromCivil(y, 1, 4);
    return jan4 - ((((jan4 + 3) % 7) + 7) % 7); // 1970-01-01 was a Thursday
  };
  let y = new Date(ms).getUTCFullYear() + 1;
  while (day < mondayOfWeek1(y)) y--;
  return `${y}-W${Math.floor((day - mondayOfWeek1(y)) / 7) + 1}`;
}
const refBucket: ((ms: number, i: number) => string)[] = [
  (_ms, i) => String(i),
  (ms) => new Date(ms).toISOString().slice(0, 13),
  (ms) => new Date(ms).toISOString().slice(0, 10),
  refIsoWeek,
  (ms) => new Date(ms).toISOString().slice(0, 7),
  (ms) => new Date(ms).toISOString().slice(0, 4),
];
const UNITS = ['hourly', 'daily', 'weekly', 'monthly', 'yearly'];
const COUNTS = ['last', 'hourly', 'daily', 'weekly', 'monthly', 'yearly'] as const;
const WITHINS = ['withinHourly', 'withinDaily', 'withinWeekly', 'withinMonthly', 'withinYearly'] as const;

/** Newest of each of the first `n` buckets (all when n = -1), plus the oldest while buckets ran short. */
function refPick(keys: string[], n: number, reason: string, out: Map<number, string>[]): Map<number, string> {
  const m = new Map<number, string>();
  const seen: string[] = [];
  keys.forEach((k, i) => {
    if (seen.includes(k)) return;
    seen.push(k);
    if (n === -1 || seen.length <= n) m.set(i, reason);
  });
  const last = keys.length - 1;
  if (last >= 0 && (n === -1 || seen.length < n) && !m.has(last)) m.set(last, `oldest ${reason}`);
  out.push(m);
  return m;
}

function referencePolicy(snaps: readonly Snap[], p: RetentionPolicy, o: { groupBy?: string; now?: number }) {
  const gb = parseGroupBy(o.groupBy ?? 'host,paths');
  const groups = new Map<string, { key: GroupKey; list: Snap[] }>();
  for (const s of snaps) {
    const key: GroupKey = {};
    if (gb.host) key.host = s.host;
    if (gb.paths) key.paths = [...s.paths].sort();
    if (gb.tags) key.tags = [...s.tags].sort();
    const k = JSON.stringify([key.host ?? null, key.paths ?? null, key.tags ?? null]);
    if (!groups.has(k)) groups.set(k, { key, list: [] });
    groups.get(k)!.list.push(s);
  }
  return {
    groups: [...groups.keys()].sort().map((k) => {
      const { key, list } = groups.get(k)!;
      const ms = (s: Snap) => Date.parse(s.time);
      list.sort((a, b) => ms(b) - ms(a) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      const times = list.map(ms);
      const before = times.filter((t) => t < (o.now ?? Infinity));
      const latest = before.length ? Math.max(...before) : -Infinity;
      const rules: Map<number, string>[] = [];
      for (const tl of p.tags ?? []) {
        const m = new Map<number, string>();
        list.forEach((s, i) => {
          // restic's HasTags reads the list in order: '' on an untagged snapshot matches at once.
          const miss = tl.findIndex((t) => !s.tags.includes(t));
          const empty = s.tags.length === 0 ? tl.indexOf('') : -1;
          if (miss === -1 || (empty !== -1 && empty <= miss)) m.set(i, `has tags [${tl.join(', ')}]`);
        });
        rules.push(m);
      }
      const within = typeof p.within === 'string' ? p.within : '';
      if (refDuration(within).some((x) => x > 0)) {
        const cut = refCutoff(latest, within);
        rules.push(new Map(times.flatMap((t, i) => (t > cut ? [[i, `within ${formatPolicyDuration(parsePolicyDuration(within))}`]] : []))));
      }
      COUNTS.forEach((c, b) => {
        const n = p[c] ?? 0;
        if (n !== 0) refPick(times.map((t, i) => refBucket[b]!(t, i)), n, c === 'last' ? 'last snapshot' : `${c} snapshot`, rules);
      });
      WITHINS.forEach((w, u) => {
        const d = (p[w] as string | undefined) ?? '';
        if (!refDuration(d).some((x) => x > 0)) return;
        const cut = refCutoff(latest, d);
        const inRange = times.filter((t) => t > cut); // a prefix: the list is newest first
        const m = new Map<number, string>();
        const reason = `${UNITS[u]} within ${formatPolicyDuration(parsePolicyDuration(d))}`;
        const seen = new Set<string>();
        inRange.forEach((t, i) => {
          const k = refBucket[u + 1]!(t, i);
          if (!seen.has(k)) m.set(i, reason);
          seen.add(k);
        });
        if (inRange.length === list.length && !m.has(list.length - 1)) m.set(list.length - 1, `oldest ${reason}`);
        rules.push(m);
      });
      const keep = list.flatMap((s, i) => {
        const reasons = rules.flatMap((r) => (r.has(i) ? [r.get(i)!] : []));
        return reasons.length ? [{ snapshot: s, reasons }] : [];
      });
      return { key, keep, remove: list.filter((_s, i) => !rules.some((r) => r.has(i))) };
    }),
  };
}

// ---------------------------------------------------------------------------
// Golden form: ids, times and reasons per group.
// ---------------------------------------------------------------------------
interface Golden {
  groups: { key: GroupKey; keep: { id: string; time: string; reasons: string[] }[]; remove: string[] }[];
}
const toGolden = (r: PolicyResult<Snap>): Golden => ({
  groups: r.groups.map((g) => ({
    key: g.key,
    keep: g.keep.map((k) => ({ id: k.snapshot.id, time: k.snapshot.time, reasons: k.reasons })),
    remove: g.remove.map((s) => s.id),
  })),
});
/** One line per group key, kept snapshot and remove list, so a review reads like a table. */
const formatGolden = (g: Golden): string => {
  const j = JSON.stringify;
  const groups = g.groups.map(
    (x) => `  {\n   "key": ${j(x.key)},\n   "keep": [${x.keep.map((k) => `\n    ${j(k)}`).join(',')}\n   ],\n   "remove": ${j(x.remove)}\n  }`,
  );
  return `{\n "groups": [\n${groups.join(',\n')}\n ]\n}\n`;
};
const ids = (r: PolicyResult<Snap>) => r.groups.map((g) => g.keep.map((k) => k.snapshot.id));

interface Case {
  name: string;
  policy: RetentionPolicy;
  groupBy?: string;
  now?: string;
}
const CASES = readJson<{ cases: Case[] }>('cases.json').cases;
const optionsOf = (c: Case) => ({
  ...(c.groupBy !== undefined ? { groupBy: c.groupBy } : {}),
  ...(c.now !== undefined ? { now: Date.parse(c.now) } : {}),
});
const run = (c: Case) => applyPolicy(FIXTURE, c.policy, optionsOf(c));

describe('golden cases on the 60-snapshot fixture', () => {
  it('has at least 40 cases', () => expect(CASES.length).toBeGreaterThanOrEqual(40));
  for (const c of CASES) {
    it(c.name, () => {
      const got = toGolden(run(c));
      expect(got).toEqual(toGolden(referencePolicy(FIXTURE, c.policy, optionsOf(c))));
      const file = join(DATA, 'golden', `${c.name}.json`);
      if (process.env['UPDATE_GOLDEN'] === '1') {
        mkdirSync(join(DATA, 'golden'), { recursive: true });
        writeFileSync(file, formatGolden(got));
      }
      expect(got).toEqual(JSON.parse(readFileSync(file, 'utf8')));
      const all = got.groups.flatMap((g) => [...g.keep.map((k) => k.id), ...g.remove]);
      expect(all.sort()).toEqual(FIXTURE.map((s) => s.id).sort());
    });
  }
});

describe('the verdict depends on nothing but the snapshots and the policy', () => {
  const golden = (c: Case) => JSON.parse(readFileSync(join(DATA, 'golden', `${c.name}.json`), 'utf8')) as Golden;
  it('reversed input order gives the same result for every case (ties go by id, not by position)', () => {
    const reversed = [...FIXTURE].reverse();
    for (const c of CASES) expect(toGolden(applyPolicy(reversed, c.policy, optionsOf(c))), c.name).toEqual(golden(c));
  });
  it('the process time zone does not matter (buckets are UTC)', () => {
    const saved = process.env['TZ'];
    try {
      for (const tz of ['Pacific/Kiritimati', 'Pacific/Pago_Pago', 'Asia/Kathmandu']) {
        process.env['TZ'] = tz;
        for (const c of CASES) expect(toGolden(run(c)), `${c.name} in ${tz}`).toEqual(golden(c));
      }
    } finally {
      if (saved === undefined) delete process.env['TZ'];
      else process.env['TZ'] = saved;
    }
  });
});

describe('expectations derived by hand', () => {
  const byName = (n: string) => ids(run(CASES.find((c) => c.name === n)!));
  // Groups under host,paths sort as: alpha [/etc/openclaw /home/agent] (c..), alpha [/home/agent] (a..), beta.
  it('last-3: the three newest per group; c05/c06 tie on time, id order decides', () => {
    expect(byName('last-3')).toEqual([['c05', 'c06', 'c04'], ['a38', 'a37', 'a36'], ['b16', 'b15', 'b14']]);
  });
  it('daily-3: newest of each of the three newest UTC days', () => {
    // a37 (12-12 21:00) beats a36 (12-12 09:00); b15 (08:00) beats b14 (07:59:59); b12 is on 11-30.
    expect(byName('daily-3')).toEqual([['c05', 'c04', 'c03'], ['a38', 'a37', 'a35'], ['b16', 'b15', 'b13']]);
  });
  it('yearly-5: three UTC years, then the oldest snapshot is kept as "oldest"', () => {
    const r = run(CASES.find((c) => c.name === 'yearly-5')!);
    // a08 (2020-12-31 23:30Z) is 2020's newest; a09 (2021-01-01 00:15Z) belongs to 2021.
    expect(ids(r)).toEqual([['c05', 'c02', 'c01'], ['a38', 'a18', 'a08', 'a01'], ['b16', 'b15', 'b07', 'b03', 'b01']]);
    expect(r.groups[1]!.keep[3]!.reasons).toEqual(['oldest yearly snapshot']);
    expect(r.groups[0]!.keep[2]!.reasons).toEqual(['oldest yearly snapshot']); // c01 shares 2021 with c02
  });
  it('weekly-unlimited: ISO weeks across the new year (2020-W53, 2021-W52)', () => {
    const a = byName('weekly-unlimited')[1]!;
    expect(a).toContain('a10'); // Sun 2021-01-03, newest of 2020-W53 ...
    for (const id of ['a07', 'a08', 'a09']) expect(a).not.toContain(id); // ... which holds Mon 12-28 to Fri 01-01
    expect(a).toContain('a11'); // Mon 2021-01-04 = 2021-W01
    expect(a).toContain('a20'); // Sun 2022-01-02 = 2021-W52, a19 (Sat) shares it
    expect(a).not.toContain('a19');
    expect(a).toContain('a21'); // Mon 2022-01-03 = 2022-W01
  });
  it('monthly-3 (beta): b12 at 11-30 23:59:59 is November', () => expect(byName('monthly-3')[2]).toEqual(['b16', 'b15', 'b12']));
  it('within-2h: only snapshots within two hours of each group newest', () => {
    expect(byName('within-2h')).toEqual([['c05', 'c06'], ['a38'], ['b16']]);
  });
  it('now-within-7d: the future b16 is not "newest" and is kept anyway', () => {
    // a: cutoff 12-06 08:00, a30 (12-06 09:00) is in; b: newest before now is b15 (12-13 08:00).
    expect(byName('now-within-7d')).toEqual([
      ['c05', 'c06'],
      ['a38', 'a37', 'a36', 'a35', 'a34', 'a33', 'a32', 'a31', 'a30'],
      ['b16', 'b15', 'b14'],
    ]);
  });
  it('now-all-future-within-1d: nothing before now, so everything is within', () => {
    expect(byName('now-all-future-within-1d').flat().length).toBe(60);
  });
  it('group-none-weekly-3: one group; a38/b15 tie in 2022-W50 goes to the lower id', () => {
    const r = run(CASES.find((c) => c.name === 'group-none-weekly-3')!);
    expect(r.groups.map((g) => g.key)).toEqual([{}]);
    expect(ids(r)).toEqual([['b16', 'a38', 'a35']]);
  });
  it('group-paths-last-2 merges hosts; group-host-daily-2 merges paths', () => {
    expect(byName('group-paths-last-2')).toEqual([['c05', 'c06'], ['b16', 'a38']]);
    expect(byName('group-host-daily-2')).toEqual([['a38', 'a37'], ['b16', 'b15']]);
  });
  it('tag-untagged keeps exactly the untagged snapshots', () => {
    expect(byName('tag-untagged').flat().sort()).toEqual(FIXTURE.filter((s) => s.tags.length === 0).map((s) => s.id).sort());
  });
  it('tag-daily-and-pre-upgrade keeps only a33 and empties two groups', () => {
    const r = run(CASES.find((c) => c.name === 'tag-daily-and-pre-upgrade')!);
    expect(ids(r)).toEqual([[], ['a33'], []]);
    expect(emptiedGroups(r).map((g) => formatGroupKey(g.key))).toEqual(['host alpha, path [/etc/openclaw /home/agent]', 'host beta, path [/home/agent]']);
  });
  it('within-zero-and-last-1: a zero duration is no rule', () => {
    const r = run(CASES.find((c) => c.name === 'within-zero-and-last-1')!);
    expect(r.groups.map((g) => g.keep.map((k) => k.reasons))).toEqual([[['last snapshot']], [['last snapshot']], [['last snapshot']]]);
  });
});

// ---------------------------------------------------------------------------
// restic's TestApplyPolicy: its 103 snapshots and 40 policies (index = golden file number).
// ---------------------------------------------------------------------------
const RESTIC_POLICIES: RetentionPolicy[] = [
  {}, { last: 10 }, { last: 15 }, { last: 99 }, { last: 200 }, { hourly: 20 }, { daily: 3 }, { daily: 10 }, { daily: 30 },
  { last: 5, daily: 5 }, { last: 2, daily: 10 }, { weekly: 2 }, { weekly: 4 }, { daily: 3, weekly: 4 }, { monthly: 6 },
  { daily: 2, weekly: 2, monthly: 6 }, { yearly: 10 }, { daily: 7, weekly: 2, monthly: 3, yearly: 10 },
  { tags: [['foo']] }, { tags: [['foo', 'bar']] }, { tags: [['foo'], ['bar']] },
  { within: '1d' }, { within: '2d' }, { within: '7d' }, { within: '1m' }, { within: '1m14d' }, { within: '1y1d1m' },
  { within: '13d23h' }, { within: '2m2h' }, { within: '1y2m3d3h' }, { withinHourly: '1y2m3d3h' }, { withinDaily: '1y2m3d3h' },
  { withinWeekly: '1y2m3d3h' }, { withinMonthly: '1y2m3d3h' }, { withinYearly: '1y2m3d3h' },
  { within: '1h', withinHourly: '1d', withinDaily: '7d', withinWeekly: '1m', withinMonthly: '1y', withinYearly: '9999y' },
  { last: -1 }, { last: -1, hourly: -1 }, { hourly: -1 }, { daily: 3, weekly: 2, monthly: -1, yearly: -1 },
];
const policySum = (p: RetentionPolicy) => {
  const c = COUNTS.map((k) => p[k] ?? 0);
  return c.includes(-1) ? 0 : c.reduce((a, b) => a + b, 0);
};

describe("restic's golden results (ported)", () => {
  const goldens = readJson<{ cases: { index: number; file: string; policy: RetentionPolicy; keep: [string, string[], string[]?, string[]?][] }[] }>(
    'restic-goldens.json',
  ).cases;
  for (const g of goldens) {
    it(`${g.file} (${JSON.stringify(g.policy)})`, () => {
      expect(g.policy).toEqual(RESTIC_POLICIES[g.index]);
      const r = applyPolicy(RESTIC_INPUT, g.policy, { groupBy: '' });
      expect(r.groups.length).toBe(1);
      const got = r.groups[0]!.keep.map((k) => [new Date(k.snapshot.time).toISOString(), k.reasons, [...k.snapshot.tags], [...k.snapshot.paths]]);
      const want = g.keep.map(([t, reasons, tags, paths]) => [new Date(t).toISOString(), reasons, tags ?? [], paths ?? []]);
      expect(got).toEqual(want);
    });
  }
  RESTIC_POLICIES.forEach((p, i) => {
    it(`policy ${i} ${JSON.stringify(p)}: matches the reference and restic's invariants`, () => {
      const r = applyPolicy(RESTIC_INPUT, p, { groupBy: '' });
      const g = r.groups[0]!;
      expect(g.keep.length + g.remove.length).toBe(RESTIC_INPUT.length);
      if (policySum(p) > 0) expect(g.keep.length).toBeLessThanOrEqual(policySum(p));
      expect(toGolden(r)).toEqual(toGolden(referencePolicy(RESTIC_INPUT, p, { groupBy: '' })));
    });
  });
  it('policy 0 (empty) keeps nothing, and policyIsEmpty says so (TestExpireSnapshotOps)', () => {
    expect(applyPolicy(RESTIC_INPUT, {}, { groupBy: '' }).groups[0]!.keep).toEqual([]);
    expect(policyIsEmpty({})).toBe(true);
    expect(policyIsEmpty({ tags: [] })).toBe(true);
    expect(policyIsEmpty({ daily: 7, weekly: 2, monthly: 3, yearly: 10 })).toBe(false);
    expect(policySum({ daily: 7, weekly: 2, monthly: 3, yearly: 10 })).toBe(22);
  });
});

describe('properties (fast-check): implementation = reference, partition, order independence', () => {
  const base = Date.UTC(2020, 11, 20);
  const snapArb = fc.record({
    // Clustered times: many collisions in the same hour/day/week, plus spread over three years.
    time: fc.oneof(
      fc.integer({ min: 0, max: 3 * 365 * 24 }).map((h) => h * 3_600_000),
      fc.integer({ min: 0, max: 30 * 24 * 60 }).map((m) => m * 60_000),
      fc.integer({ min: 0, max: 12 }).map((h) => h * 1_800_000), // exact ties
    ),
    host: fc.constantFrom('alpha', 'beta'),
    paths: fc.constantFrom(['/a'], ['/a', '/b'], ['/b', '/a']),
    tags: fc.subarray(['x', 'y', 'z']),
  });
  const snapsArb = fc.array(snapArb, { minLength: 1, maxLength: 40 }).map((l) =>
    l.map((s, i) => ({ id: `s${String(i).padStart(2, '0')}`, time: new Date(base + s.time).toISOString(), host: s.host, paths: s.paths, tags: s.tags })),
  );
  const count = fc.oneof(fc.constant(undefined), fc.integer({ min: -1, max: 6 }));
  const dur = fc.oneof(fc.constant(undefined), fc.tuple(fc.nat(2), fc.nat(13), fc.nat(40), fc.nat(30)).map(([y, m, d, h]) => `${y}y${m}m${d}d${h}h`));
  const policyArb = fc.record(
    { last: count, hourly: count, daily: count, weekly: count, monthly: count, yearly: count, within: dur, withinHourly: dur, withinDaily: dur,
      withinWeekly: dur, withinMonthly: dur, withinYearly: dur, tags: fc.array(fc.subarray(['x', 'y', 'z', '']), { maxLength: 2 }) },
    { requiredKeys: [] },
  );
  const optsArb = fc.record(
    { groupBy: fc.constantFrom('', 'host', 'paths', 'tags', 'host,paths', 'host,paths,tags'), now: fc.integer({ min: base - DAY, max: base + 40 * DAY }) },
    { requiredKeys: [] },
  );
  it('agrees with the brute-force reference', () => {
    fc.assert(
      fc.property(snapsArb, policyArb, optsArb, (snaps, policy, opts) => {
        expect(toGolden(applyPolicy(snaps, policy, opts))).toEqual(toGolden(referencePolicy(snaps, policy, opts)));
      }),
      { numRuns: 400 },
    );
  });
  it('keep and remove partition the input; shuffled input gives the same verdict', () => {
    fc.assert(
      fc.property(snapsArb, policyArb, optsArb, fc.nat(), (snaps, policy, opts, seed) => {
        const r = toGolden(applyPolicy(snaps, policy, opts));
        const all = r.groups.flatMap((g) => [...g.keep.map((k) => k.id), ...g.remove]);
        expect(all.sort()).toEqual(snaps.map((s) => s.id).sort());
        const shuffled = [...snaps].sort((a, b) => ((a.id.charCodeAt(2) * 31 + seed) % 17) - ((b.id.charCodeAt(2) * 31 + seed) % 17));
        expect(toGolden(applyPolicy(shuffled.reverse(), policy, opts))).toEqual(r);
        if (policySum(policy) > 0 && !policy.within && !WITHINS.some((w) => policy[w]) && !(policy.tags ?? []).length) {
          for (const g of r.groups) expect(g.keep.length).toBeLessThanOrEqual(policySum(policy));
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('time arithmetic and buckets', () => {
  const mk = (id: string, time: string, tags: string[] = []): Snap => ({ id, time, host: 'h', paths: ['/p'], tags });
  it('within 1m from 03-31 normalises Feb 31 to Mar 3, like Go AddDate; the boundary is exclusive', () => {
    const snaps = [mk('n', '2022-03-31T12:00:00Z'), mk('in', '2022-03-03T12:00:00.001Z'), mk('edge', '2022-03-03T12:00:00Z'), mk('old', '2022-02-28T12:00:00Z')];
    expect(ids(applyPolicy(snaps, { within: '1m' }))).toEqual([['n', 'in']]);
  });
  it('hours are subtracted after the calendar part', () => {
    const snaps = [mk('n', '2022-03-01T01:00:00Z'), mk('in', '2022-01-31T23:00:00.001Z'), mk('out', '2022-01-31T23:00:00Z')];
    // 03-01 01:00 minus 1 month = 02-01 01:00, minus 2h = 01-31 23:00.
    expect(ids(applyPolicy(snaps, { within: '1m2h' }))).toEqual([['n', 'in']]);
  });
  it('a duration beyond the Date range keeps everything', () => {
    expect(ids(applyPolicy([mk('a', '2022-01-01T00:00:00Z'), mk('b', '1970-01-01T00:00:00Z')], { within: '999999y' }))).toEqual([['a', 'b']]);
  });
  it('days are UTC days: 2022-10-30T01:30+02:00 is 2022-10-29 in UTC', () => {
    const snaps = [mk('local', '2022-10-30T01:30:00+02:00'), mk('utc', '2022-10-29T12:00:00Z')];
    const r = applyPolicy(snaps, { daily: 5 });
    expect(ids(r)).toEqual([['local', 'utc']]);
    expect(r.groups[0]!.keep.map((k) => k.reasons)).toEqual([['daily snapshot'], ['oldest daily snapshot']]);
  });
  it('returns the caller objects untouched and does not reorder the input', () => {
    const snaps = [mk('b', '2022-01-01T00:00:00Z', ['t']), mk('a', '2022-02-01T00:00:00Z')];
    const copy = structuredClone(snaps);
    const r = applyPolicy(snaps, { last: 1 });
    expect(r.groups[0]!.keep[0]!.snapshot).toBe(snaps[1]);
    expect(snaps).toEqual(copy);
  });
  it('an empty list gives no groups', () => expect(applyPolicy([], { last: 1 })).toEqual({ groups: [] }));
});

describe('durations, descriptions, grouping', () => {
  it('parses and formats restic durations', () => {
    expect(parsePolicyDuration('1y2m3d4h')).toEqual({ years: 1, months: 2, days: 3, hours: 4 });
    expect(parsePolicyDuration(' 13d23h ')).toEqual({ years: 0, months: 0, days: 13, hours: 23 });
    expect(parsePolicyDuration('1d2d')).toEqual({ years: 0, months: 0, days: 2, hours: 0 });
    expect(parsePolicyDuration('')).toEqual({ years: 0, months: 0, days: 0, hours: 0 });
    expect(formatPolicyDuration(parsePolicyDuration('1y1d1m'))).toBe('1y1m1d');
    for (const bad of ['1w', '1', 'd', '-1d', '1d 2h', '1.5d', '99999999999999999999d']) {
      expect(() => parsePolicyDuration(bad, 'within')).toThrow(new RangeError(`"within" expected duration like 1y2m3d4h, got ${JSON.stringify(bad)}`));
    }
    expect(() => parsePolicyDuration(5 as unknown as string)).toThrow(TypeError);
  });
  it('validates the policy with the house message template', () => {
    expect(() => applyPolicy([], { last: -2 })).toThrow(new RangeError('"policy.last" expected integer >= -1, got -2'));
    expect(() => applyPolicy([], { daily: 1.5 })).toThrow(new TypeError('"policy.daily" expected integer, got 1.5'));
    expect(() => applyPolicy([], { within: '7w' })).toThrow(new RangeError('"policy.within" expected duration like 1y2m3d4h, got "7w"'));
    expect(() => applyPolicy([], { withinDaily: { years: 0, months: 0, days: -1, hours: 0 } })).toThrow(
      new RangeError('"policy.withinDaily.days" expected integer >= 0, got -1'),
    );
    expect(() => applyPolicy([], { tags: ['foo'] as unknown as string[][] })).toThrow(TypeError);
    expect(() => applyPolicy([], { keepLast: 1 } as RetentionPolicy)).toThrow(RangeError);
    expect(() => applyPolicy([], null as unknown as RetentionPolicy)).toThrow(new TypeError('"policy" expected object, got null'));
    expect(() => applyPolicy([{ id: 'x', time: 'yesterday', host: '', paths: [], tags: [] }], { last: 1 })).toThrow(
      new RangeError('"snapshots[0].time" expected ISO 8601 time, got "yesterday"'),
    );
    expect(() => applyPolicy([], { last: 1 }, { groupBy: 'host,user' })).toThrow(RangeError);
    expect(() => applyPolicy([], { last: 1 }, { now: Number.NaN } as PolicyOptions)).toThrow(TypeError);
  });
  it('policyIsEmpty: zero counts and zero durations are empty; a tag list is not', () => {
    expect(policyIsEmpty({ last: 0, within: '0d', withinYearly: '' })).toBe(true);
    expect(policyIsEmpty({ tags: [['']] })).toBe(false);
    expect(policyIsEmpty({ last: -1 })).toBe(false);
    expect(policyIsEmpty({ withinHourly: '1h' })).toBe(false);
  });
  it('describes the policy like restic', () => {
    expect(describePolicy({})).toBe('remove');
    expect(describePolicy({ daily: 7, weekly: -1 })).toBe('keep 7 daily, all weekly snapshots');
    expect(describePolicy({ last: 2, withinDaily: '7d', tags: [['a', 'b'], ['c']], within: '1y' })).toBe(
      'keep 2 latest snapshots, daily snapshots within 7d and all snapshots with tags [[a, b] [c]] and all snapshots within 1y of the newest',
    );
  });
  it('parses group-by like restic and formats keys', () => {
    expect(parseGroupBy('')).toEqual({ host: false, paths: false, tags: false });
    expect(parseGroupBy('hosts,path,tag')).toEqual({ host: true, paths: true, tags: true });
    expect(() => parseGroupBy('host,user')).toThrow(new RangeError('"groupBy" expected comma-separated host, paths, tags, got "host,user"'));
    expect(formatGroupKey({ host: 'h', paths: ['/a', '/b'], tags: ['t'] })).toBe('host h, path [/a /b], tags [t]');
    expect(formatGroupKey({})).toBe('');
  });
});
