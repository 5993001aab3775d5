/*
 * Runs the real `rdiff` (librsync 2.3.2, /usr/bin/rdiff) on bytes held in
 * memory: inputs are written to files in a temp directory (so rdiff sees a
 * regular file and its size, as `rdiff signature FILE` does), outputs are read
 * from its stdout. signatureFromPipe() feeds stdin through a pipe instead
 * (rdiff cannot tell the size), signatureFromStdinFile() redirects a file.
 * batch() runs many rdiff commands from one shell: spawning from a large test
 * worker costs far more than rdiff itself on small inputs.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, type TempDir } from './temp-dir.js';

/** rdiff signature options, as the command line takes them (0 = recommended, -1 = minimum strong length). */
export interface RdiffSigOptions {
  weak?: 'rabinkarp' | 'rollsum';
  strong?: 'blake2' | 'md4';
  blockLen?: number;
  strongLen?: number;
}

/** Result of one rdiff run. */
export interface RdiffResult {
  status: number | null;
  stdout: Uint8Array;
  stderr: string;
}

export const RDIFF = process.env['RDIFF'] ?? '/usr/bin/rdiff';

/** Command-line flags for signature options. */
export function sigFlags(o: RdiffSigOptions = {}): string[] {
  const f: string[] = [];
  if (o.weak) f.push('-R', o.weak);
  if (o.strong) f.push('-H', o.strong);
  if (o.blockLen !== undefined) f.push('-b', String(o.blockLen));
  if (o.strongLen !== undefined) f.push('-S', String(o.strongLen));
  return f;
}

/** Runs rdiff with `args`; `input` goes to stdin through a pipe. */
export function runRdiff(args: readonly string[], input?: Uint8Array): RdiffResult {
  const r = spawnSync(RDIFF, args, { input: input ?? new Uint8Array(0), maxBuffer: 1 << 30 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: new Uint8Array(r.stdout), stderr: r.stderr.toString() };
}

function check(args: readonly string[], r: RdiffResult): Uint8Array {
  if (r.status !== 0) throw new Error(`rdiff ${args.join(' ')} exited ${r.status}: ${r.stderr.trim()}`);
  return r.stdout;
}

/** One command of a batch: rdiff arguments, byte arrays standing for input files; the output file is appended. */
export type BatchJob = readonly (string | Uint8Array)[];

/** Signature job arguments for a batch. */
export function sigJob(basis: Uint8Array, opts: RdiffSigOptions = {}): BatchJob {
  return [...sigFlags(opts), 'signature', basis];
}
/** Delta job arguments for a batch. */
export function deltaJob(sig: Uint8Array, data: Uint8Array): BatchJob {
  return ['delta', sig, data];
}
/** Patch job arguments for a batch. */
export function patchJob(basis: Uint8Array, delta: Uint8Array): BatchJob {
  return ['patch', basis, delta];
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** An rdiff runner with its own temp directory; call remove() when done. */
export class Rdiff {
  readonly dir: TempDir;
  private batches = 0;

  constructor() {
    this.dir = makeTempDir('rdiff');
  }

  private put(data: Uint8Array, tag: string): string {
    return this.dir.write(tag, data);
  }

  /** `rdiff [opts] signature BASIS -` with BASIS a regular file. */
  signature(basis: Uint8Array, opts: RdiffSigOptions = {}): Uint8Array {
    const args = [...sigFlags(opts), 'signature', this.put(basis, 'basis'), '-'];
    return check(args, runRdiff(args));
  }

  /** `rdiff [opts] signature BASIS -` on a file that already exists. */
  signatureOfFile(path: string, opts: RdiffSigOptions = {}): Uint8Array {
    const args = [...sigFlags(opts), 'signature', path, '-'];
    return check(args, runRdiff(args));
  }

  /** `rdiff [opts] signature - -` with the basis on a pipe (its size unknown to rdiff). */
  signatureFromPipe(basis: Uint8Array, opts: RdiffSigOptions = {}): Uint8Array {
    const args = [...sigFlags(opts), 'signature', '-', '-'];
    return check(args, runRdiff(args, basis));
  }

  /** `rdiff [opts] signature - - < FILE`: stdin is the regular file itself, so rdiff can still see its size. */
  signatureFromStdinFile(path: string, opts: RdiffSigOptions = {}): Uint8Array {
    const args = [...sigFlags(opts), 'signature', '-', '-'];
    const fd = openSync(path, 'r');
    try {
      const r = spawnSync(RDIFF, args, { stdio: [fd, 'pipe', 'pipe'], maxBuffer: 1 << 30 });
      if (r.error) throw r.error;
      return check(args, { status: r.status, stdout: new Uint8Array(r.stdout), stderr: r.stderr.toString() });
    } finally {
      closeSync(fd);
    }
  }

  /** `rdiff delta SIG NEW -`. */
  delta(sig: Uint8Array, data: Uint8Array): Uint8Array {
    const args = ['delta', this.put(sig, 'sig'), this.put(data, 'new'), '-'];
    return check(args, runRdiff(args));
  }

  /** `rdiff patch BASIS DELTA -`. */
  patch(basis: Uint8Array, delta: Uint8Array): Uint8Array {
    const args = ['patch', this.put(basis, 'basis'), this.put(delta, 'delta'), '-'];
    return check(args, runRdiff(args));
  }

  /**
   * Runs every job (rdiff args + output file) from one shell and returns their outputs in order.
   * @throws Error naming the first job that failed
   */
  batch(jobs: readonly BatchJob[]): Uint8Array[] {
    const dir = join(this.dir.path, `batch-${this.batches++}`);
    mkdirSync(dir);
    try {
      const files = new Map<Uint8Array, string>();
      const lines: string[] = [];
      jobs.forEach((job, i) => {
        const args = job.map((a) => {
          if (typeof a === 'string') return quote(a);
          let p = files.get(a);
          if (!p) {
            p = join(dir, `in-${files.size}`);
            writeFileSync(p, a);
            files.set(a, p);
          }
          return quote(p);
        });
        lines.push(`${quote(RDIFF)} ${args.join(' ')} ${quote(join(dir, `out-${i}`))} || echo "job ${i} exited $?" >&2`);
      });
      const r = spawnSync('sh', ['-c', lines.join('\n')], { maxBuffer: 1 << 30 });
      if (r.error) throw r.error;
      const err = r.stderr.toString();
      const failed = /job (\d+) exited/.exec(err);
      if (failed) {
        const job = jobs[Number(failed[1])]!.map((a) => (typeof a === 'string' ? a : `<${a.length} bytes>`));
        throw new Error(`rdiff ${job.join(' ')} failed: ${err.trim()}`);
      }
      return jobs.map((_, i) => new Uint8Array(readFileSync(join(dir, `out-${i}`))));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  /** Runs rdiff with arbitrary arguments, without checking the status. */
  run(args: readonly string[], input?: Uint8Array): RdiffResult {
    return runRdiff(args, input);
  }

  /** Deletes the temp directory. */
  remove(): void {
    this.dir.remove();
  }
}
