/*
 * The demo's last step: the rsync engine under the store, on two files that
 * changed during the day (their first versions restored from the first
 * snapshot): signature, delta and patch in both formats, each checked byte for
 * byte, and cross-applied with librsync's rdiff when it is on PATH.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ClawbackError } from '../core/errors.js';
import type { FormatKind } from '../rsync/magic.js';
import { deltaFile, patchFile, signatureFile } from '../rsync/files.js';
import { restore } from '../restore/restore.js';
import { shortId } from './format.js';
import { mustHold, need, pct, say, size, type DemoState, type DemoStep } from './demo-context.js';

async function sameBytes(a: string, b: string): Promise<boolean> {
  const [x, y] = await Promise.all([readFile(a), readFile(b)]);
  return x.equals(y);
}

function rdiff(s: DemoState, args: string[]): void {
  const r = spawnSync(need(s.rdiff, 'rdiff').path, args, { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new ClawbackError('IO', `rdiff ${args.join(' ')} failed: ${r.error?.message ?? r.stderr.trim()}`);
}

/** The two files to show: the biggest database that changed and the biggest session transcript that grew (by their first size). */
function pick(s: DemoState): string[] {
  const day = need(s.day, 'day');
  const sizeOf = (p: string) => s.initialSizes.get(p) ?? 0;
  const biggest = (ps: string[]) => [...ps].sort((a, b) => sizeOf(b) - sizeOf(a))[0];
  const db = biggest(day.paths.modified.filter((p) => p.endsWith('.sqlite')));
  const transcript = biggest(day.paths.appendedFiles.filter((p) => /^agents\/[^/]+\/sessions\/[^/]+\.jsonl$/.test(p)));
  return [db, transcript].filter((p): p is string => p !== undefined);
}

/** Signature, delta and patch of `old` → `now` in one format; returns the signature and delta sizes. */
async function roundTrip(s: DemoState, old: string, now: string, out: string, format: FormatKind): Promise<{ sig: number; delta: number }> {
  const signal = s.ctx.signal;
  await signatureFile(old, `${out}.${format}.sig`, { format, signal });
  const stats = await deltaFile(`${out}.${format}.sig`, now, `${out}.${format}.delta`, { signal });
  await patchFile(old, `${out}.${format}.delta`, `${out}.${format}.patched`, { signal });
  mustHold(await sameBytes(`${out}.${format}.patched`, now), `the ${format} patch of ${now} gave different bytes`);
  return { sig: (await stat(`${out}.${format}.sig`)).size, delta: stats.deltaLength };
}

export const engineCheck: DemoStep = {
  title: "The engine underneath: signature, delta and patch in both formats, and a cross-check with librsync's rdiff",
  async run(s) {
    const files = pick(s);
    const then = join(s.dir, 'then');
    const work = join(s.dir, 'engine');
    await restore(need(s.repo, 'repo'), need(s.first, 'first').id, { target: then, from: s.state, include: files });
    say(s, `     two files that changed during the day, as in the first snapshot (restored from ${shortId(need(s.first, 'first').id)} into ${then}) and as now:`);
    await mkdir(work, { recursive: true });
    for (const [i, rel] of files.entries()) {
      const old = join(then, rel);
      const now = join(s.state, rel);
      const out = join(work, String(i));
      const newSize = (await stat(now)).size;
      const rs = await roundTrip(s, old, now, out, 'librsync');
      const nat = await roundTrip(s, old, now, out, 'native');
      say(s, `     ${rel}: ${size((await stat(old)).size)} → ${size(newSize)}`);
      say(s, `       librsync format: signature ${size(rs.sig)}, delta ${size(rs.delta)} (${pct(rs.delta, newSize)} of the new file);`);
      say(s, `       native format: signature ${size(nat.sig)}, delta ${size(nat.delta)} (${pct(nat.delta, newSize)}); both patches byte-identical to the new file`);
      if (!s.rdiff) continue;
      rdiff(s, ['signature', old, `${out}.rdiff.sig`]);
      mustHold(await sameBytes(`${out}.librsync.sig`, `${out}.rdiff.sig`), `rdiff's signature of ${rel} differs from ours`);
      rdiff(s, ['patch', old, `${out}.librsync.delta`, `${out}.by-rdiff`]);
      mustHold(await sameBytes(`${out}.by-rdiff`, now), `rdiff patch with our delta of ${rel} gave different bytes`);
      rdiff(s, ['delta', `${out}.rdiff.sig`, now, `${out}.rdiff.delta`]);
      await patchFile(old, `${out}.rdiff.delta`, `${out}.rdiff.patched`, { signal: s.ctx.signal });
      mustHold(await sameBytes(`${out}.rdiff.patched`, now), `our patch with rdiff's delta of ${rel} gave different bytes`);
      say(s, `       rdiff: its signature is byte-identical to ours; it applied our delta and we applied its delta: both exact`);
    }
    if (!s.rdiff) say(s, '     rdiff is not on PATH, so the cross-check was skipped (Debian/Ubuntu: apt install rdiff)');
  },
};
