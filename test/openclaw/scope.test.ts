// What `clawback backup` with no paths covers, on generated state dirs of both eras plus
// workspaces and an agent dir outside the state dir: the source list (deduped, nested,
// missing and home-sized roots dropped), the default excludes taking exactly the volatile
// entries (checked with the real PathFilter), the kept manifests, secrets and append-only files.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EDGE, generateState, scanTree, type Scan } from '../../fixtures/index.js';
import { isClawbackError } from '../../src/core/errors.js';
import { PathFilter } from '../../src/core/path-filter.js';
import type { HostInfo } from '../../src/openclaw/platform-dirs.js';
import { DEFAULT_EXCLUDES, MANIFEST_PATTERNS, resolveScope, type OpenClawScope } from '../../src/openclaw/scope.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const t = makeTempDir('scope');
afterAll(() => t.remove());

/** Is `rel` taken by the walk: not excluded (itself or a directory above), or taken back by a keep pattern? */
function taken(f: PathFilter, rel: string): boolean {
  const parts = rel.split('/');
  let out = true;
  for (let i = 1; i <= parts.length; i++) {
    const p = parts.slice(0, i).join('/');
    if (f.kept(p)) out = true;
    else if (f.excluded(p)) out = false;
  }
  return out;
}

/** The volatile entries, written from the list, independently of the patterns. */
function volatile(rel: string): boolean {
  if (rel === 'cache/control-ui-assets' || rel.startsWith('cache/control-ui-assets/')) return true;
  return rel.split('/').some(
    (c) => ['SingletonLock', 'SingletonSocket', 'SingletonCookie'].includes(c) || c.endsWith('.sock') || c.endsWith('.pid') || c.endsWith('-shm') || /\.tmp($|-|\.)/.test(c),
  );
}

/** The secret files of issue 4 §5, relative to the state dir. */
function secretRel(rel: string): boolean {
  const base = rel.split('/').pop();
  return rel.startsWith('credentials/') || rel.startsWith('identity/') || base === 'auth-profiles.json' || base === '.env' || rel === 'state/openclaw.sqlite' || rel === 'state/openclaw.sqlite-wal';
}

function files(scan: Scan): string[] {
  return [...scan].filter(([, e]) => e.type === 'file').map(([k]) => k);
}

function put(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

interface World {
  base: string;
  home: string;
  state: string;
  ws: string;
  agent: string;
  host: HostInfo;
  scan: Scan;
}

async function makeWorld(profile: 'legacy' | 'sqlite'): Promise<World> {
  const base = t.file(profile);
  const home = path.join(base, 'home');
  const state = path.join(home, '.openclaw');
  const ws = path.join(base, 'outside', 'ws-research');
  const agent = path.join(base, 'outside', 'agent-research');
  await generateState({ dir: state, seed: 7, scale: 0.02, profile });
  // Roots outside the state dir, named in the generated config.
  put(path.join(ws, 'MEMORY.md'), '# memory\n');
  put(path.join(ws, 'sessions', 'x.jsonl'), '{"type":"session"}\n');
  put(path.join(ws, 'auth-profiles.json'), '{}'); // a workspace file, not an agent's credentials
  put(path.join(ws, 'scratch.tmp'), 'x');
  put(path.join(ws, 'sub', 'deeper.md'), 'nested workspace');
  put(path.join(ws, '.openclaw', 'extensions', 'tool', 'package.json'), '{}');
  put(path.join(ws, '.openclaw', 'extensions', 'tool', 'openclaw.plugin.json'), '{}');
  put(path.join(ws, '.openclaw', 'extensions', 'tool', 'node_modules', 'dep', 'package.json'), '{}');
  put(path.join(ws, '.openclaw', 'extensions', 'tool', 'node_modules', 'dep', 'index.js'), '');
  put(path.join(agent, 'auth-profiles.json'), '{"version":1}');
  put(path.join(agent, 'models.json'), '{}');
  const cfgPath = path.join(state, 'openclaw.json');
  const cfg = JSON.parse(readFileSync(cfgPath, 'utf8')) as { agents: { list: unknown[] } };
  cfg.agents.list.push(
    { id: 'research', workspace: ws, agentDir: agent },
    { id: 'nested', workspace: path.join(ws, 'sub') },
    { id: 'dup', workspace: '~/../outside/ws-research/' },
    { id: 'gone', workspace: path.join(base, 'outside', 'missing') },
    { id: 'everything', workspace: '~' },
  );
  writeFileSync(cfgPath, JSON.stringify(cfg, null, 2));
  return { base, home, state, ws, agent, host: { platform: 'linux', env: { HOME: home }, homedir: '/nonexistent' }, scan: scanTree(state) };
}

describe.each(['legacy', 'sqlite'] as const)('%s era', (profile) => {
  let w: World;
  let scope: OpenClawScope;
  beforeAll(async () => {
    w = await makeWorld(profile);
    scope = await resolveScope({ host: w.host });
  }, 60_000);

  it('lists the state dir first, then the outside workspace and agent dir', () => {
    expect(scope.location).toMatchObject({ stateDir: w.state, reason: 'default', configPath: path.join(w.state, 'openclaw.json') });
    expect(scope.paths).toEqual([w.state, w.ws, w.agent]);
  });

  it('warns about the missing workspace and the one that contains the state dir', () => {
    expect(scope.warnings).toHaveLength(2);
    expect(scope.warnings.find((m) => m.includes(path.join(w.base, 'outside', 'missing')))).toMatch(/does not exist/);
    expect(scope.warnings.find((m) => m.includes(w.home + ' '))).toMatch(/contains the state dir/);
  });

  it('reads the gateway port from the config', () => {
    const cfg = JSON.parse(readFileSync(path.join(w.state, 'openclaw.json'), 'utf8')) as { gateway: { port: number } };
    expect(scope.gatewayPort).toBe(cfg.gateway.port);
  });

  it('the default excludes take exactly the volatile entries of the state dir', () => {
    const f = new PathFilter({ exclude: scope.exclude, include: scope.include, keep: scope.keep });
    const all = [...w.scan.keys()];
    const excluded = all.filter((r) => !taken(f, r));
    const expected = all.filter(volatile);
    expect(excluded).toEqual(expected);
    // each kind of volatile entry is present, so the comparison means something
    const kinds = [/Singleton(Lock|Socket|Cookie)$/, /\.sock$/, /-shm$/, /\.tmp-\d+-\d+$/];
    for (const k of kinds) expect(excluded.some((r) => k.test(r)), String(k)).toBe(true);
    if (profile === 'sqlite') expect(excluded).toContain('cache/control-ui-assets');
  });

  it('keeps every file the issue says must be backed up', () => {
    const f = new PathFilter({ exclude: scope.exclude, keep: scope.keep });
    const mustKeep: [string, RegExp][] = [
      ['transcripts', /\.jsonl$/],
      ['credentials', /^credentials\/.+/],
      ['config ring', /^openclaw\.json(\.bak(\.\d)?)?$/],
      ['sqlite', /\.sqlite$/],
      ['wal', /-wal$/],
      ['git', /(^|\/)\.git\//],
      ['identity', /^identity\//],
      ['.env', /^\.env$/],
      ['plugin manifests', /^extensions\/[^/]+\/(package\.json|openclaw\.plugin\.json)$/],
      ['node_modules', /\/node_modules\//],
    ];
    if (profile === 'legacy') mustKeep.push(['sessions.json', /sessions\/sessions\.json$/], ['reset archives', /\.jsonl\.reset\./], ['deleted archives', /\.jsonl\.deleted\./], ['sessions_archive', /\/sessions_archive\//]);
    else mustKeep.push(['cold archives', /\/sessions\/cold\/.+\.jsonl\.zst$/], ['reindex leftovers', /memory-reindex-[^/]*-wal$/]);
    const fs = files(w.scan);
    for (const [what, re] of mustKeep) {
      const hits = fs.filter((r) => re.test(r));
      expect(hits.length, what).toBeGreaterThan(0);
      expect(hits.filter((r) => !taken(f, r)), what).toEqual([]);
    }
    expect(fs.filter((r) => /^openclaw\.json\.bak/.test(r))).toHaveLength(5);
  });

  it('keeps the edge cases: nested sessions/archive/openclaw.json, unicode, long and read-only names', () => {
    const f = new PathFilter({ exclude: scope.exclude, keep: scope.keep });
    for (const rel of [EDGE.nestedConfig, EDGE.nestedSessions, EDGE.nestedArchive, EDGE.unicode, EDGE.longName, EDGE.empty, EDGE.readOnlyFile, EDGE.readOnlyDirFile, EDGE.absoluteLink, EDGE.danglingLink, EDGE.loopA]) {
      expect(w.scan.has(rel), rel).toBe(true);
      expect(taken(f, rel), rel).toBe(true);
    }
    // the FIFO is named like a socket and is left out with them
    expect(taken(f, EDGE.fifo)).toBe(false);
  });

  it('applies the same patterns to the outside workspace', () => {
    const f = new PathFilter({ exclude: scope.exclude, keep: scope.keep });
    const ws = files(scanTree(w.ws));
    expect(ws.filter((r) => !taken(f, r))).toEqual(['scratch.tmp']);
  });

  it('counts exactly the secret files', () => {
    const all = files(w.scan);
    const expected = all.filter(secretRel);
    expect(expected.length).toBeGreaterThan(profile === 'legacy' ? 20 : 18);
    expect(all.filter((r) => scope.isSecret(path.join(w.state, r)))).toEqual(expected);
    // outside: the agent dir's auth-profiles.json is a secret, the workspace's file of that name is not
    expect(scope.isSecret(path.join(w.agent, 'auth-profiles.json'))).toBe(true);
    expect(scope.isSecret(path.join(w.agent, 'models.json'))).toBe(false);
    expect(scope.isSecret(path.join(w.ws, 'auth-profiles.json'))).toBe(false);
    expect(scope.isSecret(path.join(w.base, 'credentials', 'x.json'))).toBe(false);
    expect(scope.isSecret(w.state)).toBe(false);
  });

  it('marks *.jsonl as append-only, and nothing else', () => {
    const all = files(w.scan);
    const append = all.filter((r) => scope.isAppendOnly(path.join(w.state, r)));
    expect(append.length).toBeGreaterThan(0);
    expect(append).toEqual(all.filter((r) => r.endsWith('.jsonl')));
    expect(append.some((r) => r.includes('.jsonl.'))).toBe(false);
  });

  it('excludeNodeModules leaves out extensions/*/node_modules but keeps the manifests', async () => {
    const s = await resolveScope({ host: w.host, excludeNodeModules: true });
    const f = new PathFilter({ exclude: s.exclude, keep: s.keep });
    const all = [...w.scan.keys()];
    const gone = all.filter((r) => !taken(f, r) && !volatile(r));
    expect(gone.length).toBeGreaterThan(0);
    expect(gone.every((r) => /^extensions\/[^/]+\/node_modules(\/|$)/.test(r))).toBe(true);
    expect(all.filter((r) => /^extensions\/[^/]+\/node_modules(\/|$)/.test(r) && taken(f, r))).toEqual([]);
    expect(all.filter((r) => /^extensions\/[^/]+\/(package\.json|openclaw\.plugin\.json)$/.test(r)).every((r) => taken(f, r))).toBe(true);
    // and in a workspace
    expect(taken(f, '.openclaw/extensions/tool/node_modules/dep/index.js')).toBe(false);
    expect(taken(f, '.openclaw/extensions/tool/package.json')).toBe(true);
    expect(taken(f, 'workspace-work/.openclaw/extensions/tool/node_modules/dep/index.js')).toBe(false);
  });

  it('keeps plugin manifests even when the user excludes extensions, and does not walk node_modules for them', async () => {
    const s = await resolveScope({ host: w.host, exclude: ['extensions', '.openclaw'] });
    expect(s.exclude.slice(-2)).toEqual(['extensions', '.openclaw']);
    const f = new PathFilter({ exclude: s.exclude, keep: s.keep });
    const all = files(w.scan);
    const inExt = all.filter((r) => r.startsWith('extensions/'));
    expect(inExt.filter((r) => taken(f, r))).toEqual(inExt.filter((r) => /^extensions\/[^/]+\/(package\.json|openclaw\.plugin\.json)$/.test(r)));
    expect(f.mayContainKept('extensions')).toBe(true);
    expect(f.mayContainKept('extensions/canvas-tools/node_modules')).toBe(false);
    expect(f.mayContainKept('extensions/canvas-tools/dist')).toBe(false);
    expect(f.mayContainKept('cache/control-ui-assets')).toBe(false);
    expect(f.kept('extensions/canvas-tools/node_modules/x/package.json')).toBe(false);
    expect(taken(f, '.openclaw/extensions/tool/openclaw.plugin.json')).toBe(true);
    expect(taken(f, '.openclaw/workspace-state.json')).toBe(false);
  });
});

describe('manifest patterns', () => {
  it('match the manifests at the top of a plugin dir only', () => {
    const f = new PathFilter({ keep: MANIFEST_PATTERNS });
    for (const n of ['package.json', 'package-lock.json', 'npm-shrinkwrap.json', 'yarn.lock', 'pnpm-lock.yaml', 'bun.lockb', 'openclaw.plugin.json']) {
      expect(f.kept(`extensions/p/${n}`), n).toBe(true);
      expect(f.kept(`.openclaw/extensions/p/${n}`), n).toBe(true);
      expect(f.kept(`workspace-work/.openclaw/extensions/p/${n}`), n).toBe(true);
      expect(f.kept(`extensions/p/node_modules/d/${n}`), n).toBe(false);
      expect(f.kept(`extensions/p/dist/${n}`), n).toBe(false);
    }
    expect(f.kept('extensions/p/index.js')).toBe(false);
  });

  it('the default excludes contain no pattern that names a session, archive, database or config file', () => {
    const f = new PathFilter({ exclude: DEFAULT_EXCLUDES });
    for (const rel of [
      'agents/main/sessions/a.jsonl',
      'agents/main/sessions/a.jsonl.reset.2026-03-01T10-00-00.000Z',
      'agents/main/sessions/a.jsonl.deleted.2026-03-01T10-00-00Z',
      'agents/main/sessions/sessions.json.bak.1711111111111',
      'agents/main/sessions/a.jsonl.bak-123-1711111111111',
      'openclaw.json.clobbered.2026-03-01T10-00-00.000Z',
      'openclaw.json.last-good',
      'state/openclaw.sqlite-wal',
      'memory/main.sqlite-journal',
      'workspace/.git/objects/ab/cdef',
      'workspace/Singletons.md',
      'workspace/tmp/notes.md',
      'workspace/notes.tmpl',
      'cache/other/x',
    ]) {
      expect(f.excluded(rel), rel).toBe(false);
    }
  });
});

describe('sources and errors', () => {
  const w = t.file('small');
  const home = path.join(w, 'home');
  const state = path.join(home, '.openclaw');
  const host = (env: Record<string, string>): HostInfo => ({ platform: 'linux', env: { HOME: home, ...env }, homedir: '/nonexistent' });
  beforeAll(() => {
    mkdirSync(state, { recursive: true });
  });

  it('a missing state dir is NOT_FOUND, naming where it looked and why', async () => {
    const err = await resolveScope({ host: { platform: 'linux', env: { HOME: path.join(w, 'nobody') }, homedir: '/x' } }).catch((e: unknown) => e);
    expect(isClawbackError(err, 'NOT_FOUND')).toBe(true);
    expect((err as Error).message).toBe(`no OpenClaw state at ${path.join(w, 'nobody', '.openclaw')} (from HOME); set OPENCLAW_STATE_DIR or pass --state-dir`);
    const err2 = await resolveScope({ host: host({ OPENCLAW_STATE_DIR: path.join(w, 'nope') }) }).catch((e: unknown) => e);
    expect((err2 as Error).message).toContain(`${path.join(w, 'nope')} (from OPENCLAW_STATE_DIR)`);
  });

  it('works without a config: only the state dir, default port', async () => {
    const s = await resolveScope({ host: host({}) });
    expect(s.paths).toEqual([state]);
    expect(s.warnings).toEqual([]);
    expect(s.gatewayPort).toBe(18789);
    expect(s.include).toEqual([]);
    expect(s.exclude).toEqual([...DEFAULT_EXCLUDES]);
  });

  it('a broken config is a warning, not an error', async () => {
    writeFileSync(path.join(state, 'openclaw.json'), '{\n  agents: {\n    list: [\n');
    try {
      const s = await resolveScope({ host: host({}) });
      expect(s.paths).toEqual([state]);
      expect(s.warnings).toHaveLength(1);
      expect(s.warnings[0]).toMatch(/^openclaw\.json line \d+: .*not backed up/);
    } finally {
      rmSync(path.join(state, 'openclaw.json'));
    }
  });

  it('adds a config file outside the state dir (OPENCLAW_CONFIG_PATH) and reads roots from it', async () => {
    const cfg = path.join(w, 'etc', 'oc.json5');
    const ws = path.join(w, 'ws');
    put(cfg, `{ agents: { defaults: { workspace: '${ws}' } }, gateway: { port: 19999 } }`);
    mkdirSync(ws, { recursive: true });
    const s = await resolveScope({ host: host({ OPENCLAW_CONFIG_PATH: cfg }) });
    expect(s.paths).toEqual([state, cfg, ws]);
    expect(s.gatewayPort).toBe(19999);
    const missing = await resolveScope({ host: host({ OPENCLAW_CONFIG_PATH: path.join(w, 'etc', 'none.json') }) });
    expect(missing.paths).toEqual([state]);
    expect(missing.warnings).toEqual([`config file ${path.join(w, 'etc', 'none.json')} does not exist; skipped`]);
  });

  it('OPENCLAW_GATEWAY_PORT and --dev set the gateway port', async () => {
    expect((await resolveScope({ host: host({ OPENCLAW_GATEWAY_PORT: '20001' }) })).gatewayPort).toBe(20001);
    mkdirSync(path.join(home, '.openclaw-dev'), { recursive: true });
    const dev = await resolveScope({ host: host({}), dev: true });
    expect([dev.location.stateDir, dev.gatewayPort]).toEqual([path.join(home, '.openclaw-dev'), 19001]);
  });

  it('extra paths: ~ expanded, deduped, nested and inside-state ones dropped, a parent replaces its child', async () => {
    const a = path.join(w, 'extra', 'a');
    mkdirSync(path.join(a, 'child'), { recursive: true });
    const s = await resolveScope({
      host: host({}),
      extraPaths: [path.join(a, 'child'), '~/../extra/a', a + '/', path.join(state, 'agents'), path.join(w, 'extra', 'missing')],
    });
    expect(s.paths).toEqual([state, a]);
    expect(s.warnings).toEqual([`source ${path.join(w, 'extra', 'missing')} does not exist; skipped`]);
  });


  it('passes user patterns through after the defaults', async () => {
    const s = await resolveScope({ host: host({}), exclude: ['media/**', '*.log'], include: ['agents'] });
    expect(s.exclude).toEqual([...DEFAULT_EXCLUDES, 'media/**', '*.log']);
    expect(s.include).toEqual(['agents']);
  });

  it('rejects bad option types', async () => {
    await expect(resolveScope({ host: host({}), exclude: 'x' as unknown as string[] })).rejects.toThrow(TypeError);
    await expect(resolveScope({ host: host({}), include: [1] as unknown as string[] })).rejects.toThrow(TypeError);
    await expect(resolveScope({ host: host({}), excludeNodeModules: 1 as unknown as boolean })).rejects.toThrow(TypeError);
    await expect(resolveScope({ host: host({}), profile: 'Bad' })).rejects.toThrow(RangeError);
  });

  it('Windows: outside roots and secrets through path.win32 with an injected existence test', async () => {
    const exists = (p: string): boolean => ['C:\\Users\\me\\.openclaw', 'D:\\agents\\main'].includes(p);
    const winHost: HostInfo = { platform: 'win32', env: { UserProfile: 'C:\\Users\\me', OPENCLAW_AGENT_DIR: 'd:/agents/main' }, homedir: 'C:\\Users\\os' };
    const s = await resolveScope({ host: winHost, exists });
    expect(s.paths).toEqual(['C:\\Users\\me\\.openclaw', 'D:\\agents\\main']);
    expect(s.isSecret('C:\\Users\\me\\.openclaw\\credentials\\oauth.json')).toBe(true);
    expect(s.isSecret('c:\\users\\ME\\.openclaw\\agents\\main\\agent\\auth-profiles.json')).toBe(true);
    expect(s.isSecret('C:\\Users\\me\\.openclaw\\state\\openclaw.sqlite-wal')).toBe(true);
    expect(s.isSecret('C:\\Users\\me\\.openclaw\\state\\openclaw.sqlite-shm')).toBe(false);
    expect(s.isSecret('D:\\agents\\main\\auth-profiles.json')).toBe(true);
    expect(s.isSecret('D:\\agents\\main\\models.json')).toBe(false);
    expect(s.isAppendOnly('C:\\Users\\me\\.openclaw\\agents\\main\\sessions\\a.jsonl')).toBe(true);
  });
});
