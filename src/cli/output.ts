/*
 * Where a command's words go. Text mode: results on stdout, notes (statistics,
 * progress) and errors on stderr. JSON mode (--json): one JSON object per line
 * on stdout, the result or {"error": ...} last. When stdout carries data (an
 * output named `-`), reports move to stderr so they never mix with the data.
 */
import type { Writable } from 'node:stream';

/** Writes a command's reports as text or JSON lines. */
export class Reporter {
  private dataOnStdout = false;

  constructor(
    private readonly stdout: Writable,
    private readonly stderr: Writable,
    /** True for --json. */
    readonly json: boolean,
  ) {}

  /** Call before writing data to stdout: reports go to stderr from then on. */
  stdoutCarriesData(): void {
    this.dataOnStdout = true;
  }

  /** The stream results and JSON lines go to. */
  get reportStream(): Writable {
    return this.dataOnStdout ? this.stderr : this.stdout;
  }

  /** A line of result text for people (not written in JSON mode). */
  text(line: string): void {
    if (!this.json) this.reportStream.write(line + '\n');
  }

  /** A diagnostic line on stderr, such as statistics (not written in JSON mode). */
  note(line: string): void {
    if (!this.json) this.stderr.write(line + '\n');
  }

  /** One JSON object as one line (written in JSON mode only). */
  event(obj: object): void {
    if (this.json) this.reportStream.write(JSON.stringify(obj) + '\n');
  }

  /** A failure: one text line on stderr, or a JSON line where JSON goes. */
  error(line: string, obj: object, detail?: string): void {
    if (this.json) this.reportStream.write(JSON.stringify(obj) + '\n');
    else this.stderr.write(line + '\n');
    if (detail !== undefined) this.stderr.write(detail + '\n');
  }
}
