// How absolute source paths nest in a snapshot's root tree, on POSIX and on Windows
// (Windows rules checked through path.win32 on any OS).
import { describe, expect, it } from 'vitest';
import { rootComponents } from '../../src/core/source-paths.js';
import { unsafeName } from '../../src/store/tree.js';

describe('rootComponents', () => {
  it('POSIX: one component per directory, each with its absolute path', () => {
    expect(rootComponents('/home/me/.openclaw', 'linux')).toEqual([
      { name: 'home', abs: '/home' },
      { name: 'me', abs: '/home/me' },
      { name: '.openclaw', abs: '/home/me/.openclaw' },
    ]);
    expect(rootComponents('/home//me/./x/../.openclaw/', 'linux').map((c) => c.name)).toEqual(['home', 'me', '.openclaw']);
  });

  it('Windows: the drive letter becomes a component, backslashes and forward slashes both separate', () => {
    expect(rootComponents('C:\\Users\\me\\.openclaw', 'win32')).toEqual([
      { name: 'C', abs: 'C:\\' },
      { name: 'Users', abs: 'C:\\Users' },
      { name: 'me', abs: 'C:\\Users\\me' },
      { name: '.openclaw', abs: 'C:\\Users\\me\\.openclaw' },
    ]);
    expect(rootComponents('D:/data/agent', 'win32').map((c) => c.name)).toEqual(['D', 'data', 'agent']);
  });

  it('Windows: UNC paths nest under server and share', () => {
    const c = rootComponents('\\\\nas\\backups\\agent', 'win32');
    expect(c.map((x) => x.name)).toEqual(['nas', 'backups', 'agent']);
    expect(c[c.length - 1]!.abs).toBe('\\\\nas\\backups\\agent');
  });

  it('every component is a safe tree entry name', () => {
    for (const p of ['C:\\Users\\me\\.openclaw', '\\\\nas\\backups\\a b', 'E:\\x\\ünï']) {
      for (const { name } of rootComponents(p, 'win32')) expect(unsafeName(name), `${p}: ${name}`).toBeUndefined();
    }
  });
});

describe('tree entry names', () => {
  it('refuse separators of either platform, NUL, . and ..', () => {
    for (const bad of ['a/b', 'a\\b', '..', '.', '', 'x\0y']) expect(unsafeName(bad), JSON.stringify(bad)).toBeDefined();
    for (const ok of ['openclaw.json', 'ünïcødé 名前.md', 'n'.repeat(255), 'CON', '.env']) expect(unsafeName(ok)).toBeUndefined();
  });
});
