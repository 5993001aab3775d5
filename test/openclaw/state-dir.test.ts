// Resolution of OpenClaw's state dir and config path (openclaw-state.md §1.1): every env
// variable, profile, legacy fallback and config-name case, on POSIX and on Windows
// through path.win32. Host facts are injected; the fallback cases also run on real dirs.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { HostInfo } from '../../src/openclaw/platform-dirs.js';
import { describeLocation, resolveStateDir } from '../../src/openclaw/state-dir.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const linux = (env: Record<string, string | undefined>, homedir = '/home/os'): HostInfo => ({ platform: 'linux', env, homedir });
const win = (env: Record<string, string | undefined>, homedir = 'C:\\Users\\os'): HostInfo => ({ platform: 'win32', env, homedir });
/** An existence test that knows only the given paths. */
const only = (...paths: string[]) => (p: string) => paths.includes(p);
const none = () => false;

describe('home: OPENCLAW_HOME → HOME → USERPROFILE → homedir', () => {
  it('uses HOME by default', () => {
    const loc = resolveStateDir({ host: linux({ HOME: '/home/u', USERPROFILE: '/prof' }), exists: none });
    expect(loc).toEqual({ stateDir: '/home/u/.openclaw', configPath: '/home/u/.openclaw/openclaw.json', home: '/home/u', reason: 'default', homeSource: 'HOME' });
  });

  it('OPENCLAW_HOME is the home that contains .openclaw, not the state dir', () => {
    const loc = resolveStateDir({ host: linux({ OPENCLAW_HOME: '/srv/oc', HOME: '/home/u' }), exists: none });
    expect(loc.stateDir).toBe('/srv/oc/.openclaw');
    expect(loc.home).toBe('/srv/oc');
    expect(loc.homeSource).toBe('OPENCLAW_HOME');
  });

  it('expands ~ in OPENCLAW_HOME with HOME, then USERPROFILE, then homedir', () => {
    expect(resolveStateDir({ host: linux({ OPENCLAW_HOME: '~/oc', HOME: '/home/u' }), exists: none }).stateDir).toBe('/home/u/oc/.openclaw');
    expect(resolveStateDir({ host: linux({ OPENCLAW_HOME: '~', HOME: '/home/u' }), exists: none }).stateDir).toBe('/home/u/.openclaw');
    expect(resolveStateDir({ host: linux({ OPENCLAW_HOME: '~/oc', USERPROFILE: '/prof' }), exists: none }).stateDir).toBe('/prof/oc/.openclaw');
    expect(resolveStateDir({ host: linux({ OPENCLAW_HOME: '~/oc' }, '/home/os'), exists: none }).stateDir).toBe('/home/os/oc/.openclaw');
  });

  it('does not expand ~user', () => {
    expect(resolveStateDir({ host: linux({ OPENCLAW_HOME: '/x/~u', HOME: '/home/u' }), exists: none }).home).toBe('/x/~u');
  });

  it('falls back to USERPROFILE, then to the OS homedir', () => {
    const a = resolveStateDir({ host: linux({ USERPROFILE: '/prof' }), exists: none });
    expect([a.stateDir, a.homeSource]).toEqual(['/prof/.openclaw', 'USERPROFILE']);
    const b = resolveStateDir({ host: linux({}, '/home/os'), exists: none });
    expect([b.stateDir, b.homeSource]).toEqual(['/home/os/.openclaw', 'homedir']);
  });

  it('treats empty and whitespace-only variables as unset', () => {
    const loc = resolveStateDir({
      host: linux({ OPENCLAW_STATE_DIR: '  ', OPENCLAW_HOME: '', HOME: ' \t', USERPROFILE: '', OPENCLAW_CONFIG_PATH: '' }, '/home/os'),
      exists: none,
    });
    expect(loc.stateDir).toBe('/home/os/.openclaw');
    expect(loc.configPath).toBe('/home/os/.openclaw/openclaw.json');
    expect(loc.reason).toBe('default');
  });

  it('trims variables', () => {
    expect(resolveStateDir({ host: linux({ HOME: ' /home/u \n' }), exists: none }).stateDir).toBe('/home/u/.openclaw');
  });

  it('uses Termux $PREFIX/../home on Android before the OS homedir', () => {
    const host: HostInfo = { platform: 'android', env: { PREFIX: '/data/data/com.termux/files/usr' }, homedir: '/' };
    expect(resolveStateDir({ host, exists: none }).stateDir).toBe('/data/data/com.termux/files/home/.openclaw');
    expect(resolveStateDir({ host: { ...host, platform: 'linux' }, exists: none }).stateDir).toBe('/.openclaw');
  });
});

describe('OPENCLAW_STATE_DIR and the stateDir option', () => {
  it('OPENCLAW_STATE_DIR wins over the home (trimmed)', () => {
    const loc = resolveStateDir({ host: linux({ OPENCLAW_STATE_DIR: ' /data/oc-state ', OPENCLAW_HOME: '/srv', HOME: '/home/u' }), exists: none });
    expect(loc.stateDir).toBe('/data/oc-state');
    expect(loc.reason).toBe('OPENCLAW_STATE_DIR');
    expect(loc.configPath).toBe('/data/oc-state/openclaw.json');
    expect(loc.home).toBe('/srv');
  });

  it('expands ~ in OPENCLAW_STATE_DIR with the OpenClaw home (OPENCLAW_HOME first)', () => {
    expect(resolveStateDir({ host: linux({ OPENCLAW_STATE_DIR: '~/st', HOME: '/home/u' }), exists: none }).stateDir).toBe('/home/u/st');
    expect(resolveStateDir({ host: linux({ OPENCLAW_STATE_DIR: '~/st', OPENCLAW_HOME: '/srv', HOME: '/home/u' }), exists: none }).stateDir).toBe('/srv/st');
  });

  it('normalises the path', () => {
    expect(resolveStateDir({ host: linux({ OPENCLAW_STATE_DIR: '/data//x/../oc/' }), exists: none }).stateDir).toBe('/data/oc');
  });

  it('never falls back to a legacy dir when OPENCLAW_STATE_DIR is set', () => {
    const loc = resolveStateDir({ host: linux({ OPENCLAW_STATE_DIR: '/data/oc', HOME: '/home/u' }), exists: only('/home/u/.clawdbot') });
    expect(loc.stateDir).toBe('/data/oc');
  });

  it('the explicit option wins over everything, with ~ expanded', () => {
    const host = linux({ OPENCLAW_STATE_DIR: '/data/oc', HOME: '/home/u' });
    const a = resolveStateDir({ host, stateDir: '/opt/explicit', profile: 'work', exists: none });
    expect([a.stateDir, a.reason]).toEqual(['/opt/explicit', 'option']);
    expect(resolveStateDir({ host, stateDir: '~/mine', exists: none }).stateDir).toBe('/home/u/mine');
  });

  it('rejects bad option types and an empty stateDir', () => {
    const host = linux({ HOME: '/home/u' });
    expect(() => resolveStateDir({ host, stateDir: 42 as unknown as string })).toThrow(TypeError);
    expect(() => resolveStateDir({ host, stateDir: '  ' })).toThrow(RangeError);
    expect(() => resolveStateDir({ host, dev: 'yes' as unknown as boolean })).toThrow(TypeError);
  });
});

describe('profiles', () => {
  it('--profile NAME → <home>/.openclaw-NAME, config inside it', () => {
    const loc = resolveStateDir({ host: linux({ HOME: '/home/u' }), profile: 'work', exists: none });
    expect(loc).toMatchObject({ stateDir: '/home/u/.openclaw-work', configPath: '/home/u/.openclaw-work/openclaw.json', reason: 'profile' });
  });

  it('profile dirs hang off OPENCLAW_HOME', () => {
    expect(resolveStateDir({ host: linux({ OPENCLAW_HOME: '/srv', HOME: '/home/u' }), profile: 'a_b-9', exists: none }).stateDir).toBe('/srv/.openclaw-a_b-9');
  });

  it('--dev → .openclaw-dev, and "default" is the unnamed profile', () => {
    expect(resolveStateDir({ host: linux({ HOME: '/home/u' }), dev: true, exists: none }).stateDir).toBe('/home/u/.openclaw-dev');
    expect(resolveStateDir({ host: linux({ HOME: '/home/u' }), dev: true, profile: 'dev', exists: none }).stateDir).toBe('/home/u/.openclaw-dev');
    expect(resolveStateDir({ host: linux({ HOME: '/home/u' }), profile: 'default', exists: none }).stateDir).toBe('/home/u/.openclaw');
  });

  it('OPENCLAW_STATE_DIR wins over --profile (OpenClaw only fills it in when unset)', () => {
    const loc = resolveStateDir({ host: linux({ OPENCLAW_STATE_DIR: '/data/oc', HOME: '/home/u' }), profile: 'work', exists: none });
    expect([loc.stateDir, loc.reason]).toEqual(['/data/oc', 'OPENCLAW_STATE_DIR']);
  });

  it('a profile never falls back to a legacy dir', () => {
    const loc = resolveStateDir({ host: linux({ HOME: '/home/u' }), profile: 'work', exists: only('/home/u/.clawdbot') });
    expect(loc.stateDir).toBe('/home/u/.openclaw-work');
  });

  it.each(['', 'Work', '-x', '_x', 'a/b', '..', 'a b', 'x'.repeat(65), 'é'])('rejects profile name %j', (name) => {
    expect(() => resolveStateDir({ host: linux({ HOME: '/home/u' }), profile: name, exists: none })).toThrow(RangeError);
  });

  it('accepts a 64-character name and rejects --dev with another profile', () => {
    expect(resolveStateDir({ host: linux({ HOME: '/h' }), profile: 'x'.repeat(64), exists: none }).stateDir).toBe(`/h/.openclaw-${'x'.repeat(64)}`);
    expect(() => resolveStateDir({ host: linux({ HOME: '/h' }), profile: 'work', dev: true })).toThrow(RangeError);
    expect(() => resolveStateDir({ host: linux({ HOME: '/h' }), profile: 7 as unknown as string })).toThrow(TypeError);
  });
});

describe('legacy fallback', () => {
  const host = linux({ HOME: '/home/u' });
  it('uses .clawdbot only when .openclaw is absent and .clawdbot exists', () => {
    const a = resolveStateDir({ host, exists: only('/home/u/.clawdbot', '/home/u/.clawdbot/clawdbot.json') });
    expect(a).toMatchObject({ stateDir: '/home/u/.clawdbot', reason: 'legacy', configPath: '/home/u/.clawdbot/clawdbot.json' });
    const b = resolveStateDir({ host, exists: only('/home/u/.openclaw', '/home/u/.clawdbot') });
    expect([b.stateDir, b.reason]).toEqual(['/home/u/.openclaw', 'default']);
    const c = resolveStateDir({ host, exists: none });
    expect([c.stateDir, c.reason]).toEqual(['/home/u/.openclaw', 'default']);
  });

  it('prefers .clawdbot over .moldbot, and uses .moldbot alone', () => {
    expect(resolveStateDir({ host, exists: only('/home/u/.clawdbot', '/home/u/.moldbot') }).stateDir).toBe('/home/u/.clawdbot');
    const m = resolveStateDir({ host, exists: only('/home/u/.moldbot', '/home/u/.moldbot/moldbot.json') });
    expect([m.stateDir, m.configPath]).toEqual(['/home/u/.moldbot', '/home/u/.moldbot/moldbot.json']);
  });

  describe('on real directories', () => {
    const t = makeTempDir('state-dir');
    afterAll(() => t.remove());
    const home = t.file('home');
    mkdirSync(path.join(home, '.clawdbot'), { recursive: true });
    writeFileSync(path.join(home, '.clawdbot', 'clawdbot.json'), '{}');
    const realHost = linux({ HOME: home });

    it('finds a real .clawdbot with fs.existsSync, then .openclaw once it exists', () => {
      const a = resolveStateDir({ host: realHost });
      expect([a.stateDir, a.reason, a.configPath]).toEqual([path.join(home, '.clawdbot'), 'legacy', path.join(home, '.clawdbot', 'clawdbot.json')]);
      mkdirSync(path.join(home, '.openclaw'));
      const b = resolveStateDir({ host: realHost });
      expect([b.stateDir, b.reason, b.configPath]).toEqual([path.join(home, '.openclaw'), 'default', path.join(home, '.openclaw', 'openclaw.json')]);
    });
  });
});

describe('config path', () => {
  const host = linux({ HOME: '/home/u' });
  const s = '/home/u/.openclaw';
  it('takes the first existing of openclaw.json, clawdbot.json, moldbot.json', () => {
    expect(resolveStateDir({ host, exists: only(s, `${s}/clawdbot.json`, `${s}/moldbot.json`) }).configPath).toBe(`${s}/clawdbot.json`);
    expect(resolveStateDir({ host, exists: only(s, `${s}/openclaw.json`, `${s}/clawdbot.json`) }).configPath).toBe(`${s}/openclaw.json`);
    expect(resolveStateDir({ host, exists: only(s, `${s}/moldbot.json`) }).configPath).toBe(`${s}/moldbot.json`);
    expect(resolveStateDir({ host, exists: only(s) }).configPath).toBe(`${s}/openclaw.json`);
  });

  it('searches the legacy names in an OPENCLAW_STATE_DIR too', () => {
    const h = linux({ HOME: '/home/u', OPENCLAW_STATE_DIR: '/d' });
    expect(resolveStateDir({ host: h, exists: only('/d/clawdbot.json') }).configPath).toBe('/d/clawdbot.json');
  });

  it('a profile dir uses openclaw.json (OpenClaw sets OPENCLAW_CONFIG_PATH for it)', () => {
    expect(resolveStateDir({ host, profile: 'p', exists: only('/home/u/.openclaw-p/clawdbot.json') }).configPath).toBe('/home/u/.openclaw-p/openclaw.json');
  });

  it('OPENCLAW_CONFIG_PATH wins, trimmed and ~ expanded, and does not move the state dir', () => {
    const a = resolveStateDir({ host: linux({ HOME: '/home/u', OPENCLAW_CONFIG_PATH: ' /etc/oc/main.json5 ' }), exists: only(s, `${s}/openclaw.json`) });
    expect([a.stateDir, a.configPath]).toEqual([s, '/etc/oc/main.json5']);
    const b = resolveStateDir({ host: linux({ HOME: '/home/u', OPENCLAW_HOME: '/srv', OPENCLAW_CONFIG_PATH: '~/cfg.json' }), exists: none });
    expect(b.configPath).toBe('/srv/cfg.json');
    const c = resolveStateDir({ host: linux({ HOME: '/home/u', OPENCLAW_CONFIG_PATH: '/c.json' }), profile: 'w', exists: none });
    expect([c.stateDir, c.configPath]).toEqual(['/home/u/.openclaw-w', '/c.json']);
  });
});

describe('Windows (path.win32)', () => {
  it('%USERPROFILE%\\.openclaw with backslashes', () => {
    const loc = resolveStateDir({ host: win({ USERPROFILE: 'C:\\Users\\me' }), exists: none });
    expect(loc).toEqual({
      stateDir: 'C:\\Users\\me\\.openclaw',
      configPath: 'C:\\Users\\me\\.openclaw\\openclaw.json',
      home: 'C:\\Users\\me',
      reason: 'default',
      homeSource: 'USERPROFILE',
    });
  });

  it('matches variable names case-insensitively, as Windows does', () => {
    expect(resolveStateDir({ host: win({ UserProfile: 'D:\\Home\\me' }), exists: none }).stateDir).toBe('D:\\Home\\me\\.openclaw');
    expect(resolveStateDir({ host: win({ openclaw_state_dir: 'E:\\oc' }), exists: none }).stateDir).toBe('E:\\oc');
    // and not on Linux
    expect(resolveStateDir({ host: linux({ UserProfile: '/p' }, '/home/os'), exists: none }).stateDir).toBe('/home/os/.openclaw');
  });

  it('falls back to the OS homedir and honours HOME (Git Bash) before USERPROFILE', () => {
    expect(resolveStateDir({ host: win({}, 'C:\\Users\\os'), exists: none }).stateDir).toBe('C:\\Users\\os\\.openclaw');
    expect(resolveStateDir({ host: win({ HOME: 'C:\\msys\\home\\me', USERPROFILE: 'C:\\Users\\me' }), exists: none }).stateDir).toBe('C:\\msys\\home\\me\\.openclaw');
  });

  it('normalises forward slashes and expands ~\\ and ~/', () => {
    expect(resolveStateDir({ host: win({ OPENCLAW_STATE_DIR: 'D:/oc/state/' }), exists: none }).stateDir).toBe('D:\\oc\\state');
    expect(resolveStateDir({ host: win({ OPENCLAW_STATE_DIR: 'd:\\oc' }), exists: none }).stateDir).toBe('D:\\oc');
    expect(resolveStateDir({ host: win({ USERPROFILE: 'c:\\Users\\me' }), exists: none }).home).toBe('C:\\Users\\me');
    expect(resolveStateDir({ host: win({ USERPROFILE: 'C:\\Users\\me', OPENCLAW_STATE_DIR: '~\\oc' }), exists: none }).stateDir).toBe('C:\\Users\\me\\oc');
    expect(resolveStateDir({ host: win({ USERPROFILE: 'C:\\Users\\me', OPENCLAW_HOME: '~/oc' }), exists: none }).stateDir).toBe('C:\\Users\\me\\oc\\.openclaw');
    expect(resolveStateDir({ host: win({ USERPROFILE: 'C:\\Users\\me' }), stateDir: '~\\x', exists: none }).stateDir).toBe('C:\\Users\\me\\x');
  });

  it('profiles, legacy dirs and config names use backslashes', () => {
    const host = win({ USERPROFILE: 'C:\\Users\\me' });
    expect(resolveStateDir({ host, profile: 'work', exists: none }).stateDir).toBe('C:\\Users\\me\\.openclaw-work');
    const legacy = resolveStateDir({ host, exists: only('C:\\Users\\me\\.clawdbot', 'C:\\Users\\me\\.clawdbot\\clawdbot.json') });
    expect([legacy.stateDir, legacy.configPath, legacy.reason]).toEqual(['C:\\Users\\me\\.clawdbot', 'C:\\Users\\me\\.clawdbot\\clawdbot.json', 'legacy']);
    const cfg = resolveStateDir({ host: win({ USERPROFILE: 'C:\\Users\\me', OpenClaw_Config_Path: '\\\\srv\\share\\oc.json' }), exists: none });
    expect(cfg.configPath).toBe('\\\\srv\\share\\oc.json');
  });
});

describe('describeLocation', () => {
  it('names the variable the path came from', () => {
    expect(describeLocation(resolveStateDir({ host: linux({ HOME: '/h' }), exists: none }))).toBe('from HOME');
    expect(describeLocation(resolveStateDir({ host: linux({ OPENCLAW_STATE_DIR: '/s' }), exists: none }))).toBe('from OPENCLAW_STATE_DIR');
    expect(describeLocation(resolveStateDir({ host: win({ USERPROFILE: 'C:\\u' }), profile: 'w', exists: none }))).toBe('profile dir under USERPROFILE');
    expect(describeLocation(resolveStateDir({ host: linux({}, '/h'), exists: none }))).toBe("from the OS's home directory");
  });
});
