// Include/exclude/keep selection: keep patterns take paths back out of an exclusion, '!' keep
// patterns withdraw them, and mayContainKept never sends the walk past a directory that holds a
// kept path (checked against every ancestor of every kept path in random trees).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PathFilter } from '../../src/core/path-filter.js';

const MANIFESTS = ['package.json', 'package-lock.json', 'openclaw.plugin.json', '!node_modules'];

describe('PathFilter keep', () => {
  it('takes manifests back from an excluded directory, but not inside node_modules', () => {
    const f = new PathFilter({ exclude: ['extensions'], keep: MANIFESTS });
    expect(f.excluded('extensions')).toBe(true);
    expect(f.kept('extensions/voice/package.json')).toBe(true);
    expect(f.kept('extensions/voice/openclaw.plugin.json')).toBe(true);
    expect(f.kept('extensions/voice/dist/index.js')).toBe(false);
    expect(f.kept('extensions/voice/node_modules/lodash/package.json')).toBe(false);
    expect(f.kept('node_modules/package.json')).toBe(false);
    expect(f.mayContainKept('extensions')).toBe(true);
    expect(f.mayContainKept('extensions/voice/node_modules')).toBe(false);
    expect(f.mayContainKept('extensions/voice/node_modules/lodash')).toBe(false);
  });

  it('patterns with a slash are anchored at the source root and tested segment by segment', () => {
    const f = new PathFilter({ exclude: ['extensions/*/node_modules'], keep: ['extensions/*/node_modules/.package-lock.json', 'cache/**/keep.me'] });
    expect(f.excluded('extensions/voice/node_modules')).toBe(true);
    expect(f.excluded('other/voice/node_modules')).toBe(false);
    expect(f.kept('extensions/voice/node_modules/.package-lock.json')).toBe(true);
    expect(f.kept('extensions/voice/node_modules/x/.package-lock.json')).toBe(false);
    expect(f.mayContainKept('extensions/voice/node_modules')).toBe(true);
    expect(f.mayContainKept('extensions/voice/node_modules/x')).toBe(false);
    expect(f.mayContainKept('other')).toBe(false);
    expect(f.mayContainKept('cache')).toBe(true);
    expect(f.mayContainKept('cache/a/b/c')).toBe(true);
    expect(f.mayContainKept('cachet')).toBe(false);
  });

  it('without keep patterns nothing is kept and no excluded directory is entered', () => {
    const f = new PathFilter({ exclude: ['extensions'] });
    expect(f.kept('extensions/voice/package.json')).toBe(false);
    expect(f.mayContainKept('extensions')).toBe(false);
  });

  it('a withdrawn path is not kept even when a keep pattern names it exactly', () => {
    const f = new PathFilter({ exclude: ['*.json'], keep: ['a/b/c.json', '!b'] });
    expect(f.kept('a/b/c.json')).toBe(false);
    expect(f.mayContainKept('a')).toBe(true); // over-approximation is allowed above the withdrawn directory
    expect(f.mayContainKept('a/b')).toBe(false);
  });

  it('mayContainKept is true for every directory above a kept path (random trees and patterns)', () => {
    const seg = fc.constantFrom('a', 'b', 'node_modules', 'x.json', 'package.json', 'ext');
    const pat = fc.oneof(
      fc.constantFrom('package.json', '*.json', '!node_modules', '!b', 'a/**/package.json', 'ext/*/x.json', 'a/b', '**/ext/package.json', 'a/{b,ext}/*.json'),
      fc.array(fc.constantFrom('a', 'b', '*', '**', 'ext', 'package.json'), { minLength: 1, maxLength: 4 }).map((s) => s.join('/')),
    );
    fc.assert(
      fc.property(fc.array(pat, { minLength: 1, maxLength: 4 }), fc.array(fc.array(seg, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 20 }), (keep, paths) => {
        const f = new PathFilter({ exclude: ['a', 'ext'], keep });
        for (const parts of paths) {
          const rel = parts.join('/');
          if (!f.kept(rel)) continue;
          for (let i = 0; i < parts.length - 1; i++) {
            const dir = parts.slice(0, i + 1).join('/');
            if (!f.mayContainKept(dir)) throw new Error(`keep ${JSON.stringify(keep)}: ${rel} is kept but mayContainKept(${dir}) is false`);
          }
        }
      }),
      { numRuns: 400 },
    );
  });
});

describe('PathFilter include/exclude (unchanged by keep)', () => {
  it('a name pattern matches at any depth; a slash pattern is anchored', () => {
    const f = new PathFilter({ exclude: ['*-shm', 'cache/control-ui-assets'] });
    expect(f.excluded('state/openclaw.sqlite-shm')).toBe(true);
    expect(f.excluded('cache/control-ui-assets')).toBe(true);
    expect(f.excluded('x/cache/control-ui-assets')).toBe(false);
    expect(f.active).toBe(true);
    expect(new PathFilter({ keep: ['package.json'] }).active).toBe(false);
  });
});

describe('PathFilter pattern matching', () => {
  it('answers exactly as one picomatch matcher per pattern (basename rule for patterns without "/")', async () => {
    const { default: picomatch } = await import('picomatch');
    const { DEFAULT_EXCLUDES, MANIFEST_PATTERNS } = await import('../../src/openclaw/scope.js');
    const pools = [[...DEFAULT_EXCLUDES], [...MANIFEST_PATTERNS].filter((p) => !p.startsWith('!')), ['**/*.jsonl', 'agents/*/sessions/**', '{a,b}/c', '[ab]*.txt', '.git', '*.md', 'x/**/y?']];
    const seg = fc.constantFrom('a', 'b', 'c', '.git', 'x', 'y1', 'agents', 'main', 'sessions', 's.jsonl', 'SingletonLock', 'gateway.sock', 'db.sqlite-shm', 'f.tmp-12-34', 'cache', 'control-ui-assets', 'package.json', 'extensions', 'node_modules', 'a.txt', 'NOTES.md', 'ü ñ.md');
    fc.assert(
      fc.property(fc.constantFrom(...pools), fc.array(fc.array(seg, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 20 }), (patterns, paths) => {
        const f = new PathFilter({ exclude: patterns });
        const ms = patterns.map((p) => picomatch(p, { dot: true, basename: !p.includes('/') }));
        for (const parts of paths) {
          const rel = parts.join('/');
          expect(f.excluded(rel), `${JSON.stringify(patterns)} on ${rel}`).toBe(ms.some((m) => m(rel)));
        }
      }),
      { numRuns: 300 },
    );
  });
});
