/*
 * The three tools of the snapshot-store comparison (clawback, restic, borg) as
 * command lines over one layout: each tool has a home directory holding its
 * repository (`repo/`) and whatever cache it keeps beside it, so a home can be
 * copied and put back to rerun a step from the same state. Each tool runs
 * with its own defaults; the differences that matter are listed in NOTES.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from './store-measure.mjs';

const JOB = fileURLToPath(new URL('./store-job.mjs', import.meta.url));

/** Differences between the tools' defaults, for the report. */
export const NOTES = [
  'restic encrypts always (AES-256-CTR + Poly1305 MAC, scrypt key); compression `auto` (zstd) in a version 2 repository; chunks 512 KiB to 8 MiB (average 1 MiB); cache in the bench directory (RESTIC_CACHE_DIR).',
  'borg runs with `-e none` (no encryption, no MAC; blob ids are plain SHA-256), default compression lz4 and chunker buzhash 2^19..2^23 (average ~2 MiB); cache and security dirs in the bench directory (BORG_BASE_DIR).',
  'clawback: no encryption, chunks 4-64 KiB (FastCDC, average 16 KiB), deflate level 3 per blob, 8 MiB packs (its defaults).',
];

const restic = {
  name: 'restic',
  version: () => run(['restic', 'version']).trim().split(' compiled')[0],
  env: (home) => ({ ...process.env, RESTIC_PASSWORD: 'x', RESTIC_CACHE_DIR: join(home, 'cache') }),
  init(home) {
    run(['restic', 'init', '-q', '--repo', join(home, 'repo')], { env: this.env(home) });
  },
  backup(home, src) {
    return { argv: ['restic', 'backup', '-q', '--host', 'bench', '--repo', join(home, 'repo'), src], env: this.env(home) };
  },
  restore(home, target) {
    return { argv: ['restic', 'restore', 'latest', '-q', '--repo', join(home, 'repo'), '--target', target], env: this.env(home) };
  },
  check(home) {
    return { argv: ['restic', 'check', '-q', '--read-data', '--repo', join(home, 'repo')], env: this.env(home) };
  },
};

const borg = {
  name: 'borg',
  version: () => run(['borg', '--version']).trim(),
  env: (home) => ({
    ...process.env,
    BORG_PASSPHRASE: '',
    BORG_BASE_DIR: join(home, 'base'),
    BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK: 'yes',
    BORG_RELOCATED_REPO_ACCESS_IS_OK: 'yes',
  }),
  init(home) {
    run(['borg', 'init', '-e', 'none', join(home, 'repo')], { env: this.env(home) });
  },
  backup(home, src) {
    return { argv: ['borg', 'create', `${join(home, 'repo')}::{utcnow:%Y%m%dT%H%M%S%f}`, src], env: this.env(home) };
  },
  restore(home, target) {
    const env = this.env(home);
    const last = run(['borg', 'list', '--last', '1', '--short', join(home, 'repo')], { env }).trim();
    // borg extract writes into its working directory, paths without the leading '/'.
    return { argv: ['borg', 'extract', `${join(home, 'repo')}::${last}`], env, cwd: target };
  },
  check(home) {
    return { argv: ['borg', 'check', '--verify-data', join(home, 'repo')], env: this.env(home) };
  },
};

const clawback = {
  name: 'clawback',
  version: () => `clawback (node ${process.version})`,
  env: () => process.env,
  init(home) {
    run([process.execPath, JOB, 'init', join(home, 'repo')]);
  },
  backup(home, src) {
    return { argv: [process.execPath, JOB, 'backup', join(home, 'repo'), src], env: this.env() };
  },
  restore(home, target) {
    return { argv: [process.execPath, JOB, 'restore', join(home, 'repo'), target], env: this.env() };
  },
  check(home) {
    return { argv: [process.execPath, JOB, 'check', join(home, 'repo'), '--read-data'], env: this.env() };
  },
};

/** The tools in report order; clawback first, the ratios divide by the others. */
export const TOOLS = [clawback, restic, borg];

/** Where a tool puts the source directory `src` when restoring into `target` (all three nest the absolute path). */
export const restoredRoot = (target, src) => join(target, src);
