// The settings file: which file is read (precedence), what a valid file gives, every class of invalid file
// with its line and key path, flags laid over the file, and the document `config show` prints. Real temp files.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { isClawbackError } from '../../src/core/errors.js';
import type { HostInfo } from '../../src/openclaw/platform-dirs.js';
import {
  DEFAULT_SETTINGS,
  loadSettings,
  loadSettingsSync,
  locateSettings,
  mergeSettings,
  parseSettings,
  settingsDocument,
  settingsToYaml,
  type Settings,
} from '../../src/openclaw/settings.js';
import { makeTempDir, type TempDir } from '../helpers/temp-dir.js';

let t: TempDir;
let home: string;
let xdgConfig: string;
let host: HostInfo;

beforeAll(() => {
  t = makeTempDir('settings');
  home = t.file('home');
  xdgConfig = t.file('xdg-config');
  mkdirSync(home);
  host = { platform: 'linux', env: { HOME: home, XDG_CONFIG_HOME: xdgConfig }, homedir: '/nonexistent-home' };
});

afterAll(() => t.remove());

const FULL = `# clawback settings
repository: ~/backups/clawback
openclaw:
  profile: work
  exclude-node-modules: true
sources:
  - ~/notes
  - extra/dir
exclude: ["*.log", "cache/**"]
include: []
retention:
  keep-last: 3
  keep-hourly: 24
  keep-daily: 7
  keep-weekly: 4
  keep-monthly: -1
  keep-yearly: 0
  keep-within: 30d
  keep-within-daily: 1y6m
  keep-tag: [important, "manual, pinned"]
compression:
  level: 6
log-level: quiet
`;

describe('a valid file', () => {
  it('gives typed settings: ~ expanded with HOME, relative paths against the file, kebab-case mapped', () => {
    const s = parseSettings(FULL, '/etc/clawback/config.yaml', host);
    const expected: Settings = {
      repository: join(home, 'backups/clawback'),
      openclaw: { profile: 'work', excludeNodeModules: true },
      sources: [join(home, 'notes'), '/etc/clawback/extra/dir'],
      exclude: ['*.log', 'cache/**'],
      include: [],
      retention: { last: 3, hourly: 24, daily: 7, weekly: 4, monthly: -1, yearly: 0, within: '30d', withinDaily: '1y6m', tags: [['important'], ['manual', 'pinned']] },
      compression: { level: 6 },
      logLevel: 'quiet',
    };
    expect(s).toEqual(expected);
  });

  it('is frozen all the way down', () => {
    const s = parseSettings(FULL, '/etc/clawback/config.yaml', host);
    expect(Object.isFrozen(s)).toBe(true);
    expect(Object.isFrozen(s.openclaw)).toBe(true);
    expect(Object.isFrozen(s.sources)).toBe(true);
    expect(Object.isFrozen(s.retention.tags)).toBe(true);
    expect(() => (s.sources as string[]).push('x')).toThrow(TypeError);
  });

  it('an empty file, a file of comments and keys without values all mean the defaults', () => {
    for (const text of ['', '\n\n', '# nothing here\n', 'repository:\nretention:\ncompression:\n']) {
      expect(parseSettings(text, '/c.yaml', host), JSON.stringify(text)).toEqual(DEFAULT_SETTINGS);
    }
    expect(DEFAULT_SETTINGS).toEqual({ openclaw: { excludeNodeModules: false }, sources: [], exclude: [], include: [], retention: {}, compression: {}, logLevel: 'normal' });
  });

  it('state-dir is a path like the others; aliases resolve', () => {
    const s = parseSettings('openclaw:\n  state-dir: &d ./state\nsources: [*d]\n', '/srv/cfg/c.yaml', host);
    expect(s.openclaw.stateDir).toBe('/srv/cfg/state');
    expect(s.sources).toEqual(['/srv/cfg/state']);
  });

  it('on win32, paths follow path.win32: ~\\ and relative paths against the file', () => {
    const win: HostInfo = { platform: 'win32', env: { USERPROFILE: 'C:\\Users\\ann' }, homedir: 'C:\\Users\\ann' };
    const s = parseSettings('repository: ~\\backups\\claw\nsources: [notes, "D:\\\\data"]\n', 'C:\\Users\\ann\\AppData\\Roaming\\clawback\\config.yaml', win);
    expect(s.repository).toBe('C:\\Users\\ann\\backups\\claw');
    expect(s.sources).toEqual(['C:\\Users\\ann\\AppData\\Roaming\\clawback\\notes', 'D:\\data']);
  });

  it("the example in docs/configuration.md is valid and means what its comments say", () => {
    const md = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'configuration.md'), 'utf8');
    const example = /```yaml\n([\s\S]*?)```/.exec(md)?.[1];
    expect(example).toBeDefined();
    const s = parseSettings(example!, join(xdgConfig, 'clawback', 'config.yaml'), host);
    expect(s.repository).toBe(join(home, 'backups', 'clawback'));
    expect(s.openclaw).toEqual({ profile: 'work', excludeNodeModules: true });
    expect(s.sources).toEqual([join(home, 'notes', 'agent-notes')]);
    expect(s.retention).toMatchObject({ last: 10, daily: 7, yearly: -1, within: '2d', tags: [['pinned'], ['before-upgrade', 'manual']] });
    expect(s.compression.level).toBe(6);
  });

  it('settingsDocument is the file shape: printed as YAML and read back it gives the same settings', () => {
    for (const text of [FULL, '', 'openclaw:\n  state-dir: /s\nretention:\n  keep-within-hourly: 2d\n']) {
      const s = parseSettings(text, '/etc/clawback/config.yaml', host);
      const yaml = settingsToYaml(settingsDocument(s));
      expect(parseSettings(yaml, '/etc/clawback/config.yaml', host)).toEqual(s);
      expect(parseYaml(yaml)).toEqual(settingsDocument(s)); // an independent read of the same text
    }
  });
});

/** Parses `text` as file `/cfg/config.yaml`, expecting a CONFIG error; returns its message. */
function configError(text: string | Uint8Array): string {
  const file = t.write(`bad-${Math.random().toString(36).slice(2)}.yaml`, typeof text === 'string' ? Buffer.from(text) : text);
  try {
    loadSettingsSync({ host, configFile: file });
  } catch (e) {
    expect(isClawbackError(e, 'CONFIG'), String(e)).toBe(true);
    const m = (e as Error).message;
    expect(m.startsWith(`${file} line `), m).toBe(true);
    expect(m).not.toMatch(/\n/);
    return m.slice(file.length + 1);
  }
  throw new Error(`no error for ${JSON.stringify(text)}`);
}

describe('an invalid file: ClawbackError CONFIG naming file, line and key', () => {
  const lines = (...l: string[]) => l.join('\n') + '\n';
  const cases: [string, string, RegExp][] = [
    // [what, file text, expected message after the file name]
    ['the example: a word for a count', lines('# c', 'repository: /r', '', 'retention:', '  keep-last: 1', '  keep-hourly: 2', '  keep-daily: seven'), /^line 7: retention\.keep-daily: expected an integer >= -1 .*, got "seven"$/],
    ['YAML syntax: an unclosed flow list', lines('exclude: [a,', 'include: [b]', 'retention: {'), /^line \d: YAML syntax error: /],
    ['YAML syntax: a tab as indentation', lines('retention:', '\tkeep-daily: 1'), /^line 2: YAML syntax error: .*[Tt]ab/],
    ['a duplicate key', lines('retention:', '  keep-daily: 1', '  keep-weekly: 2', '  keep-daily: 3'), /^line 4: a key appears twice/],
    ['a duplicate top-level key', lines('repository: /a', 'exclude: []', 'repository: /b'), /^line 3: a key appears twice/],
    ['two documents', lines('exclude: []', '---', 'include: []'), /^line 2: more than one YAML document/],
    ['an unknown tag', lines('exclude: []', 'repository: !!frob /x'), /^line 2: YAML warning: .*frob/],
    ['a list as a key', lines('exclude: []', '? [a, b]', ': 1'), /^line 2: keys must be plain names/],
    ['an unknown top-level key, with a suggestion', lines('repository: /r', 'exlude: ["*.log"]'), /^line 2: exlude: unknown key .*did you mean "exclude"\?/],
    ['an unknown nested key', lines('retention:', '  keep-daily: 1', '  keep-dialy: 2'), /^line 3: retention\.keep-dialy: unknown key .*did you mean "keep-daily"\?/],
    ['a camelCase key', lines('openclaw:', '  excludeNodeModules: true'), /^line 2: openclaw\.excludeNodeModules: unknown key \(keys are kebab-case: did you mean "exclude-node-modules"\?\)$/],
    ['an unknown key far from any', lines('encryption: aes'), /^line 1: encryption: unknown key .*expected one of repository, openclaw, /],
    ['the top level is a list', lines('- a', '- b'), /^line 1: \(top level\): expected a mapping .*, got a list$/],
    ['a section that is a string', lines('retention: daily'), /^line 1: retention: expected a mapping .*, got "daily"$/],
    ['a count below -1', lines('retention:', '  keep-last: -2'), /^line 2: retention\.keep-last: expected an integer >= -1 .*, got -2$/],
    ['a fractional count', lines('retention:', '  keep-weekly: 1.5'), /^line 2: retention\.keep-weekly: expected an integer .*, got 1\.5$/],
    ['a quoted number', lines('retention:', '  keep-monthly: "6"'), /^line 2: retention\.keep-monthly: expected an integer .*, got "6"$/],
    ['a duration with a unit restic does not have', lines('retention:', '  keep-within: 2w'), /^line 2: retention\.keep-within: expected a duration like 30d, .*got "2w"$/],
    ['a duration given as a number', lines('retention:', '', '  keep-within-yearly: 3'), /^line 3: retention\.keep-within-yearly: expected a duration .*, got 3$/],
    ['keep-tag not a list', lines('retention:', '  keep-tag: important'), /^line 2: retention\.keep-tag: expected a list, got "important"$/],
    ['compression level out of range', lines('compression:', '  level: 10'), /^line 2: compression\.level: expected an integer from 0 .* to 9 .*, got 10$/],
    ['compression as a bare number', lines('compression: 6'), /^line 1: compression: expected a mapping .*, got 6$/],
    ['compression with an unknown key', lines('compression:', '  codec: zstd'), /^line 2: compression\.codec: unknown key/],
    ['exclude as a string', lines('exclude: "*.log"'), /^line 1: exclude: expected a list, got "\*\.log"$/],
    ['a list item of the wrong type', lines('exclude:', '  - "*.log"', '  - 3'), /^line 3: exclude\[1\]: expected a non-empty string, got 3$/],
    ['an empty path', lines('repository: ""'), /^line 1: repository: expected a non-empty string, got ""$/],
    ['a path given as a mapping', lines('sources:', '  - {a: 1}'), /^line 2: sources\[0\]: expected a non-empty string, got a mapping$/],
    ['yes is not a boolean in YAML 1.2', lines('openclaw:', '  exclude-node-modules: yes'), /^line 2: openclaw\.exclude-node-modules: expected true or false, got "yes"$/],
    ['a bad profile name', lines('openclaw:', '  profile: My Work'), /^line 2: openclaw\.profile: expected a profile name .*, got "My Work"$/],
    ['state-dir and profile together', lines('openclaw:', '  profile: work', '  state-dir: /s'), /^line 3: openclaw\.state-dir: cannot be combined with openclaw\.profile/],
    ['an unknown log level', lines('log-level: loud'), /^line 1: log-level: expected quiet or normal, got "loud"$/],
    ['a long value is cut in the message', lines(`log-level: ${'x'.repeat(100)}`), /^line 1: log-level: expected quiet or normal, got "x{40}…"$/],
  ];
  for (const [what, text, m] of cases) {
    it(what, () => {
      expect(configError(text)).toMatch(m);
    });
  }

  it('bytes that are not UTF-8: line 1', () => {
    expect(configError(new Uint8Array([0x61, 0x3a, 0x20, 0xff, 0xfe, 0x0a]))).toMatch(/^line 1: the file is not UTF-8 text$/);
  });

  it('loadSettings (async) reports the same error as loadSettingsSync', async () => {
    const file = t.write('async-bad.yaml', Buffer.from('retention:\n  keep-daily: seven\n'));
    await expect(loadSettings({ host, configFile: file })).rejects.toMatchObject({ code: 'CONFIG', message: `${file} line 2: retention.keep-daily: expected an integer >= -1 (-1 keeps all), got "seven"` });
  });
});

describe('which file: --config > CLAWBACK_CONFIG > the default if it exists > none', () => {
  let dflt: string;
  let viaEnv: string;
  let viaOption: string;
  beforeAll(() => {
    mkdirSync(join(xdgConfig, 'clawback'), { recursive: true });
    dflt = join(xdgConfig, 'clawback', 'config.yaml');
    writeFileSync(dflt, 'retention:\n  keep-daily: 1\n');
    viaEnv = t.write('env.yaml', Buffer.from('retention:\n  keep-daily: 2\n'));
    viaOption = t.write('option.yaml', Buffer.from('retention:\n  keep-daily: 3\n'));
  });
  const withEnv = (env: Record<string, string>): HostInfo => ({ ...host, env: { ...host.env, ...env } });

  it('each level wins over the ones below it', async () => {
    for (const load of [loadSettingsSync, loadSettings]) {
      const a = await load({ host: withEnv({ CLAWBACK_CONFIG: viaEnv }), configFile: viaOption });
      expect([a.file, a.source, a.settings.retention.daily]).toEqual([viaOption, 'option', 3]);
      const b = await load({ host: withEnv({ CLAWBACK_CONFIG: viaEnv }) });
      expect([b.file, b.source, b.settings.retention.daily]).toEqual([viaEnv, 'CLAWBACK_CONFIG', 2]);
      const c = await load({ host: withEnv({ CLAWBACK_CONFIG: '' }) });
      expect([c.file, c.source, c.settings.retention.daily]).toEqual([dflt, 'default', 1]);
      expect(c.defaultFile).toBe(dflt);
      const d = await load({ host: withEnv({ XDG_CONFIG_HOME: t.file('no-such-config-home') }) });
      expect([d.file, d.source, d.settings]).toEqual([undefined, 'none', DEFAULT_SETTINGS]);
      expect(d.defaultFile).toBe(t.file('no-such-config-home/clawback/config.yaml'));
    }
  });

  it('locateSettings says the same without reading', () => {
    expect(locateSettings({ host, configFile: viaOption })).toEqual({ file: viaOption, source: 'option', defaultFile: dflt });
    expect(locateSettings({ host: withEnv({ CLAWBACK_CONFIG: viaEnv }) })).toEqual({ file: viaEnv, source: 'CLAWBACK_CONFIG', defaultFile: dflt });
    expect(locateSettings({ host })).toEqual({ file: dflt, source: 'default', defaultFile: dflt });
    expect(locateSettings({ host, exists: () => false })).toEqual({ file: undefined, source: 'none', defaultFile: dflt });
  });

  it('a named file that does not exist is NOT_FOUND; a missing default is fine', async () => {
    const gone = t.file('gone.yaml');
    for (const opts of [{ host, configFile: gone }, { host: withEnv({ CLAWBACK_CONFIG: gone }) }]) {
      expect(() => loadSettingsSync(opts)).toThrow(expect.objectContaining({ code: 'NOT_FOUND', message: expect.stringContaining(gone) }));
      await expect(loadSettings(opts)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    }
    // A default path through a regular file (ENOTDIR) also counts as missing.
    const file = t.write('plain-file', Buffer.from('x'));
    expect(loadSettingsSync({ host: withEnv({ XDG_CONFIG_HOME: file }) }).source).toBe('none');
  });

  it('~ in --config and CLAWBACK_CONFIG is expanded; relative names resolve against the cwd', () => {
    writeFileSync(join(home, 'mine.yaml'), 'exclude: [a]\n');
    expect(loadSettingsSync({ host, configFile: '~/mine.yaml' }).file).toBe(join(home, 'mine.yaml'));
    expect(loadSettingsSync({ host: withEnv({ CLAWBACK_CONFIG: '~/mine.yaml' }) }).settings.exclude).toEqual(['a']);
    expect(locateSettings({ host, configFile: 'rel.yaml' }).file).toBe(join(process.cwd(), 'rel.yaml'));
  });
});

describe('mergeSettings: command-line flags over the file', () => {
  const file = parseSettings(FULL, '/etc/clawback/config.yaml', { ...host, env: { HOME: '/h' } });

  it('no flags: the file as it is', () => {
    expect(mergeSettings(file, {})).toEqual(file);
  });

  it('scalars are replaced, lists appended, a non-empty policy replaces the whole retention', () => {
    const m = mergeSettings(file, {
      repository: '/other/repo',
      excludeNodeModules: false,
      sources: ['/more'],
      exclude: ['*.tmp'],
      include: ['agents/**'],
      retention: { last: 1 },
      compressionLevel: 0,
      logLevel: 'normal',
    });
    expect(m).toEqual({
      repository: '/other/repo',
      openclaw: { profile: 'work', excludeNodeModules: false },
      sources: ['/h/notes', '/etc/clawback/extra/dir', '/more'],
      exclude: ['*.log', 'cache/**', '*.tmp'],
      include: ['agents/**'],
      retention: { last: 1 },
      compression: { level: 0 },
      logLevel: 'normal',
    });
    expect(Object.isFrozen(m.exclude)).toBe(true);
  });

  it('an empty policy keeps the file retention', () => {
    expect(mergeSettings(file, { retention: {} }).retention).toEqual(file.retention);
    expect(mergeSettings(file, { retention: { daily: undefined } }).retention).toEqual(file.retention);
  });

  it('a state dir flag clears the file profile, a profile flag clears the file state dir', () => {
    expect(mergeSettings(file, { stateDir: '/s' }).openclaw).toEqual({ stateDir: '/s', excludeNodeModules: true });
    const withState = parseSettings('openclaw:\n  state-dir: /s\n', '/c.yaml', host);
    expect(mergeSettings(withState, { profile: 'dev' }).openclaw).toEqual({ profile: 'dev', excludeNodeModules: false });
  });
});
