// Generated OpenClaw state of both eras backs up and restores byte-identically (modes,
// mtimes, symlinks, empty dirs, unicode and long names); after the A → B day of changes the
// second backup stores little more than what changed, and in-place restores of A over B and
// B over A give exactly A and B.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateState, mutateState, scanTree, type Scan } from '../../fixtures/index.js';
import { backup } from '../../src/backup/backup.js';
import { restore } from '../../src/restore/restore.js';
import { LocalBackend } from '../../src/store/backend-local.js';
import { check } from '../../src/store/check.js';
import { Repository } from '../../src/store/repository.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clawback-oc-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The scan without FIFOs (skipped by design) and without directory mtimes (changed by writing inside them). */
function comparable(s: Scan): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [p, e] of s) {
    if (e.type === 'fifo') continue;
    out[p] = e.type === 'dir' ? { type: 'dir', mode: e.mode } : e;
  }
  return out;
}

describe.each(['legacy', 'sqlite'] as const)('OpenClaw state, %s era', (profile) => {
  it('round-trips, then A → B stores little and in-place restores give exactly A and B', { timeout: 180_000 }, async () => {
    const state = join(dir, 'home', '.openclaw');
    const opts = { dir: state, seed: 11, scale: 0.02, profile } as const;
    await generateState(opts);
    const scanA = comparable(scanTree(state, { hash: true }));
    expect(Object.keys(scanA).some((p) => /[^\x00-\x7f]/.test(p))).toBe(true); // unicode names present
    const repo = await Repository.init(await LocalBackend.create(join(dir, 'repo')));
    const a = await backup(repo, { paths: [state] });
    expect(a.warnings.every((w) => w.code === 'SPECIAL_FILE')).toBe(true);

    const fresh = join(dir, 'fresh');
    await restore(repo, a.id, { target: fresh, from: state, verify: true });
    expect(comparable(scanTree(fresh, { hash: true }))).toEqual(scanA);

    const m = await mutateState(opts);
    const scanB = comparable(scanTree(state, { hash: true }));
    const b = await backup(repo, { paths: [state] });
    // Little more than what really changed: at most the changed bytes plus 25% (trees, chunk edges).
    expect(b.summary.bytesAdded).toBeLessThan(m.bytes.changed * 1.25 + 200_000);
    expect(b.summary.filesUnchanged).toBeGreaterThan(b.summary.filesChanged + b.summary.filesNew);

    // A over B, in place: exactly A.
    await restore(repo, a.id, { target: state, from: state, delete: true });
    expect(comparable(scanTree(state, { hash: true }))).toEqual(scanA);
    // B over A: exactly B.
    await restore(repo, b.id, { target: state, from: state, delete: true });
    expect(comparable(scanTree(state, { hash: true }))).toEqual(scanB);
    expect((await check(repo, { readData: true })).errors).toEqual([]);
  });
});
