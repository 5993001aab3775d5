/*
 * What a CLI command is: a name, a one-line summary for `clawback --help`, and
 * a run(args, ctx) that returns an exit status or throws. Also the process
 * handles a command gets (CliIo), the usage error, and the argument parser
 * every command shares (node:util parseArgs plus the global --json/--verbose).
 */
import type { Readable, Writable } from 'node:stream';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ClawbackError } from '../core/errors.js';
import { Reporter } from './output.js';

/** The process handles a command may touch; tests pass their own. */
export interface CliIo {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  env: Readonly<Record<string, string | undefined>>;
  /** Fires on SIGINT (the bin wires it); commands pass it to every long call. */
  signal?: AbortSignal;
}

/** What a running command gets besides its arguments. */
export interface CliContext {
  readonly io: CliIo;
  readonly signal: AbortSignal;
  /** Text or JSON-lines output; also where the top level reports errors. */
  readonly out: Reporter;
  /** --verbose or CLAWBACK_DEBUG=1: stack traces for unexpected errors. */
  readonly verbose: boolean;
}

/** A subcommand: `src/cli/<verb>.ts` exports one and commands.ts lists it. */
export interface Command {
  /** Runs with the arguments after the command name; returns the exit status. */
  run(args: string[], ctx: CliContext): Promise<number>;
}

/** A command as commands.ts lists it: loaded only when run, so `--help` stays fast. */
export interface CommandEntry {
  readonly name: string;
  /** One line for `clawback --help`. */
  readonly summary: string;
  load(): Promise<Command>;
}

/**
 * The command line is wrong (exit status 2); `hint` says where to look.
 * @example throw new UsageError('rdiff needs a command', "run 'clawback rdiff --help'");
 */
export class UsageError extends Error {
  readonly hint: string;
  constructor(message: string, hint = "run 'clawback --help'") {
    super(message);
    this.name = 'UsageError';
    this.hint = hint;
  }
}

/**
 * A ClawbackError whose one-line report ends with a specific "what to do".
 * @example throw new HintedError('EXISTS', 'delta file "d" already exists', 'pass -f/--force to overwrite it');
 */
export class HintedError extends ClawbackError {
  readonly hint: string;
  constructor(code: ClawbackError['code'], message: string, hint: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.hint = hint;
  }
}

/** Options every command accepts (and the top level reads before dispatch). */
export const GLOBAL_OPTIONS = {
  json: { type: 'boolean' },
  verbose: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

type Options = NonNullable<ParseArgsConfig['options']>;

/** What parseCommandArgs returns for a command's options `O`. */
export type ParsedArgs<O extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: typeof GLOBAL_OPTIONS & O; allowPositionals: true; strict: true }>>;

/**
 * Parses a command's arguments strictly, with the global options added.
 * A numeric option value that starts with a dash (`-S -1`, as rdiff writes it)
 * is taken as the value, not as an option.
 * @throws UsageError for an unknown option or a missing value
 * @example const { values, positionals } = parseCommandArgs(args, { force: { type: 'boolean', short: 'f' } }, 'rdiff');
 */
export function parseCommandArgs<O extends Options>(args: readonly string[], options: O, helpFor: string): ParsedArgs<O> {
  const all = { ...GLOBAL_OPTIONS, ...options };
  try {
    return parseArgs({ args: joinNegativeValues(args, all), options: all, allowPositionals: true, strict: true });
  } catch (e) {
    const first = (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? 'bad arguments';
    throw new UsageError(first.replace(/\.$/, ''), `run 'clawback ${helpFor} --help'`);
  }
}

/** Rewrites `-S -1` / `--sum-size -1` to `--sum-size=-1` for string options. */
function joinNegativeValues(args: readonly string[], options: Options): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      out.push(...args.slice(i));
      break;
    }
    const next = args[i + 1];
    const name = a.startsWith('--') ? a.slice(2) : Object.keys(options).find((k) => a.length === 2 && options[k]?.short === a[1]);
    if (name !== undefined && options[name]?.type === 'string' && next !== undefined && /^-\d+$/.test(next)) {
      out.push(`--${name}=${next}`);
      i++;
    } else {
      out.push(a);
    }
  }
  return out;
}

/**
 * Parses a decimal integer option.
 * @throws UsageError when `text` is not an integer in [min, max]
 * @example parseIntOption('--block-size', '2048', 0, 1 << 26) // 2048
 */
export function parseIntOption(name: string, text: string, min: number, max: number, helpFor: string): number {
  const v = /^-?\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(v) || v < min || v > max) {
    throw new UsageError(`${name} expects an integer from ${min} to ${max}, got "${text}"`, `run 'clawback ${helpFor} --help'`);
  }
  return v;
}

/**
 * Checks a choice option.
 * @throws UsageError when `text` is not one of `allowed`
 * @example parseChoice('--hash', 'md4', ['blake2', 'md4'] as const, 'rdiff signature') // 'md4'
 */
export function parseChoice<T extends string>(name: string, text: string, allowed: readonly T[], helpFor: string): T {
  if (!(allowed as readonly string[]).includes(text)) {
    throw new UsageError(`${name} expects one of ${allowed.join(', ')}, got "${text}"`, `run 'clawback ${helpFor} --help'`);
  }
  return text as T;
}
