/*
 * Progress of a long repository command. With --json: `{"type":"progress",...}`
 * lines on the JSON stream, at most ~10 a second. Without: one status line on
 * stderr, rewritten in place with \r at most ~10 times a second, and only when
 * stderr is a terminal. --quiet turns both off. Messages (warnings) printed
 * through it never land in the middle of the status line.
 */
import { performance } from 'node:perf_hooks';
import type { Writable } from 'node:stream';
import type { CliContext } from './command.js';

/** Updates closer together than this are dropped (the last one is kept for done()). */
export const PROGRESS_INTERVAL_MS = 100;

/** Options of a Progress. */
export interface ProgressOptions {
  /** --quiet: no progress at all. */
  quiet: boolean;
  /** Minimum time between two updates shown (default PROGRESS_INTERVAL_MS). */
  intervalMs?: number;
}

function isTty(s: Writable): boolean {
  return (s as { isTTY?: boolean }).isTTY === true;
}

/**
 * The progress display of one command run.
 * @example
 * const p = new Progress(ctx, 'backup', { quiet: false });
 * p.update({ filesDone: 3 }, () => `3 files`);
 * p.done();
 */
export class Progress {
  private readonly tty: boolean;
  private readonly jsonOn: boolean;
  private readonly interval: number;
  private last = -Infinity;
  private lineShown = false;

  constructor(
    private readonly ctx: CliContext,
    private readonly command: string,
    opts: ProgressOptions,
  ) {
    this.jsonOn = ctx.out.json && !opts.quiet;
    this.tty = !ctx.out.json && !opts.quiet && isTty(ctx.io.stderr);
    this.interval = opts.intervalMs ?? PROGRESS_INTERVAL_MS;
  }

  /** True when anything would be shown (a caller can skip building costly fields). */
  get active(): boolean {
    return this.jsonOn || this.tty;
  }

  /**
   * Reports progress: `fields` as a JSON event, or `line()` as the status line.
   * Throttled: an update within the interval of the previous one is dropped unless `force`.
   */
  update(fields: Record<string, unknown>, line: () => string, force = false): void {
    if (!this.active) return;
    const now = performance.now();
    if (!force && now - this.last < this.interval) return;
    this.last = now;
    if (this.jsonOn) {
      this.ctx.out.event({ type: 'progress', command: this.command, ...fields });
      return;
    }
    const columns = (this.ctx.io.stderr as { columns?: number }).columns;
    const width = Math.max(20, (columns !== undefined && columns > 0 ? columns : 80) - 1);
    let text = line().replace(/[\r\n]+/g, ' ');
    if (text.length > width) text = text.slice(0, width - 1) + '…';
    this.ctx.io.stderr.write(`\r${text}\x1b[K`);
    this.lineShown = true;
  }

  /** A line for people on stderr (text mode only), printed above the status line. */
  message(line: string): void {
    if (this.ctx.out.json) return;
    this.clear();
    this.ctx.io.stderr.write(line + '\n');
  }

  /** Removes the status line; call before printing the result. */
  done(): void {
    this.clear();
  }

  private clear(): void {
    if (!this.lineShown) return;
    this.ctx.io.stderr.write('\r\x1b[K');
    this.lineShown = false;
    this.last = -Infinity;
  }
}
