// Where clawback keeps its own files on linux (XDG rules), darwin and win32 (path.win32), with injected hosts.
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  clawbackConfigDir,
  clawbackDataDir,
  currentHost,
  defaultConfigFile,
  defaultRepositoryDir,
  expandTilde,
  homeDir,
  hostEnv,
  pathApi,
  type HostInfo,
} from '../../src/openclaw/platform-dirs.js';

const linux = (env: Record<string, string | undefined> = {}): HostInfo => ({ platform: 'linux', env, homedir: '/home/ann' });
const darwin = (env: Record<string, string | undefined> = {}): HostInfo => ({ platform: 'darwin', env, homedir: '/Users/ann' });
const win = (env: Record<string, string | undefined> = {}): HostInfo => ({ platform: 'win32', env, homedir: 'C:\\Users\\ann' });

describe('currentHost and pathApi', () => {
  it('currentHost reports this process', () => {
    const h = currentHost();
    expect(h.platform).toBe(process.platform);
    expect(h.env).toBe(process.env);
    expect(h.homedir).toBe(os.homedir());
  });

  it('pathApi is path.win32 on win32 and path.posix elsewhere', () => {
    expect(pathApi(win())).toBe(path.win32);
    expect(pathApi(linux())).toBe(path.posix);
    expect(pathApi(darwin())).toBe(path.posix);
    expect(pathApi({ platform: 'freebsd', env: {}, homedir: '/home/x' })).toBe(path.posix);
  });
});

describe('linux (XDG base directories)', () => {
  it('unset: ~/.local/share and ~/.config under $HOME', () => {
    const h = linux({ HOME: '/home/ann' });
    expect(clawbackDataDir(h)).toBe('/home/ann/.local/share/clawback');
    expect(clawbackConfigDir(h)).toBe('/home/ann/.config/clawback');
    expect(defaultRepositoryDir(h)).toBe('/home/ann/.local/share/clawback/repository');
    expect(defaultConfigFile(h)).toBe('/home/ann/.config/clawback/config.yaml');
  });

  it('set to absolute paths: used as they are', () => {
    const h = linux({ XDG_DATA_HOME: '/data/xdg', XDG_CONFIG_HOME: '/cfg/xdg' });
    expect(clawbackDataDir(h)).toBe('/data/xdg/clawback');
    expect(clawbackConfigDir(h)).toBe('/cfg/xdg/clawback');
    expect(defaultRepositoryDir(h)).toBe('/data/xdg/clawback/repository');
    expect(defaultConfigFile(h)).toBe('/cfg/xdg/clawback/config.yaml');
  });

  it('empty values count as unset', () => {
    const h = linux({ XDG_DATA_HOME: '', XDG_CONFIG_HOME: '' });
    expect(clawbackDataDir(h)).toBe('/home/ann/.local/share/clawback');
    expect(clawbackConfigDir(h)).toBe('/home/ann/.config/clawback');
  });

  it('relative values are ignored, as the XDG spec says', () => {
    const h = linux({ XDG_DATA_HOME: 'data', XDG_CONFIG_HOME: './cfg' });
    expect(clawbackDataDir(h)).toBe('/home/ann/.local/share/clawback');
    expect(clawbackConfigDir(h)).toBe('/home/ann/.config/clawback');
  });

  it('$HOME wins over the OS home (so a test can point everything at a temp dir); a relative HOME is ignored', () => {
    expect(clawbackDataDir(linux({ HOME: '/tmp/h' }))).toBe('/tmp/h/.local/share/clawback');
    expect(clawbackDataDir(linux({ HOME: 'rel' }))).toBe('/home/ann/.local/share/clawback');
    expect(homeDir(linux({}))).toBe('/home/ann');
  });

  it('other Unixes follow the linux rules', () => {
    const h: HostInfo = { platform: 'freebsd', env: { XDG_DATA_HOME: '/x' }, homedir: '/usr/home/ann' };
    expect(clawbackDataDir(h)).toBe('/x/clawback');
    expect(clawbackConfigDir(h)).toBe('/usr/home/ann/.config/clawback');
  });

  it('env names are case-sensitive on linux', () => {
    expect(clawbackDataDir(linux({ xdg_data_home: '/x' }))).toBe('/home/ann/.local/share/clawback');
  });
});

describe('darwin', () => {
  it('both dirs are ~/Library/Application Support/clawback, whatever XDG says', () => {
    const h = darwin({ XDG_DATA_HOME: '/x', XDG_CONFIG_HOME: '/y' });
    expect(clawbackDataDir(h)).toBe('/Users/ann/Library/Application Support/clawback');
    expect(clawbackConfigDir(h)).toBe('/Users/ann/Library/Application Support/clawback');
    expect(defaultRepositoryDir(h)).toBe('/Users/ann/Library/Application Support/clawback/repository');
    expect(defaultConfigFile(h)).toBe('/Users/ann/Library/Application Support/clawback/config.yaml');
  });

  it('uses $HOME when set', () => {
    expect(clawbackDataDir(darwin({ HOME: '/Users/bob' }))).toBe('/Users/bob/Library/Application Support/clawback');
  });
});

describe('win32 (path.win32)', () => {
  it('LOCALAPPDATA and APPDATA present', () => {
    const h = win({ LOCALAPPDATA: 'C:\\Users\\ann\\AppData\\Local', APPDATA: 'D:\\Roam' });
    expect(clawbackDataDir(h)).toBe('C:\\Users\\ann\\AppData\\Local\\clawback');
    expect(clawbackConfigDir(h)).toBe('D:\\Roam\\clawback');
    expect(defaultRepositoryDir(h)).toBe('C:\\Users\\ann\\AppData\\Local\\clawback\\repository');
    expect(defaultConfigFile(h)).toBe('D:\\Roam\\clawback\\config.yaml');
  });

  it('absent: <home>\\AppData\\Local and <home>\\AppData\\Roaming, home from USERPROFILE', () => {
    expect(clawbackDataDir(win())).toBe('C:\\Users\\ann\\AppData\\Local\\clawback');
    expect(clawbackConfigDir(win())).toBe('C:\\Users\\ann\\AppData\\Roaming\\clawback');
    const h = win({ USERPROFILE: 'E:\\Home\\ann' });
    expect(clawbackDataDir(h)).toBe('E:\\Home\\ann\\AppData\\Local\\clawback');
    expect(clawbackConfigDir(h)).toBe('E:\\Home\\ann\\AppData\\Roaming\\clawback');
  });

  it('empty or relative values are ignored', () => {
    const h = win({ LOCALAPPDATA: '', APPDATA: 'AppData' });
    expect(clawbackDataDir(h)).toBe('C:\\Users\\ann\\AppData\\Local\\clawback');
    expect(clawbackConfigDir(h)).toBe('C:\\Users\\ann\\AppData\\Roaming\\clawback');
  });

  it('env names are case-insensitive, as on Windows', () => {
    const h = win({ LocalAppData: 'F:\\L', appdata: 'G:\\R', UserProfile: 'H:\\u' });
    expect(clawbackDataDir(h)).toBe('F:\\L\\clawback');
    expect(clawbackConfigDir(h)).toBe('G:\\R\\clawback');
    expect(homeDir(h)).toBe('H:\\u');
    expect(hostEnv(h, 'LOCALAPPDATA')).toBe('F:\\L');
  });

  it('XDG variables and HOME do not apply', () => {
    const h = win({ XDG_DATA_HOME: 'C:\\xdg', HOME: 'C:\\msys\\home' });
    expect(clawbackDataDir(h)).toBe('C:\\Users\\ann\\AppData\\Local\\clawback');
  });
});

describe('expandTilde', () => {
  it('expands ~ and ~/ with the home, leaves everything else', () => {
    const h = linux({ HOME: '/home/bob' });
    expect(expandTilde('~', h)).toBe('/home/bob');
    expect(expandTilde('~/backups/r', h)).toBe('/home/bob/backups/r');
    expect(expandTilde('~bob/x', h)).toBe('~bob/x');
    expect(expandTilde('/abs/~/x', h)).toBe('/abs/~/x');
    expect(expandTilde('rel/x', h)).toBe('rel/x');
  });

  it('on win32 also ~\\', () => {
    expect(expandTilde('~\\b', win())).toBe('C:\\Users\\ann\\b');
    expect(expandTilde('~\\b', linux())).toBe('~\\b');
  });
});
