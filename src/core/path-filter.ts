/*
 * Include/exclude selection with fast-glob pattern syntax (picomatch, the
 * matcher fast-glob uses), shared by backup and restore. Paths are relative,
 * with '/' separators. A pattern without a '/' matches a name at any depth,
 * as in .gitignore; an excluded directory excludes everything below it.
 */
import picomatch from 'picomatch';

/** Include/exclude patterns. */
export interface PathFilterOptions {
  /** Only paths matching one of these (or inside a matching directory) are selected. */
  include?: readonly string[];
  /** Paths matching one of these (and everything inside them) are left out. */
  exclude?: readonly string[];
}

type Matcher = (path: string) => boolean;

function compile(patterns: readonly string[]): Matcher | undefined {
  if (patterns.length === 0) return undefined;
  const ms = patterns.map((p) => {
    const pat = p.replace(/\\/g, '/').replace(/^\.\//, '').replace(/\/+$/, '');
    return picomatch(pat, { dot: true, basename: !pat.includes('/') });
  });
  return (path) => ms.some((m) => m(path));
}

/** Decides, per relative path, whether backup or restore takes it. */
export class PathFilter {
  private readonly inc: Matcher | undefined;
  private readonly exc: Matcher | undefined;
  private readonly incPrefixes: readonly string[];

  constructor(opts: PathFilterOptions = {}) {
    this.inc = compile(opts.include ?? []);
    this.exc = compile(opts.exclude ?? []);
    // The literal leading directories of include patterns: directories on the way to them are walked.
    this.incPrefixes = (opts.include ?? []).map((p) => {
      const parts = p.replace(/\\/g, '/').replace(/^\.\//, '').split('/');
      const lit: string[] = [];
      for (const part of parts) {
        if (picomatch.scan(part).isGlob) break;
        lit.push(part);
      }
      return lit.join('/');
    });
  }

  /** True when patterns were given. */
  get active(): boolean {
    return this.inc !== undefined || this.exc !== undefined;
  }

  /** Is `rel` (or a directory above it) excluded? Checked per component as the walk descends. */
  excluded(rel: string): boolean {
    return this.exc !== undefined && this.exc(rel);
  }

  /** Is `rel` selected by the includes (true when there are none)? `underIncluded` is true inside a matched directory. */
  included(rel: string, underIncluded = false): boolean {
    return this.inc === undefined || underIncluded || this.inc(rel);
  }

  /** Should the walk descend into directory `rel` when it is not itself included? */
  mayContainIncluded(rel: string): boolean {
    if (this.inc === undefined) return true;
    return this.incPrefixes.some((p) => p === '' || !p.includes('/') ? true : p === rel || p.startsWith(rel + '/') || rel.startsWith(p + '/'));
  }
}
