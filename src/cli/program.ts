/*
 * Running a CLI module as the process: is this file the entry point, and the
 * process wiring (SIGINT aborts the command, a closed pipe does not crash it,
 * nothing escapes as a stack trace, the exit status is set).
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CliIo } from './command.js';
import { describeFailure, failureLine } from './error-report.js';
import { EXIT } from './exit-codes.js';

/**
 * True when the module at `moduleUrl` is the script node was started with (symlinks resolved, as npm's bin links are).
 * @example if (isEntryPoint(import.meta.url)) void runAsProgram(main);
 */
export function isEntryPoint(moduleUrl: string): boolean {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(moduleUrl));
  } catch {
    return false;
  }
}

/** Reports an error that escaped the command (a stray promise): one line, then exit. */
function lastResort(e: unknown): void {
  const r = describeFailure(e);
  process.stderr.write(failureLine(r) + '\n');
  if (process.argv.includes('--verbose') || process.env['CLAWBACK_DEBUG'] === '1') process.stderr.write(`${r.stack ?? ''}\n`);
  process.exit(r.exitCode);
}

/**
 * Runs `run` with this process's arguments and streams; the first SIGINT aborts it (exit 130), a second exits at once.
 * @throws never: failures become the exit status
 * @example if (isEntryPoint(import.meta.url)) void runAsProgram(main);
 */
export async function runAsProgram(run: (argv: string[], io: CliIo) => Promise<number>): Promise<void> {
  process.on('uncaughtException', lastResort);
  process.on('unhandledRejection', lastResort);
  // A closed stdout/stderr (EPIPE) must not crash the process; writers see the error themselves.
  process.stdout.on('error', () => {});
  process.stderr.on('error', () => {});
  const controller = new AbortController();
  let interrupts = 0;
  process.on('SIGINT', () => {
    if (++interrupts > 1) process.exit(EXIT.ABORTED);
    controller.abort(new Error('interrupted (SIGINT)'));
  });
  const io: CliIo = {
    get stdin() {
      return process.stdin; // only touched when a command reads '-'
    },
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    signal: controller.signal,
  };
  process.exitCode = await run(process.argv.slice(2), io);
}
