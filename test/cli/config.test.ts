// The settings file and the default repository through the CLI (main() in-process, env pointing HOME and the XDG
// dirs at temp dirs, so nothing touches the real home): `config show` / `config path`, init and backup creating
// the default repository on first use, explicit repositories never created, a bad --config exit 3 naming the
// line, forget's policy from the file, and no repository inside the OpenClaw state dir.
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { expectOneLineError, tempDir } from './harness.js';
import { cbInProcess as run, cbInProcessOk as runOk, jsonLines, makeTree, summaryOf } from './repo-harness.js';

let t: Awaited<ReturnType<typeof tempDir>>;
let src: string;
let n = 0;

beforeAll(async () => {
  t = await tempDir();
  src = t.path('src');
  await makeTree(src);
});

afterAll(async () => {
  await t.rmAll();
});

/** A fresh sandbox: a home and XDG data/config dirs under the temp dir (none created yet except home). */
async function sandbox(): Promise<{ env: Record<string, string>; home: string; data: string; config: string; defaultRepo: string; defaultConfig: string }> {
  const base = t.path(`box${n++}`);
  const home = join(base, 'home');
  await mkdir(home, { recursive: true });
  const data = join(base, 'xdg-data');
  const config = join(base, 'xdg-config');
  return {
    env: { HOME: home, XDG_DATA_HOME: data, XDG_CONFIG_HOME: config },
    home,
    data,
    config,
    defaultRepo: join(data, 'clawback', 'repository'),
    defaultConfig: join(config, 'clawback', 'config.yaml'),
  };
}

async function writeConfig(file: string, text: string): Promise<string> {
  await mkdir(join(file, '..'), { recursive: true });
  await writeFile(file, text);
  return file;
}

/** The one JSON object a --json command printed last. */
const last = (r: Awaited<ReturnType<typeof run>>) => jsonLines(r).at(-1)!;

describe('config show and config path', () => {
  it('with no settings file: the defaults, the default repository (not created) and the default state dir', async () => {
    const b = await sandbox();
    const j = last(await runOk(['--json', 'config', 'show'], 0, b.env));
    expect(j).toEqual({
      type: 'summary',
      command: 'config show',
      file: null,
      source: 'none',
      defaultFile: b.defaultConfig,
      repository: { path: b.defaultRepo, source: 'default', exists: false },
      stateDir: { path: join(b.home, '.openclaw'), reason: 'default' },
      settings: {
        repository: b.defaultRepo,
        openclaw: { 'exclude-node-modules': false },
        sources: [],
        exclude: [],
        include: [],
        retention: {},
        compression: {},
        'log-level': 'normal',
      },
    });
    const text = (await runOk(['config', 'show'], 0, b.env)).stdout.toString();
    expect(text).toMatch(new RegExp(`^# settings file: none .*${b.defaultConfig}`, 'm'));
    expect(text).toMatch(/^# repository: .* \(the default, created on first use\)$/m);
    expect(parseYaml(text)).toEqual(j['settings']); // the YAML body says what the JSON says
    expect(existsSync(b.defaultRepo)).toBe(false); // show never creates anything
    expect(existsSync(b.data)).toBe(false);
  });

  it('with the default settings file: its values, and its repository', async () => {
    const b = await sandbox();
    await writeConfig(b.defaultConfig, 'repository: ~/backups/claw\nexclude: ["*.log"]\nretention:\n  keep-daily: 7\ncompression:\n  level: 6\n');
    const j = last(await runOk(['--json', 'config', 'show'], 0, b.env));
    expect(j).toMatchObject({
      file: b.defaultConfig,
      source: 'default',
      repository: { path: join(b.home, 'backups', 'claw'), source: 'settings', exists: false },
      settings: { exclude: ['*.log'], retention: { 'keep-daily': 7 }, compression: { level: 6 } },
    });
    const text = (await runOk(['config', 'show'], 0, b.env)).stdout.toString();
    expect(text).toContain(`# settings file: ${b.defaultConfig} (the default)`);
    expect(parseYaml(text)).toEqual(j['settings']);
  });

  it('--repo and CLAWBACK_REPO override the file, --config and CLAWBACK_CONFIG choose it', async () => {
    const b = await sandbox();
    await writeConfig(b.defaultConfig, 'repository: /from/default\n');
    const other = await writeConfig(t.path(`other${n}.yaml`), 'repository: /from/other\n');
    const viaEnv = await writeConfig(t.path(`env${n}.yaml`), 'repository: /from/env\n');
    const show = async (args: string[], env: Record<string, string> = {}) => last(await runOk(['--json', 'config', 'show', ...args], 0, { ...b.env, ...env }));
    expect(await show([])).toMatchObject({ source: 'default', repository: { path: '/from/default', source: 'settings' } });
    expect(await show([], { CLAWBACK_CONFIG: viaEnv })).toMatchObject({ file: viaEnv, source: 'CLAWBACK_CONFIG', repository: { path: '/from/env' } });
    expect(await show(['--config', other], { CLAWBACK_CONFIG: viaEnv })).toMatchObject({ file: other, source: 'option', repository: { path: '/from/other' } });
    expect(await show(['--config', other], { CLAWBACK_REPO: '/from/var' })).toMatchObject({ repository: { path: '/from/var', source: 'CLAWBACK_REPO' } });
    expect(await show(['--config', other, '--repo', '/from/flag'], { CLAWBACK_REPO: '/from/var' })).toMatchObject({ repository: { path: '/from/flag', source: 'option' } });
  });

  it('config path: the file that would be read, or where the default goes', async () => {
    const b = await sandbox();
    const none = await runOk(['config', 'path'], 0, b.env);
    expect(none.stdout.toString()).toBe(`${b.defaultConfig}\n`);
    expect(none.stderr).toMatch(/no settings file there yet/);
    expect(last(await runOk(['--json', 'config', 'path'], 0, b.env))).toEqual({ type: 'summary', command: 'config path', file: b.defaultConfig, source: 'none', exists: false, defaultFile: b.defaultConfig });
    await writeConfig(b.defaultConfig, 'exclude: []\n');
    const dflt = await runOk(['config', 'path'], 0, b.env);
    expect([dflt.stdout.toString(), dflt.stderr]).toEqual([`${b.defaultConfig}\n`, '']);
    const mine = t.path(`mine${n}.yaml`);
    const named = await runOk(['config', 'path', '--config', mine], 0, b.env);
    expect(named.stdout.toString()).toBe(`${mine}\n`);
    expect(named.stderr).toMatch(/from --config does not exist/);
    expect(last(await runOk(['--json', 'config', 'path'], 0, { ...b.env, CLAWBACK_CONFIG: mine }))).toMatchObject({ file: mine, source: 'CLAWBACK_CONFIG', exists: false });
  });

  it('usage errors: an unknown action, two actions, an empty --config (exit 2)', async () => {
    const b = await sandbox();
    for (const args of [['config', 'edit'], ['config', 'show', 'path'], ['config', 'show', '--config', ''], ['config', 'path', '--repo', '/x']]) {
      const r = await run(args, b.env);
      expect(r.code, args.join(' ')).toBe(2);
      expectOneLineError(r.stderr);
    }
  });
});

describe('an invalid or missing settings file', () => {
  it('--config with a bad file: exit 3, one line naming the file, line and key, for every repository command', async () => {
    const b = await sandbox();
    const bad = await writeConfig(t.path(`bad${n}.yaml`), '# settings\nrepository: /r\n\nretention:\n  keep-last: 1\n  keep-hourly: 2\n  keep-daily: seven\n');
    for (const args of [['config', 'show'], ['init'], ['backup', src], ['snapshots'], ['forget'], ['check']]) {
      const r = await run([...args, '--config', bad], b.env);
      expect(r.code, args.join(' ')).toBe(3);
      expectOneLineError(r.stderr, new RegExp(`^clawback: ${bad} line 7: retention\\.keep-daily: expected an integer >= -1 .*, got "seven"; `));
    }
    const j = await run(['--json', 'snapshots', '--config', bad], b.env);
    expect(last(j)).toMatchObject({ error: { code: 'CONFIG', exitCode: 3 } });
    expect(existsSync(b.data)).toBe(false); // nothing was created
  });

  it('a bad default file and a bad CLAWBACK_CONFIG file fail the same way', async () => {
    const b = await sandbox();
    await writeConfig(b.defaultConfig, 'exclude: [a,\n');
    const r = await run(['snapshots'], b.env);
    expect(r.code).toBe(3);
    expectOneLineError(r.stderr, new RegExp(`${b.defaultConfig} line \\d: YAML syntax error`));
    const viaEnv = await writeConfig(t.path(`badenv${n}.yaml`), 'retention:\n  keep-daily: 1\n  keep-daily: 2\n');
    const e = await run(['snapshots'], { ...b.env, CLAWBACK_CONFIG: viaEnv });
    expect(e.code).toBe(3);
    expectOneLineError(e.stderr, new RegExp(`${viaEnv} line 3: a key appears twice`));
  });

  it('a named settings file that does not exist: exit 5; a missing default is fine', async () => {
    const b = await sandbox();
    const gone = t.path('gone.yaml');
    for (const [args, env] of [[['snapshots', '--config', gone], {}], [['config', 'show'], { CLAWBACK_CONFIG: gone }]] as const) {
      const r = await run([...args], { ...b.env, ...env });
      expect(r.code, args.join(' ')).toBe(5);
      expectOneLineError(r.stderr, new RegExp(`settings file ${gone} .*does not exist`));
    }
  });
});

describe('the default repository', () => {
  it('backup with neither --repo, CLAWBACK_REPO nor a settings repository creates it under XDG_DATA_HOME on first use', async () => {
    const b = await sandbox();
    const r = await runOk(['backup', src], 0, b.env);
    expect(r.stderr).toContain(`created the default repository at ${b.defaultRepo}`);
    expect(r.stdout.toString()).toMatch(/^snapshot [0-9a-f]{8} saved$/m);
    expect(await readdir(b.defaultRepo)).toContain('config');
    expect((await stat(b.defaultRepo)).mode & 0o777).toBe(0o700); // owner-only
    // The second use finds it; nothing is created again.
    const again = await runOk(['--json', 'backup', src], 0, b.env);
    expect(jsonLines(again).some((l) => l['type'] === 'repository-created')).toBe(false);
    const snaps = jsonLines(await runOk(['snapshots', '--json'], 0, b.env))[0] as unknown as unknown[];
    expect(snaps).toHaveLength(2);
    expect(existsSync(join(b.home, '.local'))).toBe(false); // XDG_DATA_HOME was used, not ~/.local/share
  });

  it('two commands creating it at the same time both succeed, and one repository results', async () => {
    const b = await sandbox();
    const results = await Promise.all([run(['backup', src], b.env), run(['backup', src], b.env), run(['snapshots', '--json'], b.env)]);
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const created = (r: (typeof results)[number]) => r.stderr.includes('created the default repository') || r.stdout.toString().includes('"repository-created"');
    expect(results.filter(created)).toHaveLength(1); // exactly one of them made it
    const snaps = jsonLines(await runOk(['snapshots', '--json'], 0, b.env)).at(-1) as unknown as unknown[];
    // Two snapshots, unless both backups started in the same millisecond with the same
    // content: snapshots are content-addressed, so those are one snapshot (both report its id).
    const ids = new Set(results.slice(0, 2).map((r) => String(/snapshot ([0-9a-f]{8}) saved/.exec(r.stdout.toString())?.[1])));
    expect(ids.has('undefined')).toBe(false);
    expect(snaps).toHaveLength(ids.size);
  });

  it('without XDG_DATA_HOME it is ~/.local/share/clawback/repository under HOME; --json reports the creation', async () => {
    const b = await sandbox();
    const env = { HOME: b.home, XDG_CONFIG_HOME: b.config };
    const j = await runOk(['--json', 'snapshots'], 0, env);
    const where = join(b.home, '.local', 'share', 'clawback', 'repository');
    expect(jsonLines(j)[0]).toEqual({ type: 'repository-created', location: where, source: 'default' });
    expect(jsonLines(j).at(-1)).toEqual([]);
    expect(existsSync(join(where, 'config'))).toBe(true);
  });

  it('init with no --repo creates the default, with the compression level of the settings file', async () => {
    const b = await sandbox();
    await writeConfig(b.defaultConfig, 'compression:\n  level: 7\n');
    const s = summaryOf(await runOk(['--json', 'init'], 0, b.env), 'init');
    expect(s).toMatchObject({ location: b.defaultRepo, source: 'default', compression: { codec: 'deflate', level: 7 } });
    const onDisk = JSON.parse(await readFile(join(b.defaultRepo, 'config'), 'utf8')) as { compression: { level: number } };
    expect(onDisk.compression.level).toBe(7);
    // --compression wins over the file.
    const other = t.path(`flag-repo${n}`);
    expect(summaryOf(await runOk(['--json', 'init', '--repo', other, '--compression', '2'], 0, b.env), 'init')).toMatchObject({ compression: { level: 2 } });
    // A second init of the default: EXISTS (exit 6).
    expect((await run(['init'], b.env)).code).toBe(6);
  });

  it('a settings repository is created by init (relative to the file) but never by other commands', async () => {
    const b = await sandbox();
    await writeConfig(b.defaultConfig, 'repository: repo-here\n');
    const where = join(b.config, 'clawback', 'repo-here');
    const missing = await run(['backup', src], b.env);
    expect(missing.code).toBe(5);
    expectOneLineError(missing.stderr, new RegExp(`no clawback repository at ${where}`), new RegExp(`"repository" in ${b.defaultConfig}`));
    expect(existsSync(where)).toBe(false);
    expect(summaryOf(await runOk(['--json', 'init'], 0, b.env), 'init')).toMatchObject({ location: where, source: 'settings' });
    await runOk(['backup', src], 0, b.env);
  });

  it('an explicitly named repository that does not exist stays NOT_FOUND (exit 5) and is not created', async () => {
    const b = await sandbox();
    const nope = t.path(`nope${n}`);
    for (const env of [{}, { CLAWBACK_REPO: nope }]) {
      const args = 'CLAWBACK_REPO' in env ? ['backup', src] : ['backup', '--repo', nope, src];
      const r = await run(args, { ...b.env, ...env });
      expect(r.code).toBe(5);
      expectOneLineError(r.stderr, /no clawback repository at .*nope/, /clawback init/);
    }
    expect(existsSync(nope)).toBe(false);
    expect(existsSync(b.data)).toBe(false);
  });

  it('a default directory that holds other files is not taken over (exit 5)', async () => {
    const b = await sandbox();
    await mkdir(b.defaultRepo, { recursive: true });
    await writeFile(join(b.defaultRepo, 'notes.txt'), 'mine');
    const r = await run(['snapshots'], b.env);
    expect(r.code).toBe(5);
    expectOneLineError(r.stderr, /no clawback repository at/, /holds other files/);
    expect(await readdir(b.defaultRepo)).toEqual(['notes.txt']);
  });

  it('log-level: quiet in the settings is --quiet', async () => {
    const b = await sandbox();
    await writeConfig(b.defaultConfig, 'log-level: quiet\n');
    const r = await runOk(['backup', src], 0, b.env);
    expect([r.stdout.toString(), r.stderr]).toEqual(['', '']);
  });
});

describe('never inside the OpenClaw state dir', () => {
  it('init --repo inside ~/.openclaw or inside OPENCLAW_STATE_DIR: UNSAFE_PATH (exit 3), nothing created', async () => {
    const b = await sandbox();
    const state = t.path(`state${n}`);
    const cases: [string, Record<string, string>, string][] = [
      [join(b.home, '.openclaw', 'backups'), {}, join(b.home, '.openclaw')],
      [join(b.home, '.openclaw'), {}, join(b.home, '.openclaw')],
      [join(state, 'repo'), { OPENCLAW_STATE_DIR: state }, state],
    ];
    for (const [dir, env, stateDir] of cases) {
      const r = await run(['init', '--repo', dir], { ...b.env, ...env });
      expect(r.code, dir).toBe(3);
      expectOneLineError(r.stderr, new RegExp(`refusing to use a repository at .* inside ${stateDir},`));
      expect(existsSync(dir), dir).toBe(false);
    }
    // A sibling with a similar name is fine.
    await runOk(['init', '--repo', join(b.home, '.openclaw-backups')], 0, b.env);
  });

  it('the settings state dir counts too, also through a symlinked parent', async () => {
    const b = await sandbox();
    const state = t.path(`cfg-state${n}`);
    await mkdir(state);
    const { symlink } = await import('node:fs/promises');
    const link = t.path(`link-to-state${n}`);
    await symlink(state, link);
    await writeConfig(b.defaultConfig, `openclaw:\n  state-dir: ${state}\n`);
    const r = await run(['init', '--repo', join(link, 'repo')], b.env);
    expect(r.code).toBe(3);
    expectOneLineError(r.stderr, /refusing to use a repository at .* inside /);
    expect(await readdir(state)).toEqual([]);
  });

  it('the default repository is not created when the data dir is inside the state dir', async () => {
    const b = await sandbox();
    const env = { ...b.env, XDG_DATA_HOME: join(b.home, '.openclaw', 'data') };
    const r = await run(['backup', src], env);
    expect(r.code).toBe(3);
    expectOneLineError(r.stderr, /refusing to use a repository at .* inside /);
    expect(existsSync(join(b.home, '.openclaw'))).toBe(false);
  });
});

describe('forget takes its policy from the settings when no --keep-* is given', () => {
  it('settings keep-last: used without flags; any --keep-* replaces it; neither is refused', async () => {
    const b = await sandbox();
    for (let i = 0; i < 3; i++) {
      await writeFile(join(src, 'counter.txt'), `run ${i}\n`);
      await runOk(['backup', src, '--tag', `n${i}`], 0, b.env);
    }
    const refused = await run(['forget'], b.env);
    expect(refused.code).toBe(2);
    expectOneLineError(refused.stderr, /no policy was given/, /--keep/);

    await writeConfig(b.defaultConfig, 'retention:\n  keep-last: 1\n');
    const fromFile = summaryOf(await runOk(['--json', 'forget', '--dry-run'], 0, b.env), 'forget');
    expect(fromFile).toMatchObject({ policySource: 'settings', kept: 1 });
    expect(fromFile['removed']).toHaveLength(2);
    const text = await runOk(['forget', '--dry-run'], 0, b.env);
    expect(text.stdout.toString()).toContain(`Applying Policy: keep 1 latest snapshots (from ${b.defaultConfig})`);

    const fromFlags = summaryOf(await runOk(['--json', 'forget', '--dry-run', '--keep-last', '2'], 0, b.env), 'forget');
    expect(fromFlags).toMatchObject({ policySource: 'flags', kept: 2 });
    expect(fromFlags['removed']).toHaveLength(1);
  });
});
