/*
 * The two tools of the OpenClaw benchmark as command lines over one layout:
 * clawback through its real CLI (no paths: the OpenClaw scope, found through
 * OPENCLAW_STATE_DIR) and restic on the state dir. Each tool has a home under
 * the work dir holding its repository, its cache and an empty HOME, so no
 * settings file, repository or OpenClaw variable of the user's leaks in.
 */
import { join } from 'node:path';
import { run } from './store-measure.mjs';

/** The environment without the user's OpenClaw, clawback and XDG variables, plus `extra`. */
function cleanEnv(extra) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(OPENCLAW_|CLAWBACK_|XDG_)/.test(k)) env[k] = v;
  return { ...env, ...extra };
}

/**
 * Where one tool keeps its things in one run.
 * @param {string} work the work dir
 * @param {string} name the tool's name
 * @param {string} state the live OpenClaw state dir (shared by the tools, one after the other)
 */
export function toolLayout(work, name, state) {
  const home = join(work, name);
  return { home, repo: join(home, 'repo'), userHome: join(home, 'home'), restoreTarget: join(home, 'restore'), state };
}

/** clawback's CLI: `node <dist>/src/cli/main.js`. */
export function clawbackTool(cli) {
  const node = process.execPath;
  return {
    name: 'clawback',
    version: () => `${run([node, cli, '--version']).trim()} (node ${process.version})`,
    env: (t) =>
      cleanEnv({
        HOME: t.userHome,
        XDG_CONFIG_HOME: join(t.userHome, '.config'),
        XDG_DATA_HOME: join(t.userHome, '.local', 'share'),
        XDG_CACHE_HOME: join(t.userHome, '.cache'),
        OPENCLAW_STATE_DIR: t.state,
      }),
    /** Creates the repository (untimed). */
    init(t) {
      run([node, cli, 'init', '--repo', t.repo, '-q'], { env: this.env(t) });
    },
    /** `clawback backup` with no paths: the OpenClaw scope. `json` adds --json (the summary line with durationMs). */
    backup(t, { json = false, nodeArgs = [] } = {}) {
      return { argv: [node, ...nodeArgs, cli, ...(json ? ['--json'] : []), 'backup', '--repo', t.repo, '-q'], env: this.env(t) };
    },
    /** The id of the oldest snapshot (the initial backup). */
    firstSnapshot(t) {
      const list = JSON.parse(run([node, cli, '--json', 'snapshots', '--repo', t.repo, '-q'], { env: this.env(t) }).trim().split('\n').pop());
      return [...list].sort((a, b) => a.time.localeCompare(b.time))[0].id;
    },
    /** `clawback rollback ID`: gateway check, safety snapshot, in-place restore deleting what was created since. */
    rollback(t, id, { json = false, quiet = true, nodeArgs = [] } = {}) {
      return { argv: [node, ...nodeArgs, cli, ...(json ? ['--json'] : []), 'rollback', id, '--repo', t.repo, ...(quiet ? ['-q'] : [])], env: this.env(t) };
    },
  };
}

/** restic on the state dir (encrypted repository, cache in the tool's home). */
export const resticTool = {
  name: 'restic',
  version: () => run(['restic', 'version']).trim().split(' compiled')[0],
  env: (t) => cleanEnv({ HOME: t.userHome, RESTIC_PASSWORD: 'x', RESTIC_CACHE_DIR: join(t.home, 'cache') }),
  init(t) {
    run(['restic', 'init', '-q', '--repo', t.repo], { env: this.env(t) });
  },
  backup(t) {
    return { argv: ['restic', 'backup', '-q', '--host', 'bench', '--repo', t.repo, t.state], env: this.env(t) };
  },
  firstSnapshot(t) {
    const list = JSON.parse(run(['restic', 'snapshots', '--json', '-q', '--repo', t.repo], { env: this.env(t) }));
    return [...list].sort((a, b) => a.time.localeCompare(b.time))[0].id;
  },
  /** (a) the snapshot into an empty directory; restic nests the absolute path below the target. */
  restore(t, id) {
    return { argv: ['restic', 'restore', id, '-q', '--repo', t.repo, '--target', t.restoreTarget], env: this.env(t) };
  },
  /** Where restore() puts the state dir. */
  restored: (t) => join(t.restoreTarget, t.state),
  /** (b) make the live dir equal to the restored copy: rsync's quick check (size and mtime), deleting extra entries. */
  sync(t, { checksum = false } = {}) {
    return { argv: ['rsync', '-a', '--delete', ...(checksum ? ['--checksum'] : []), `${join(t.restoreTarget, t.state)}/`, `${t.state}/`], env: process.env };
  },
};
