// Reading openclaw.json (JSON5) and the roots it names: both real samples written by
// OpenClaw 2026.3.24 and 2026.9.6, JSON5 syntax, broken files (never a throw), odd values,
// ~ and relative paths, the agent-dir env vars, and Windows paths through path.win32.
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { configRoots, readOpenClawConfig } from '../../src/openclaw/openclaw-config.js';
import type { HostInfo } from '../../src/openclaw/platform-dirs.js';
import type { StateLocation } from '../../src/openclaw/state-dir.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const SAMPLES = '/work/shared/openclaw-samples';
const t = makeTempDir('oc-config');
afterAll(() => t.remove());

const linux: HostInfo = { platform: 'linux', env: {}, homedir: '/home/os' };
const loc = (stateDir: string, home: string): StateLocation => ({ stateDir, home, configPath: `${stateDir}/openclaw.json`, reason: 'default' });

async function parse(name: string, text: string): Promise<unknown> {
  writeFileSync(t.file(name), text);
  const r = await readOpenClawConfig(t.file(name));
  if (r.config === undefined) throw new Error(`expected a config, got ${JSON.stringify(r)}`);
  return r.config;
}

describe('real samples', () => {
  it('2026.3.24: agents.defaults.workspace and agents.list[] (an entry with only an id)', async () => {
    copyFileSync(`${SAMPLES}/legacy-2026.3.24-openclaw.json`, t.file('legacy.json'));
    const r = await readOpenClawConfig(t.file('legacy.json'));
    expect(r.config).toBeDefined();
    const roots = configRoots(r.config, loc('/home/agent3/.openclaw', '/home/agent3'), linux);
    expect(roots).toEqual({
      workspaces: ['/home/agent3/.openclaw/workspace', '/home/agent3/.openclaw/workspace-work'],
      agentDirs: ['/home/agent3/.openclaw/agents/work/agent'],
      gatewayPort: 18789,
    });
  });

  it('2026.9.6: agents.entries.<id> with workspace and agentDir, duplicates folded', async () => {
    copyFileSync(`${SAMPLES}/2026.9.6-openclaw.json`, t.file('sqlite.json'));
    const r = await readOpenClawConfig(t.file('sqlite.json'));
    const roots = configRoots(r.config, loc('/home/agent/.openclaw', '/home/agent'), linux);
    expect(roots).toEqual({
      workspaces: ['/home/agent/.openclaw/workspace', '/home/agent/.openclaw/workspace-work'],
      agentDirs: ['/home/agent/.openclaw/agents/main/agent', '/home/agent/.openclaw/agents/work/agent'],
      gatewayPort: 18789,
    });
  });
});

describe('JSON5', () => {
  it('reads comments, trailing commas, unquoted keys, single quotes, hex and a BOM', async () => {
    const cfg = await parse(
      'json5.json',
      '\uFEFF// written by hand\n{\n  /* block */ agents: {\n    defaults: { workspace: \'~/notes\', },\n    list: [ { id: "a", workspace: "/w/a", }, ],\n  },\n  gateway: { port: 0x4965, },\n}\n',
    );
    expect(configRoots(cfg, loc('/home/u/.openclaw', '/home/u'), linux)).toEqual({
      workspaces: ['/home/u/notes', '/w/a'],
      agentDirs: [],
      gatewayPort: 0x4965,
    });
  });
});

describe('broken or missing files never throw', () => {
  it('a missing file gives no config and no problem', async () => {
    expect(await readOpenClawConfig(t.file('nope.json'))).toEqual({ config: undefined });
    expect(await readOpenClawConfig(t.file('nope-dir/openclaw.json'))).toEqual({ config: undefined });
  });

  it('an unparsable file names the file and the line', async () => {
    writeFileSync(t.file('openclaw.json'), '{\n  agents: {\n    list: [ { id: "a" } \n  }\n}\n');
    const r = await readOpenClawConfig(t.file('openclaw.json'));
    expect(r.config).toBeUndefined();
    expect('problem' in r && r.problem).toMatch(/^openclaw\.json line 4: /);
  });

  it.each([
    ['empty', ''],
    ['truncated', '{"agents": {"defaults": {"workspace": "/w"'],
    ['plain JSON error', '{"a": 1,, "b": 2}'],
    ['binary', '\u0000\u0001\u0002'],
  ])('%s', async (_name, text) => {
    writeFileSync(t.file('bad.json'), text);
    const r = await readOpenClawConfig(t.file('bad.json'));
    expect(r.config).toBeUndefined();
    expect('problem' in r ? r.problem : undefined).toMatch(/^bad\.json (line \d+|is not valid)/);
  });

  it('a directory in place of the file is a problem, not a throw', async () => {
    mkdirSync(t.file('isdir.json'));
    const r = await readOpenClawConfig(t.file('isdir.json'));
    expect(r.config).toBeUndefined();
    expect('problem' in r ? r.problem : undefined).toMatch(/^isdir\.json: cannot read \(EISDIR\)/);
  });

  it('rejects a non-string path', async () => {
    await expect(readOpenClawConfig(7 as unknown as string)).rejects.toThrow(TypeError);
    await expect(readOpenClawConfig('')).rejects.toThrow(TypeError);
  });
});

describe('configRoots on odd values', () => {
  const l = loc('/s', '/home/u');
  it.each([undefined, null, 42, 'text', [], [1, 2], { agents: 'x' }, { agents: [] }, { agents: { list: 'x', entries: [1], defaults: 5 } }])(
    'no roots from %j',
    (cfg) => {
      expect(configRoots(cfg, l, linux)).toEqual({ workspaces: [], agentDirs: [] });
    },
  );

  it('skips non-string, empty and NUL-containing values but keeps the good ones', () => {
    const cfg = {
      agents: {
        defaults: { workspace: 42 },
        list: [null, 'main', { workspace: '' }, { workspace: '   ' }, { workspace: ['/a'] }, { workspace: '/ok' }, { agentDir: { p: 1 } }, { agentDir: 'a\0b' }, { agentDir: '/ad' }],
        entries: { x: null, y: { workspace: true }, z: { workspace: '/ok2', agentDir: 7 } },
      },
      gateway: { port: '18789' },
    };
    expect(configRoots(cfg, l, linux)).toEqual({ workspaces: ['/ok', '/ok2'], agentDirs: ['/ad'] });
  });

  it.each([0, -1, 65536, 1.5, Number.NaN, Infinity, null, '80'])('ignores gateway.port %j', (port) => {
    expect(configRoots({ gateway: { port } }, l, linux).gatewayPort).toBeUndefined();
  });

  it('keeps gateway.port 1 and 65535', () => {
    expect(configRoots({ gateway: { port: 1 } }, l, linux).gatewayPort).toBe(1);
    expect(configRoots({ gateway: { port: 65535 } }, l, linux).gatewayPort).toBe(65535);
  });
});

describe('path resolution', () => {
  it('expands ~ with loc.home and resolves relative paths against the state dir', () => {
    const cfg = { agents: { defaults: { workspace: 'workspace' }, list: [{ workspace: '~' }, { workspace: '~/w2', agentDir: '../outside/agent' }, { workspace: '~other/w' }] } };
    expect(configRoots(cfg, loc('/srv/oc/.openclaw', '/srv/oc'), linux)).toEqual({
      workspaces: ['/srv/oc/.openclaw/workspace', '/srv/oc', '/srv/oc/w2', '/srv/oc/.openclaw/~other/w'],
      agentDirs: ['/srv/oc/outside/agent'],
    });
  });

  it('adds OPENCLAW_AGENT_DIR and PI_CODING_AGENT_DIR (trimmed, empty ignored)', () => {
    const host: HostInfo = { platform: 'linux', env: { OPENCLAW_AGENT_DIR: ' ~/agent ', PI_CODING_AGENT_DIR: '' }, homedir: '/home/os' };
    expect(configRoots({}, loc('/s', '/home/u'), host).agentDirs).toEqual(['/home/u/agent']);
    const both: HostInfo = { platform: 'linux', env: { OPENCLAW_AGENT_DIR: '/a', PI_CODING_AGENT_DIR: '/b' }, homedir: '/h' };
    expect(configRoots({ agents: { list: [{ agentDir: '/a' }] } }, loc('/s', '/h'), both).agentDirs).toEqual(['/a', '/b']);
  });

  it('uses path.win32 on Windows: drive letters, backslashes, ~\\, relative, case-insensitive env', () => {
    const host: HostInfo = { platform: 'win32', env: { Pi_Coding_Agent_Dir: 'E:\\agents\\pi' }, homedir: 'C:\\Users\\os' };
    const cfg = { agents: { defaults: { workspace: 'D:/work/oc' }, list: [{ workspace: '~\\notes', agentDir: 'agents\\main\\agent' }, { workspace: '\\\\nas\\share\\ws' }] } };
    expect(configRoots(cfg, loc('C:\\Users\\me\\.openclaw', 'C:\\Users\\me'), host)).toEqual({
      workspaces: ['D:\\work\\oc', 'C:\\Users\\me\\notes', '\\\\nas\\share\\ws'],
      agentDirs: ['C:\\Users\\me\\.openclaw\\agents\\main\\agent', 'E:\\agents\\pi'],
    });
  });
});
