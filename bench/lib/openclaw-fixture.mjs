/*
 * The build and the data of the OpenClaw benchmark: a copy of dist/ in the
 * work dir (so the lead rebuilding dist/ during a run changes nothing), and
 * fixture A generated once per (profile, scale, seed, generator code, live
 * path) and cached in the work dir, as bench/store-compare.mjs does.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { run } from './store-measure.mjs';

const sh = (cmd) => run(['sh', '-c', cmd]).trim();

/** Copies `<repo>/dist` and package.json to `<work>/build/` (node_modules linked beside them); returns dist/src/index.js. CLAWBACK_DIST, when set, wins. */
export function snapshotBuild(repoRoot, work) {
  if (process.env.CLAWBACK_DIST) return process.env.CLAWBACK_DIST;
  const to = join(work, 'build');
  rmSync(to, { recursive: true, force: true });
  mkdirSync(to, { recursive: true });
  cpSync(join(repoRoot, 'dist'), join(to, 'dist'), { recursive: true });
  symlinkSync(join(repoRoot, 'node_modules'), join(to, 'node_modules'));
  // The CLI reads its version from the package.json above it.
  cpSync(join(repoRoot, 'package.json'), join(to, 'package.json'));
  return join(to, 'dist', 'src', 'index.js');
}

/** The commit, and every uncommitted change in the tree (git status --porcelain), for the record. */
export function treeInfo(repoRoot) {
  const q = JSON.stringify(repoRoot);
  const status = run(['sh', '-c', `git -C ${q} status --porcelain 2>/dev/null || true`]);
  return { commit: sh(`git -C ${q} log -1 --format=%h 2>/dev/null || true`), uncommitted: status.split('\n').filter((l) => l.trim() !== '') };
}

/** A hash of the fixture generator's built code: a cached fixture is regenerated when it changes. */
const fixtureCodeHash = (distSrc) => sh(`cd ${JSON.stringify(join(distSrc, '..', 'fixtures'))} && find . -name '*.js' | sort | xargs cat | sha256sum | cut -c1-16`);

/**
 * Fixture A for these options, generated into `<work>/fixtures/` when missing or stale. Absolute
 * paths inside it (the config's workspaces and agent dirs, transcripts' cwd) name `contentRoot`,
 * the live state dir, so a `cp -a` of it there is a consistent OpenClaw home.
 * @returns {Promise<{dir: string, summary: object}>}
 */
export async function cachedFixture({ work, fixture, scale, seed }, fixtures, distSrc, contentRoot) {
  const key = `A-${fixture}-s${scale}-seed${seed}`;
  const dir = join(work, 'fixtures', key);
  const marker = `${dir}.json`;
  const codeHash = fixtureCodeHash(distSrc);
  let summary = existsSync(marker) ? JSON.parse(readFileSync(marker, 'utf8')) : undefined;
  if (summary?.codeHash !== codeHash || summary?.contentRoot !== contentRoot || !existsSync(dir)) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dirname(dir), { recursive: true });
    process.stderr.write(`generating fixture ${key} ...\n`);
    const g = await fixtures.generateState({ dir, seed, scale, profile: fixture, contentRoot });
    summary = { codeHash, contentRoot, files: g.files, dirs: g.dirs, symlinks: g.symlinks, fifos: g.fifos, bytes: g.bytes, largeFileBytes: g.largeFileBytes };
    writeFileSync(marker, JSON.stringify(summary));
  }
  return { dir, summary };
}

/** Replaces `to` with a `cp -a` copy of `from`. */
export function copyTree(from, to) {
  rmSync(to, { recursive: true, force: true });
  mkdirSync(dirname(to), { recursive: true });
  run(['cp', '-a', from, to]);
}
