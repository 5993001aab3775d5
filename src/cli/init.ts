/*
 * `clawback init`: create a repository in a new or empty directory (default:
 * the platform's data dir), with the chunk size, compression level and pack
 * size fixed for its lifetime. Refuses a directory that already holds a
 * repository or anything else (EXISTS), and one inside the OpenClaw state dir.
 */
import { readdir } from 'node:fs/promises';
import { resolveParams } from '../chunker/params.js';
import { isClawbackError } from '../core/errors.js';
import { LocalBackend } from '../store/backend-local.js';
import { Repository } from '../store/repository.js';
import { HintedError, parseCommandArgs, parseIntOption, UsageError, type CliContext, type Command } from './command.js';
import { EXIT } from './exit-codes.js';
import { formatBytes } from './format.js';
import { describeRepoSource, parseSize, refuseInsideStateDir, REPO_HELP, REPO_OPTIONS, repoArgs } from './repo-arg.js';

const OPTIONS = {
  ...REPO_OPTIONS,
  'chunk-size': { type: 'string' },
  compression: { type: 'string' },
  'pack-size': { type: 'string' },
} as const;

const HELP = `Usage: clawback init [--repo DIR] [OPTIONS]

Create a repository in DIR (created if missing; an existing DIR must be empty).
Without --repo: $CLAWBACK_REPO, the settings file's repository, else the
default in clawback's data dir (which backup also creates on first use).
Never inside the OpenClaw state dir. These are recorded in the repository and
cannot be changed later:

      --chunk-size=AVG    average chunk size, a power of two from 256 to 4M
                          (default 16K); chunks are AVG/4 to AVG*4
      --compression=N     deflate level 0-9 (default: compression.level from the
                          settings file, else 3; 0 stores raw)
      --pack-size=SIZE    target pack file size, 1K to 1G (default 8M)
${REPO_HELP}

Exit status: 0 created; 2 usage error (also: DIR inside the OpenClaw state
dir); 3 the settings file is invalid; 6 DIR already holds a repository or
other files; 5 DIR cannot be created.`;

/** Fails with EXISTS when `dir` holds a repository or any other entry. */
async function checkEmpty(dir: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  if (names.includes('config')) {
    throw new HintedError('EXISTS', `a repository already exists at ${dir}`, 'use it as it is, or choose another directory for a new one');
  }
  if (names.length > 0) {
    throw new HintedError('EXISTS', `${dir} is not empty (${names.length} entries)`, 'choose a new or empty directory for the repository');
  }
}

/** `clawback init`. */
export const initCommand: Command = {
  async run(args: string[], ctx: CliContext): Promise<number> {
    const { values, positionals } = parseCommandArgs(args, OPTIONS, 'init');
    if (values.help) {
      ctx.io.stdout.write(HELP + '\n');
      return EXIT.OK;
    }
    if (positionals.length > 0) throw new UsageError(`init takes no arguments, got "${positionals[0]}" (give the directory with --repo)`, "run 'clawback init --help'");
    const r = repoArgs(values, ctx, 'init');
    const opts: { avgChunkSize?: number; compressionLevel?: number; packSize?: number } = {};
    if (values['chunk-size'] !== undefined) {
      const avg = parseSize('--chunk-size', values['chunk-size'], 256, 4 << 20, 'init');
      if ((avg & (avg - 1)) !== 0) throw new UsageError(`--chunk-size expects a power of two, got ${avg}`, "run 'clawback init --help'");
      resolveParams({ avgSize: avg, minSize: avg / 4, maxSize: avg * 4 }); // the chunker's own checks
      opts.avgChunkSize = avg;
    }
    if (values.compression !== undefined) opts.compressionLevel = parseIntOption('--compression', values.compression, 0, 9, 'init');
    else if (r.settings.settings.compression.level !== undefined) opts.compressionLevel = r.settings.settings.compression.level;
    if (values['pack-size'] !== undefined) opts.packSize = parseSize('--pack-size', values['pack-size'], 1024, 1 << 30, 'init');
    refuseInsideStateDir(r.dir, r);
    await checkEmpty(r.dir);
    const backend = await LocalBackend.create(r.dir);
    try {
      let repo: Repository;
      try {
        repo = await Repository.init(backend, opts);
      } catch (e) {
        // Another init won the race for the config object.
        if (isClawbackError(e, 'EXISTS')) throw new HintedError('EXISTS', `a repository already exists at ${r.dir}`, 'use it as it is, or choose another directory for a new one', { cause: e });
        throw e;
      }
      const c = repo.config;
      const location = backend.location();
      ctx.out.text(`created clawback repository ${c.id.slice(0, 10)} at ${location}${r.source === 'option' ? '' : ` (${describeRepoSource(r)})`}`);
      if (!r.quiet) {
        ctx.out.text(`chunks ${formatBytes(c.chunker.minSize)} to ${formatBytes(c.chunker.maxSize)} (average ${formatBytes(c.chunker.avgSize)}), deflate level ${c.compression.level}, packs of ${formatBytes(c.packSize)}`);
      }
      ctx.out.event({
        type: 'summary',
        command: 'init',
        id: c.id,
        location,
        source: r.source,
        chunker: { minSize: c.chunker.minSize, avgSize: c.chunker.avgSize, maxSize: c.chunker.maxSize },
        compression: c.compression,
        packSize: c.packSize,
      });
      return EXIT.OK;
    } finally {
      await backend.close();
    }
  },
};
