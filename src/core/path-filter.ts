/*
 * Include/exclude/keep selection with fast-glob pattern syntax (picomatch, the
 * matcher fast-glob uses), shared by backup and restore. Paths are relative,
 * with '/' separators. A pattern without a '/' matches a name at any depth,
 * as in .gitignore; an excluded directory excludes everything below it, and
 * keep patterns take paths back out of an exclusion (dependency manifests).
 */
import picomatch from 'picomatch';

/** Include/exclude/keep patterns. */
export interface PathFilterOptions {
  /** Only paths matching one of these (or inside a matching directory) are selected. */
  include?: readonly string[];
  /** Paths matching one of these (and everything inside them) are left out. */
  exclude?: readonly string[];
  /**
   * Paths matching one of these are taken even when an exclude pattern matches them or a
   * directory above them (a kept directory is taken with its contents, minus what the excludes
   * match inside it). A pattern starting with '!' withdraws: nothing at or below a path it
   * matches is kept (`['package.json', '!node_modules']` keeps manifests except inside
   * node_modules). Includes still apply to kept paths.
   */
  keep?: readonly string[];
}

type Matcher = (path: string) => boolean;

function normalize(p: string): string {
  return p.replace(/\\/g, '/').replace(/^\.\//, '').replace(/\/+$/, '');
}

/**
 * One matcher for a list of patterns: the patterns with a '/' joined into one
 * regular expression tested on the path, those without into one tested on its
 * last component (picomatch's `basename` rule). One or two regex tests per path
 * instead of one per pattern: the walk asks for every entry.
 */
function compile(patterns: readonly string[]): Matcher | undefined {
  if (patterns.length === 0) return undefined;
  const full: string[] = [];
  const base: string[] = [];
  const others: Matcher[] = [];
  for (const p of patterns) {
    const pat = normalize(p);
    const re = picomatch.makeRe(pat, { dot: true });
    if (re.flags !== '') others.push(picomatch(pat, { dot: true, basename: !pat.includes('/') }));
    else (pat.includes('/') ? full : base).push(re.source);
  }
  const fullRe = full.length > 0 ? new RegExp(full.join('|')) : undefined;
  const baseRe = base.length > 0 ? new RegExp(base.join('|')) : undefined;
  return (path) =>
    (fullRe !== undefined && fullRe.test(path)) || (baseRe !== undefined && baseRe.test(path.slice(path.lastIndexOf('/') + 1))) || others.some((m) => m(path));
}

/** True when `rel` or a directory above it matches `m`. */
function selfOrAncestor(m: Matcher, rel: string): boolean {
  for (let i = rel.indexOf('/'); i !== -1; i = rel.indexOf('/', i + 1)) if (m(rel.slice(0, i))) return true;
  return m(rel);
}

/**
 * A test "could this pattern match a path strictly below directory `dir`?", segment by segment.
 * It may answer yes when the answer is no (the walk then only lists a directory for nothing),
 * never the reverse.
 */
function belowMatcher(pattern: string): (dir: string) => boolean {
  const pat = normalize(pattern);
  // A bare name matches at any depth; a brace group with a '/' inside defeats splitting into segments.
  if (!pat.includes('/') || /\{[^}]*\/[^}]*\}/.test(pat)) return () => true;
  const segs = pat.split('/').map((s) => (s === '**' ? undefined : picomatch(s, { dot: true })));
  return (dir) => {
    const parts = dir === '' ? [] : dir.split('/');
    for (const [i, part] of parts.entries()) {
      const m = segs[i];
      if (i >= segs.length) return false; // the pattern ends above `dir`
      if (m === undefined) return true; // '**' matches any depth from here on
      if (!m(part)) return false;
    }
    return segs.length > parts.length;
  };
}

/** Decides, per relative path, whether backup or restore takes it. */
export class PathFilter {
  private readonly inc: Matcher | undefined;
  private readonly exc: Matcher | undefined;
  private readonly keepYes: Matcher | undefined;
  private readonly keepNo: Matcher | undefined;
  private readonly keepBelow: readonly ((dir: string) => boolean)[];
  private readonly incPrefixes: readonly string[];

  /**
   * @throws TypeError when a pattern is not a string (from picomatch)
   * @example new PathFilter({ exclude: ['extensions'], keep: ['package.json', '!node_modules'] });
   */
  constructor(opts: PathFilterOptions = {}) {
    this.inc = compile(opts.include ?? []);
    this.exc = compile(opts.exclude ?? []);
    const keep = opts.keep ?? [];
    const yes = keep.filter((p) => !p.startsWith('!'));
    this.keepYes = compile(yes);
    this.keepNo = compile(keep.filter((p) => p.startsWith('!')).map((p) => p.slice(1)));
    this.keepBelow = yes.map(belowMatcher);
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

  /** Does a keep pattern take `rel` back from an exclusion (and no '!' keep pattern withdraw it or a directory above it)? */
  kept(rel: string): boolean {
    if (this.keepYes === undefined || rel === '' || !this.keepYes(rel)) return false;
    return this.keepNo === undefined || !selfOrAncestor(this.keepNo, rel);
  }

  /** Could a kept path lie below directory `rel`? The walk lists an excluded directory only then, and takes only kept entries from it. */
  mayContainKept(rel: string): boolean {
    if (this.keepYes === undefined) return false;
    if (this.keepNo !== undefined && rel !== '' && selfOrAncestor(this.keepNo, rel)) return false;
    return this.keepBelow.some((below) => below(rel));
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
