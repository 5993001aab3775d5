/*
 * The demo's second half: break the home the way a bad evening does (a
 * botched config edit, a deleted transcript, a database with overwritten
 * pages), roll it back in place to the second snapshot, and prove the result:
 * byte for byte against a copy, against the snapshot's listing, and with a
 * full repository check.
 */
import { open, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PathFilter } from '../core/path-filter.js';
import { rollback } from '../openclaw/rollback.js';
import { check } from '../store/check.js';
import { ls } from '../store/ls.js';
import { count, mustHold, need, say, secs, size, timed, type DemoState, type DemoStep } from './demo-context.js';
import { compareWithReference, walkTree, type TreeEntry } from './demo-tree.js';
import { shortId } from './format.js';

/** The JSON.parse message for `text`, or undefined when it parses. */
function parseError(text: string): string | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

const largest = (entries: TreeEntry[], test: RegExp, what: string): TreeEntry => {
  const e = entries.filter((x) => x.kind === 'file' && test.test(x.rel)).sort((a, b) => b.size - a.size)[0];
  if (!e) throw new Error(`demo: the generated home has no ${what}`);
  return e;
};

const PAGE = 4096;

export const breakHome: DemoStep = {
  title: 'Broke it, the way a bad evening goes',
  async run(s) {
    const entries = walkTree(s.state);
    // A botched edit: the editor saved the first half of the file and a stray line.
    const cfgPath = join(s.state, 'openclaw.json');
    const config = await readFile(cfgPath);
    const text = config.toString('utf8');
    mustHold(parseError(text) === undefined, 'openclaw.json did not parse before the demo broke it');
    const cut = text.lastIndexOf('\n', text.length >> 1) + 1;
    const broken = text.slice(0, cut) + '      "model": "anthropic/claude-opus-4-6",,\n';
    await writeFile(cfgPath, broken);
    say(s, `     openclaw.json: a botched edit saved half of it (${size(broken.length)} of ${size(config.length)}) and a stray comma;`);
    say(s, `       OpenClaw would not start: JSON.parse says "${parseError(broken) ?? 'nothing (it parses!)'}"`);
    // A deleted conversation.
    const t = largest(entries, /^agents\/[^/]+\/sessions\/[^/]+\.jsonl$/, 'session transcript');
    const turns = (await readFile(join(s.state, t.rel), 'utf8')).split('\n').filter((l) => l.length > 0).length;
    await rm(join(s.state, t.rel));
    say(s, `     deleted a conversation: ${t.rel} (${size(t.size)} in ${turns} JSONL records)`);
    // A crashed write: a few pages in the middle of the biggest database overwritten with zeros.
    const db = largest(entries, /\.sqlite$/, 'SQLite database');
    const pages = Math.min(3, Math.floor(db.size / PAGE));
    const at = Math.floor(db.size / PAGE / 2) * PAGE;
    const fh = await open(join(s.state, db.rel), 'r+');
    try {
      await fh.write(new Uint8Array(pages * PAGE), 0, pages * PAGE, at);
    } finally {
      await fh.close();
    }
    say(s, `     ${db.rel}: ${pages} of its ${db.size / PAGE} pages zeroed from byte ${at}, as a crashed write can leave it`);
    s.damage = { config, transcript: { rel: t.rel, size: t.size }, database: { rel: db.rel, size: db.size, overwritten: pages * PAGE } };
  },
};

export const rollBack: DemoStep = {
  title: 'Rolled back to the second snapshot, in place (clawback rollback)',
  async run(s) {
    const snap = need(s.second, 'second');
    const written: string[] = [];
    const deleted: string[] = [];
    const rel = (p: string) => (p.startsWith(s.state + '/') ? p.slice(s.state.length + 1) : p);
    const [res, ms] = await timed(() =>
      rollback(need(s.repo, 'repo'), {
        scope: need(s.scope, 'scope'),
        snapshot: snap.id,
        onProgress: (e) => {
          if (e.type !== 'restore') return;
          if (e.action === 'written') written.push(rel(e.path));
          else if (e.action === 'deleted') deleted.push(rel(e.path));
        },
      }),
    );
    const r = res.restored;
    say(s, `     checked that no OpenClaw gateway is running (port ${res.gateway.port}, gateway locks, processes): ${res.gateway.running ? 'one is' : 'none'}`);
    say(s, `     took a safety snapshot of the broken state first: ${shortId(res.safetySnapshotId ?? '')} ('clawback rollback --undo' would go back to it)`);
    say(s, `     restored snapshot ${shortId(snap.id)} over ${s.state} in ${secs(ms)}, safety snapshot included`);
    say(s, `     ${count(r.filesWritten, 'file')} written, ${r.filesUnchanged} unchanged (known from the safety snapshot's records, not even read), ${r.deleted} deleted`);
    if (res.removedShm.length > 0) say(s, `     removed ${count(res.removedShm.length, 'stale SQLite -shm file')} (they belonged to the replaced WALs)`);
    for (const p of written.sort().slice(0, 6)) say(s, `       written: ${p}`);
    if (written.length > 6) say(s, `       and ${written.length - 6} more`);
    for (const p of deleted.sort()) say(s, `       deleted: ${p}`);
    say(s, `     of the ${size(r.bytesWritten)} written, ${size(r.bytesReused)} were reused from the damaged files on disk and ${size(r.bytesFetched)} fetched from the repository`);
  },
};

/** Compares the restored home with the snapshot's own listing (what `clawback ls` shows): the same entries, sizes, modes and targets. */
async function compareWithListing(s: DemoState): Promise<{ files: number; symlinks: number; dirs: number; differences: string[] }> {
  const disk = new Map(walkTree(s.state).map((e) => [e.rel, e]));
  const out = { files: 0, symlinks: 0, dirs: 0, differences: [] as string[] };
  const listed = new Set<string>();
  for await (const { path, node } of ls(need(s.repo, 'repo'), need(s.second, 'second').snapshot.tree, s.state)) {
    const rel = path.slice(s.state.length + 1);
    listed.add(rel);
    const e = disk.get(rel);
    const kind = node.type === 'dir' ? 'dir' : node.type === 'symlink' ? 'symlink' : 'file';
    if (kind === 'file') out.files++;
    else if (kind === 'symlink') out.symlinks++;
    else out.dirs++;
    if (!e || e.kind !== kind) out.differences.push(`${rel}: the snapshot has a ${kind}, the disk ${e ? `a ${e.kind}` : 'nothing'}`);
    else if (kind === 'symlink' && e.target !== node.target) out.differences.push(`${rel}: the snapshot's link points to ${node.target}, the disk's to ${e.target}`);
    else if (kind === 'file' && e.size !== node.size) out.differences.push(`${rel}: the snapshot says ${node.size} bytes, the disk has ${e.size}`);
    else if (kind !== 'symlink' && e.mode !== node.mode) out.differences.push(`${rel}: the snapshot says mode ${node.mode.toString(8)}, the disk has ${e.mode.toString(8)}`);
  }
  const left = leftOut(s);
  for (const [rel, e] of disk) if (!listed.has(rel) && e.kind !== 'fifo' && e.kind !== 'other' && !left(rel)) out.differences.push(`${rel}: on disk but not in the snapshot`);
  return out;
}

/** True for a path the backups leave out (the scope's default excludes) or that lies below one. */
function leftOut(s: DemoState): (rel: string) => boolean {
  const f = new PathFilter({ exclude: need(s.scope, 'scope').exclude });
  return (rel) => rel.split('/').some((_, i, parts) => f.excluded(parts.slice(0, i + 1).join('/')));
}

const firstFew = (d: string[]) => d.slice(0, 3).join('; ') + (d.length > 3 ? `; and ${d.length - 3} more` : '');

export const verify: DemoStep = {
  title: 'Verified the rollback',
  async run(s) {
    const c = compareWithReference(s.state, need(s.reference, 'reference'), leftOut(s));
    mustHold(c.differences.length === 0, `the rolled-back home differs from the copy taken before the second backup: ${firstFew(c.differences)}`);
    s.verified = c.files;
    say(s, `     against the copy kept in step 3: ${count(c.files, 'file')} (${size(c.bytes)}) byte for byte, with modes and mtimes; ${c.symlinks} symlink targets;`);
    say(s, `     ${c.dirs} directories' modes and mtimes${c.special.length > 0 ? ` (left out: ${count(c.special.length, 'volatile entry', 'volatile entries')} no backup holds, such as ${c.special.slice(0, 2).join(', ')})` : ''}`);
    say(s, `     verified ${c.files} files, identical`);
    const d = need(s.damage, 'damage');
    const config = await readFile(join(s.state, 'openclaw.json'));
    mustHold(config.equals(d.config) && parseError(config.toString('utf8')) === undefined, 'openclaw.json is not back as it was');
    const transcript = walkTree(s.state).find((e) => e.rel === d.transcript.rel);
    mustHold(transcript?.size === d.transcript.size, `${d.transcript.rel} is not back`);
    say(s, `     openclaw.json parses again; ${d.transcript.rel.slice(d.transcript.rel.lastIndexOf('/') + 1)} is back (${size(d.transcript.size)}); ${d.database.rel} is whole again`);
    const l = await compareWithListing(s);
    mustHold(l.differences.length === 0, `the rolled-back home differs from the snapshot's listing: ${firstFew(l.differences)}`);
    mustHold(l.files === c.files && l.symlinks === c.symlinks && l.dirs === c.dirs, `the snapshot lists ${l.files} files, ${l.symlinks} symlinks and ${l.dirs} directories, the copy has ${c.files}, ${c.symlinks} and ${c.dirs}`);
    say(s, `     the snapshot's listing (clawback ls) agrees: ${l.files} files, ${l.symlinks} symlinks, ${l.dirs} directories, same sizes, modes and targets`);
    const [k, ms] = await timed(() => check(need(s.repo, 'repo'), { readData: true }));
    mustHold(k.ok, `the repository check found ${count(k.errors.length, 'problem')}: ${firstFew(k.errors.map((e) => `${e.object}: ${e.message}`))}`);
    say(s, `     repository check, reading all data: ${k.snapshots} snapshots, ${k.trees} trees, ${k.packs} packs, ${k.blobs} blobs,`);
    say(s, `     ${size(k.bytesRead)} re-read and re-hashed in ${secs(ms)}: no errors${k.unindexedPacks.length > 0 ? ` (${count(k.unindexedPacks.length, 'unindexed pack')}, removed by prune)` : ''}`);
  },
};
