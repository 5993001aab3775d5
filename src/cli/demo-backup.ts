/*
 * The demo's first half: build a realistic OpenClaw home with the seeded
 * fixture generator, back it up into a new repository, apply a day of agent
 * activity, and back up again, printing what each backup read, stored and
 * deduplicated.
 */
import { join } from 'node:path';
import { EDGE, generateState, mutateState } from '../../fixtures/index.js';
import type { BackupResult } from '../backup/backup.js';
import { resolveScope } from '../openclaw/scope.js';
import { backupState } from '../openclaw/state-backup.js';
import { LocalBackend } from '../store/backend-local.js';
import { Repository } from '../store/repository.js';
import { count, DEMO_SCALE, DEMO_SEED, need, pct, say, secs, size, timed, wrapList, type DemoStep } from './demo-context.js';
import { takeReference, treeBytes, walkTree } from './demo-tree.js';
import { shortId } from './format.js';

/** Where the bytes of a tree are, by top-level folder: the biggest few, then the rest. */
function byFolder(state: string, top = 6): string[] {
  const bytes = new Map<string, number>();
  for (const e of walkTree(state)) {
    if (e.kind !== 'file') continue;
    const first = e.rel.includes('/') ? `${e.rel.slice(0, e.rel.indexOf('/'))}/` : e.rel;
    bytes.set(first, (bytes.get(first) ?? 0) + e.size);
  }
  const rows = [...bytes].sort((a, b) => b[1] - a[1]);
  const rest = rows.slice(top).reduce((n, [, b]) => n + b, 0);
  return [...rows.slice(0, top).map(([name, b]) => `${name} ${size(b)}`), ...(rest > 0 ? [`${rows.length - top} more ${size(rest)}`] : [])];
}

export const buildHome: DemoStep = {
  title: 'Built a realistic OpenClaw home (from a fixed seed, so every run builds the same one)',
  async run(s) {
    const [g, ms] = await timed(() => generateState({ dir: s.state, seed: DEMO_SEED, scale: DEMO_SCALE, profile: 'legacy' }));
    s.generated = g;
    const entries = walkTree(s.state);
    for (const e of entries) if (e.kind === 'file') s.initialSizes.set(e.rel, e.size);
    const transcripts = entries.filter((e) => e.kind === 'file' && /^agents\/[^/]+\/sessions\/[^/]+\.jsonl$/.test(e.rel)).length;
    const dbs = g.sqliteFiles.filter((f) => !/-(wal|shm|journal)$/.test(f)).length;
    say(s, `     ${s.state}`);
    say(s, `     ${count(g.files, 'file')}, ${size(g.bytes)}, in ${count(g.dirs, 'directory', 'directories')}, made in ${secs(ms)}: agents ${g.agents.join(' and ')} with ${transcripts} session transcripts,`);
    say(s, `     ${dbs} SQLite databases (${g.sqliteFiles.length} files with their -wal/-shm), a git workspace, a plugin with its node_modules, a browser profile`);
    say(s, `     ${count(g.symlinks, 'symlink')} (one dangling, two pointing at each other) and ${count(g.fifos, 'FIFO')} (${EDGE.fifo}, a named pipe)`);
    for (const line of wrapList(byFolder(s.state), '     where the bytes are: ', '       ')) say(s, line);
  },
};

/** Bytes read, new chunks and what they took after compression, in one line. */
function stored(r: BackupResult): string {
  const m = r.summary;
  return `read ${size(m.bytesRead)}; ${size(m.bytesAdded)} of new chunks, stored as ${size(m.bytesStored)} compressed (${pct(m.bytesStored, m.bytesAdded)})`;
}

export const firstBackup: DemoStep = {
  title: 'Backed it up into a new repository',
  async run(s) {
    s.repo = await Repository.init(await LocalBackend.create(s.repoDir));
    // What `clawback backup` with no paths takes: the state dir (and workspaces outside it), minus volatile entries.
    const scope = await resolveScope({ stateDir: s.state });
    s.scope = scope;
    const [r, ms] = await timed(() => backupState(need(s.repo, 'repo'), scope));
    s.first = r;
    const m = r.summary;
    say(s, `     repository ${s.repoDir}: content-defined chunks, deduplicated and compressed, owner-only (0700/0600)`);
    say(s, `     snapshot ${shortId(r.id)} in ${secs(ms)}: ${count(m.totalFiles, 'file')} (${size(m.totalBytes)}) in ${count(m.dirs, 'directory', 'directories')} (.openclaw itself included)`);
    say(s, `     sessions, archives, credentials, SQLite databases with their WALs, workspace and .git, plugins: all in;`);
    say(s, `     ${count(m.secrets ?? 0, 'file')} hold secrets (credentials, auth profiles, .env, identity): kept with their 0600 modes, never printed`);
    for (const line of wrapList([...scope.exclude], '     left out as volatile or regenerable: ', '       ')) say(s, line);
    say(s, `     ${stored(r)}; the repository is ${size(treeBytes(s.repoDir))} on disk`);
    if (r.warnings.length > 0) say(s, `     ${count(r.warnings.length, 'warning')}:`);
    for (const w of r.warnings) say(s, `       ${w.path.startsWith(s.state + '/') ? w.path.slice(s.state.length + 1) : w.path}: ${w.message} (${w.code})`);
  },
};

export const dayOfChanges: DemoStep = {
  title: 'Lived a day: applied one day of agent activity to the home',
  async run(s) {
    const [d, ms] = await timed(() => mutateState({ dir: s.state, seed: DEMO_SEED, scale: DEMO_SCALE, profile: 'legacy' }));
    s.day = d;
    const f = d.files;
    for (const line of wrapList(d.steps.map((st) => st.name), `     ${d.steps.length} kinds of change in ${secs(ms)}: `, '       ')) say(s, line);
    say(s, `     files: ${f.added} added, ${f.modified} modified (${f.appended} only appended to), ${f.deleted} deleted (${f.renamed} of them renamed), ${f.metaOnly} only touched`);
    say(s, `     bytes: ${size(d.bytes.before)} before, ${size(d.bytes.after)} after; ${size(d.bytes.changed)} really changed (counted in 4 KiB blocks, the size of a SQLite page)`);
    // What the second backup will see, kept aside to check the rollback against.
    s.reference = takeReference(s.state, join(s.dir, 'reference'));
    say(s, `     kept a plain copy of the home as it is now (${size(s.reference.bytes)}), to check the rollback against`);
  },
};

export const secondBackup: DemoStep = {
  title: 'Backed up again',
  async run(s) {
    const repo = need(s.repo, 'repo');
    const before = treeBytes(s.repoDir);
    const [r, ms] = await timed(() => backupState(repo, need(s.scope, 'scope')));
    s.second = r;
    const m = r.summary;
    const grew = treeBytes(s.repoDir) - before;
    const changed = need(s.day, 'day').bytes.changed;
    say(s, `     snapshot ${shortId(r.id)} in ${secs(ms)}, parent ${shortId(need(s.first, 'first').id)}: ${m.filesNew} new files, ${m.filesChanged} changed, ${m.filesUnchanged} unchanged`);
    say(s, `     (unchanged = same size, mtime, ctime and inode as in the parent: not read at all)`);
    say(s, `     ${stored(r)}`);
    say(s, `     the repository grew by ${size(grew)} (chunks, trees, index and snapshot): ${pct(grew, m.totalBytes)} of the ${size(m.totalBytes)} home,`);
    say(s, `     ${(grew / changed).toFixed(2)}× the ${size(changed)} that really changed; two full copies would take ${size(need(s.first, 'first').summary.totalBytes + m.totalBytes)},`);
    say(s, `     the repository holds both snapshots in ${size(treeBytes(s.repoDir))}`);
  },
};
