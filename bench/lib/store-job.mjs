#!/usr/bin/env node
/*
 * One clawback snapshot-store operation as a whole process, so the benchmark
 * measures it exactly like a restic or borg run (wall, CPU, peak RSS under GNU time):
 *   node bench/lib/store-job.mjs init REPO
 *   node bench/lib/store-job.mjs backup REPO PATH...
 *   node bench/lib/store-job.mjs restore REPO TARGET        (latest snapshot, paths nested as restic/borg do)
 *   node bench/lib/store-job.mjs check REPO [--read-data]
 * Prints one JSON line: the op, its in-process milliseconds and the library's summary.
 */
import { layer } from './store-library.mjs';

const [op, repoDir, ...rest] = process.argv.slice(2);
if (!op || !repoDir) {
  process.stderr.write('usage: store-job.mjs init|backup|restore|check REPO [ARGS]\n');
  process.exit(2);
}

const t0 = performance.now();
const { LocalBackend, Repository, check } = await layer('store');
const loadedMs = performance.now() - t0;
let out;
let status = 0;

if (op === 'init') {
  const backend = await LocalBackend.create(repoDir);
  const repo = await Repository.init(backend);
  out = { config: repo.config };
  await backend.close();
} else {
  const backend = await LocalBackend.open(repoDir);
  try {
    const t1 = performance.now();
    const repo = await Repository.open(backend);
    const openMs = performance.now() - t1;
    if (op === 'backup') {
      const { backup } = await layer('backup');
      const res = await backup(repo, { paths: rest, host: 'bench' });
      out = { openMs, id: res.id, summary: res.summary, warnings: res.warnings.map((w) => `${w.code} ${w.path}`) };
    } else if (op === 'restore') {
      const { restore } = await layer('restore');
      const { id } = await repo.findSnapshot('latest');
      out = { openMs, id, summary: await restore(repo, id, { target: rest[0] }) };
    } else if (op === 'check') {
      const res = await check(repo, { readData: rest.includes('--read-data') });
      out = { openMs, ok: res.ok, errors: res.errors.slice(0, 20), packs: res.packs, blobs: res.blobs, bytesRead: res.bytesRead };
      if (!res.ok) status = 4;
    } else {
      process.stderr.write(`unknown op "${op}"\n`);
      status = 2;
    }
  } finally {
    await backend.close();
  }
}

process.stdout.write(JSON.stringify({ op, loadedMs, ms: performance.now() - t0, ...out }) + '\n');
process.exitCode = status;
