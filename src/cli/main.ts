#!/usr/bin/env node
/*
 * The clawback command line: `clawback [--json] [--verbose] <command> ...`.
 * main() dispatches to the commands in commands.ts and turns every failure into
 * one line and an exit status (exit-codes.ts); run as a program, this file wires
 * the process in: SIGINT aborts the running command (exit 130).
 */
import { AbortError } from '../core/errors.js';
import { UsageError, type CliContext, type CliIo } from './command.js';
import { COMMANDS, findCommand } from './commands.js';
import { describeFailure, failureJson, failureLine } from './error-report.js';
import { EXIT, exitCodeHelp } from './exit-codes.js';
import { Reporter } from './output.js';
import { isEntryPoint, runAsProgram } from './program.js';
import { packageVersion } from './version.js';

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const list = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n');
  return `Usage: clawback [--json] [--verbose] <command> [options] [args]

Back up and roll back OpenClaw agent state.

Commands:
${list}

Options:
  -h, --help      show this help; 'clawback <command> --help' for a command
  -V, --version   print the version
      --json      machine-readable output: one JSON object per line, the
                  result (or {"error":{"code","message","hint","exitCode"}}) last
  -v, --verbose   list every file a command reads, writes or deletes, and
                  print a stack trace with an unexpected error
  -q, --quiet     (per command) nothing but warnings, errors and --json lines

Environment:
  CLAWBACK_REPO     the repository (default: the settings file's, else the
                    default repository in clawback's data dir)
  CLAWBACK_CONFIG   the settings file (YAML; see 'clawback config path')
  OPENCLAW_STATE_DIR, OPENCLAW_HOME, OPENCLAW_CONFIG_PATH
                    where the OpenClaw state is, as OpenClaw reads them
  CLAWBACK_DEBUG=1  same as --verbose

Exit status:
${exitCodeHelp()}`;
}

/** Global flags anywhere before `--` (they decide how even a usage error is reported). */
function scanGlobals(argv: readonly string[], env: CliIo['env']): { json: boolean; verbose: boolean } {
  const end = argv.indexOf('--');
  const head = end < 0 ? argv : argv.slice(0, end);
  return {
    json: head.includes('--json'),
    verbose: head.includes('--verbose') || head.includes('-v') || env['CLAWBACK_DEBUG'] === '1',
  };
}

async function dispatch(argv: string[], ctx: CliContext): Promise<number> {
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      i++;
      break;
    }
    if (!a.startsWith('-') || a === '-') break;
    if (a === '-h' || a === '--help') {
      ctx.io.stdout.write(usage() + '\n');
      return EXIT.OK;
    }
    if (a === '-V' || a === '--version') {
      if (ctx.out.json) ctx.out.event({ name: 'clawback', version: packageVersion() });
      else ctx.io.stdout.write(`clawback ${packageVersion()}\n`);
      return EXIT.OK;
    }
    if (a !== '--json' && a !== '--verbose' && a !== '-v') throw new UsageError(`unknown option "${a}"`);
  }
  const name = argv[i];
  if (name === undefined) throw new UsageError('no command given');
  let rest = argv.slice(i + 1);
  if (name === 'help') {
    const [topic] = rest;
    if (topic === undefined) return dispatch(['--help'], ctx);
    rest = ['--help'];
    return runCommand(topic, rest, ctx);
  }
  return runCommand(name, rest, ctx);
}

async function runCommand(name: string, args: string[], ctx: CliContext): Promise<number> {
  const entry = findCommand(name);
  if (!entry) throw new UsageError(`unknown command "${name}" (commands: ${COMMANDS.map((c) => c.name).join(', ')})`);
  return (await entry.load()).run(args, ctx);
}

/**
 * Runs the clawback command line with `argv` (without node and the script) and returns the exit status.
 * Never throws and never prints a stack trace unless --verbose or CLAWBACK_DEBUG=1 asks for one.
 * @throws never
 * @example process.exitCode = await main(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env });
 */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const { json, verbose } = scanGlobals(argv, io.env);
  const out = new Reporter(io.stdout, io.stderr, json);
  const signal = io.signal ?? new AbortController().signal;
  try {
    return await dispatch(argv, { io, signal, out, verbose });
  } catch (e) {
    let r = describeFailure(e);
    if (signal.aborted) {
      // Whatever the abort broke on its way out (a destroyed stdin, a closed pipe), report the abort.
      const why = signal.reason instanceof Error ? signal.reason.message : undefined;
      r = { ...describeFailure(new AbortError(signal.reason)), ...(why ? { message: why } : {}), stack: r.stack };
    }
    out.error(failureLine(r), failureJson(r), verbose && r.stack !== undefined ? r.stack : undefined);
    return r.exitCode;
  }
}

if (isEntryPoint(import.meta.url)) void runAsProgram(main);
