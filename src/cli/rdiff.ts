/*
 * `clawback rdiff signature|delta|patch`: librsync's rdiff, option for option
 * (-b, -S, -H, -R, -s, -f, -I, `-` for stdin/stdout), byte-compatible by
 * default, plus --format native and --json. Parses and checks the command line,
 * runs the job (rdiff-ops.ts) and reports statistics like rdiff -s does.
 */
import { performance } from 'node:perf_hooks';
import type { FormatKind } from '../rsync/magic.js';
import { MAX_BLOCK_LEN, resolveSignatureParams, type SignatureOptions } from '../rsync/signature-params.js';
import { parseChoice, parseCommandArgs, parseIntOption, UsageError, type CliContext, type Command } from './command.js';
import { EXIT } from './exit-codes.js';
import { runDelta, runPatch, runSignature, type JobOptions } from './rdiff-ops.js';

const OPTIONS = {
  'block-size': { type: 'string', short: 'b' },
  'sum-size': { type: 'string', short: 'S' },
  hash: { type: 'string', short: 'H' },
  rollsum: { type: 'string', short: 'R' },
  statistics: { type: 'boolean', short: 's' },
  force: { type: 'boolean', short: 'f' },
  format: { type: 'string' },
  'input-size': { type: 'string', short: 'I' },
  'output-size': { type: 'string', short: 'O' },
  'no-fsync': { type: 'boolean' },
} as const;

const VERBS = ['signature', 'delta', 'patch'] as const;
type Verb = (typeof VERBS)[number];

const COMMON_HELP = `  -s, --statistics        print statistics to stderr when done
  -f, --force             overwrite an existing output file
  -I, --input-size=BYTES  bytes per read from input files (default 1048576)
  -O, --output-size=BYTES accepted for rdiff compatibility; output is written as produced
      --no-fsync          do not fsync output files before renaming them into place
                          (as rdiff): faster, but a crash soon after may lose them
      --json              one JSON object per line on stdout (on stderr when stdout
                          carries data); the last line is the result or {"error":...}
  -v, --verbose           print a stack trace with an unexpected error
  -h, --help              show this help`;

const HELP: Record<Verb | 'rdiff', string> = {
  rdiff: `Usage: clawback rdiff [OPTIONS] signature [BASIS [SIG]]
       clawback rdiff [OPTIONS] delta SIG [NEW [DELTA]]
       clawback rdiff [OPTIONS] patch BASIS [DELTA [NEW]]

Compute and apply signature-based file differences, like librsync's rdiff.
Output is byte-identical to rdiff 2.3's unless --format native is given.
A file name of '-' (or a name left out) means stdin or stdout; end options
with '--' to name a file that starts with '-'. Output files are written
atomically: on any error or interrupt no partial output file is left.

Run 'clawback rdiff <signature|delta|patch> --help' for each command's options.`,
  signature: `Usage: clawback rdiff signature [OPTIONS] [BASIS [SIG]]

Write the signature of BASIS to SIG.

  -b, --block-size=BYTES  bytes per block; 0 (default) = recommended for BASIS's
                          size (2048 when BASIS is a pipe and its size is unknown)
  -S, --sum-size=BYTES    strong sum bytes per block; 0 (default) = the full hash,
                          -1 = the minimum safe length for BASIS's size
  -H, --hash=ALG          strong hash: blake2 (default) or md4
  -R, --rollsum=ALG       rolling checksum: rabinkarp (default) or rollsum
      --format=FMT        librsync (default, rdiff-compatible) or native (clawback:
                          RabinKarp + XXH64 with a length-and-checksum trailer)
${COMMON_HELP}`,
  delta: `Usage: clawback rdiff delta [OPTIONS] SIG [NEW [DELTA]]

Write the delta that turns the basis signed in SIG into NEW.

      --format=FMT        librsync or native; default: the signature's format
                          (a native delta carries the SHA-256 of NEW, checked on patch)
${COMMON_HELP}`,
  patch: `Usage: clawback rdiff patch [OPTIONS] BASIS [DELTA [NEW]]

Apply DELTA to BASIS and write the result to NEW. BASIS is read at random, so
it must be a file, not '-'. A native delta is verified (length and SHA-256)
before NEW is put in place; when NEW is '-' the data has already been written.

      --format=FMT        refuse a delta that is not in this format (librsync or native)
${COMMON_HELP}`,
};

const SIGNATURE_ONLY = ['block-size', 'sum-size', 'hash', 'rollsum'] as const;

/** The parsed command line of one rdiff job. */
interface RdiffArgs {
  verb: Verb;
  files: string[];
  sigOpts: SignatureOptions;
  format: FormatKind | undefined;
  statistics: boolean;
  job: JobOptions;
}

function parse(args: string[]): RdiffArgs | { help: string } {
  const { values, positionals } = parseCommandArgs(args, OPTIONS, 'rdiff');
  const [verbText, ...files] = positionals;
  const known = (VERBS as readonly string[]).includes(verbText ?? '');
  if (values.help) return { help: known ? HELP[verbText as Verb] : HELP.rdiff };
  if (verbText === undefined) throw new UsageError('rdiff needs a command: signature, delta or patch', "run 'clawback rdiff --help'");
  if (!known) throw new UsageError(`unknown rdiff command "${verbText}" (expected signature, delta or patch)`, "run 'clawback rdiff --help'");
  const verb = verbText as Verb;
  const helpFor = `rdiff ${verb}`;
  if (verb !== 'signature') {
    const wrong = SIGNATURE_ONLY.find((k) => values[k] !== undefined);
    if (wrong) throw new UsageError(`--${wrong} applies to signature only (the signature file fixes it for ${verb})`, `run 'clawback ${helpFor} --help'`);
  }
  const format = values.format === undefined ? undefined : parseChoice('--format', values.format, ['librsync', 'native'] as const, helpFor);
  const sigOpts: SignatureOptions = {};
  if (format !== undefined) sigOpts.format = format;
  if (values['block-size'] !== undefined) sigOpts.blockLen = parseIntOption('--block-size', values['block-size'], 0, MAX_BLOCK_LEN, helpFor);
  if (values['sum-size'] !== undefined) sigOpts.strongLen = parseIntOption('--sum-size', values['sum-size'], -1, 32, helpFor);
  if (values.hash !== undefined) sigOpts.strong = parseChoice('--hash', values.hash, ['blake2', 'md4'] as const, helpFor);
  if (values.rollsum !== undefined) sigOpts.weak = parseChoice('--rollsum', values.rollsum, ['rabinkarp', 'rollsum'] as const, helpFor);
  if (format === 'native' && (sigOpts.strong !== undefined || sigOpts.weak !== undefined)) {
    throw new UsageError('--format native always uses RabinKarp + XXH64; drop --hash and --rollsum', `run 'clawback ${helpFor} --help'`);
  }
  if (verb === 'signature') {
    try {
      resolveSignatureParams(sigOpts); // the library's range checks (e.g. --sum-size above the hash's length)
    } catch (e) {
      if (e instanceof RangeError || e instanceof TypeError) throw new UsageError(e.message.replace('"strongLen"', '--sum-size').replace('"blockLen"', '--block-size'), `run 'clawback ${helpFor} --help'`);
      throw e;
    }
  }
  const chunkSize = values['input-size'] === undefined ? 1 << 20 : parseIntOption('--input-size', values['input-size'], 1, 1 << 30, helpFor);
  if (values['output-size'] !== undefined) parseIntOption('--output-size', values['output-size'], 1, 1 << 30, helpFor);
  const max = { signature: 2, delta: 3, patch: 3 }[verb];
  if (files.length > max) throw new UsageError(`rdiff ${verb} takes at most ${max} file names, got ${files.length}`, `run 'clawback ${helpFor} --help'`);
  if (verb !== 'signature' && files.length === 0) throw new UsageError(`rdiff ${verb} needs ${verb === 'delta' ? 'a signature file (SIG)' : 'a basis file (BASIS)'}`, `run 'clawback ${helpFor} --help'`);
  while (files.length < max) files.push('-');
  return { verb, files, sigOpts, format, statistics: values.statistics ?? false, job: { force: values.force ?? false, chunkSize, durable: !(values['no-fsync'] ?? false) } };
}

/** Checks the `-` names: one stdin reader, no binary on a terminal, BASIS of patch a file. */
function checkStdio(a: RdiffArgs, ctx: CliContext): void {
  const helpFor = `rdiff ${a.verb}`;
  const [first, second, third] = a.files;
  const inputs = a.verb === 'signature' ? [first] : [first, second];
  const output = a.verb === 'signature' ? second : third;
  if (a.verb === 'patch' && first === '-') {
    throw new UsageError('patch reads BASIS at random, so BASIS cannot be stdin (-); give a file name', `run 'clawback ${helpFor} --help'`);
  }
  if (inputs.filter((f) => f === '-').length > 1) throw new UsageError('only one input can be stdin (-)', `run 'clawback ${helpFor} --help'`);
  if (inputs.includes('-') && (ctx.io.stdin as { isTTY?: boolean }).isTTY) {
    throw new UsageError('refusing to read data from a terminal', 'give an input file name or redirect stdin');
  }
  if (output === '-') {
    if ((ctx.io.stdout as { isTTY?: boolean }).isTTY) {
      throw new UsageError('refusing to write binary data to a terminal', 'give an output file name or redirect stdout');
    }
    ctx.out.stdoutCarriesData();
  }
}

const round = (s: number) => Math.round(s * 1000) / 1000;
const mb = (n: number) => (n / 1e6).toFixed(1);
function speed(bytesIn: number, bytesOut: number, seconds: number): string {
  const s = Math.max(seconds, 1e-6);
  return `speed[${mb(bytesIn)} MB (${mb(bytesIn / s)} MB/s) in, ${mb(bytesOut)} MB (${mb(bytesOut / s)} MB/s) out, ${seconds.toFixed(3)} sec]`;
}

async function runJob(a: RdiffArgs, ctx: CliContext): Promise<void> {
  const [f1, f2, f3] = a.files as [string, string, string];
  const t0 = performance.now();
  const secs = () => (performance.now() - t0) / 1000;
  if (a.verb === 'signature') {
    const r = await runSignature(f1, f2, a.sigOpts, a.job, ctx);
    const seconds = secs();
    if (a.statistics) {
      ctx.out.note(`clawback: signature statistics: signature[${r.blocks} blocks, ${r.blockLen} bytes per block, ${r.strongLen} bytes strong sum, ${r.weak}+${r.strong}] ${speed(r.bytesIn, r.bytesOut, seconds)}`);
    }
    ctx.out.event({ command: 'rdiff signature', basis: f1, signature: f2, ...r, magic: `0x${r.magic.toString(16).padStart(8, '0')}`, seconds: round(seconds) });
  } else if (a.verb === 'delta') {
    const r = await runDelta(f1, f2, f3, a.format, a.job, ctx);
    const seconds = secs();
    if (a.statistics) {
      ctx.out.note(
        `clawback: delta statistics: literal[${r.literalCommands} cmds, ${r.literalBytes} bytes] copy[${r.copyCommands} cmds, ${r.copyBytes} bytes, ${r.falseMatches} false] ${speed(r.newLength, r.deltaLength, seconds)}`,
      );
    }
    ctx.out.event({ command: 'rdiff delta', signature: f1, new: f2, delta: f3, ...r, seconds: round(seconds) });
  } else {
    const r = await runPatch(f1, f2, f3, a.format, a.job, ctx);
    const seconds = secs();
    if (a.statistics) {
      const check = r.format === 'native' ? 'length and SHA-256 verified' : 'librsync format: no checksum to verify';
      ctx.out.note(`clawback: patch statistics: patch[${r.deltaLength} delta bytes, ${r.outputLength} bytes out, ${check}] ${speed(r.deltaLength, r.outputLength, seconds)}`);
    }
    ctx.out.event({ command: 'rdiff patch', basis: f1, delta: f2, output: f3, ...r, seconds: round(seconds) });
  }
}

/** `clawback rdiff`: signature, delta and patch like librsync's rdiff. */
export const rdiffCommand: Command = {
  async run(args: string[], ctx: CliContext): Promise<number> {
    const a = parse(args);
    if ('help' in a) {
      ctx.io.stdout.write(a.help + '\n');
      return EXIT.OK;
    }
    checkStdio(a, ctx);
    await runJob(a, ctx);
    return EXIT.OK;
  },
};
