/*
 * How the repository commands print things for people: byte counts and
 * durations as restic prints them, local times, short ids, `ls -l` mode
 * strings and plain-text tables with a dashed rule above and below the rows.
 */
import type { NodeType } from '../store/tree.js';

const UNITS = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/**
 * A byte count as restic prints it: `512 B`, `1.500 KiB`, `3.210 MiB`.
 * @throws never
 * @example formatBytes(1536) // "1.500 KiB"
 */
export function formatBytes(n: number): string {
  if (!(Math.abs(n) >= 1024)) return `${n} B`;
  let v = n;
  let unit = -1;
  while (Math.abs(v) >= 1024 && unit < UNITS.length - 1) {
    v /= 1024;
    unit++;
  }
  return `${v.toFixed(3)} ${UNITS[unit]}`;
}

/**
 * Milliseconds as `m:ss`, or `h:mm:ss` from an hour up, as restic prints elapsed time.
 * @throws never
 * @example formatDuration(61_000) // "1:01"
 */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/**
 * A time as `YYYY-MM-DD HH:MM:SS` in the local time zone.
 * @throws never (an unparsable time prints as given)
 * @example formatTime('2024-05-01T10:00:00.000Z') // "2024-05-01 12:00:00" in CEST
 */
export function formatTime(time: string | Date): string {
  const d = typeof time === 'string' ? new Date(time) : time;
  if (Number.isNaN(d.getTime())) return String(time);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

/**
 * A tree node's mtime (nanoseconds since the epoch, decimal) as a Date.
 * @throws never
 * @example nsToDate('1700000000000000000').toISOString() // "2023-11-14T22:13:20.000Z"
 */
export function nsToDate(ns: string): Date {
  return new Date(Number(BigInt(ns) / 1_000_000n));
}

/**
 * The 8-hex-digit short form of an id, as `snapshots` shows it.
 * @example shortId('1a2b3c4d5e6f...') // "1a2b3c4d"
 */
export function shortId(id: string): string {
  return id.slice(0, 8);
}

/**
 * An `ls -l` mode string: `drwxr-xr-x`, `-rw-------`, `lrwxrwxrwx`, with s/t for setuid, setgid and sticky.
 * @throws never
 * @example modeString('dir', 0o755) // "drwxr-xr-x"
 */
export function modeString(type: NodeType, mode: number): string {
  const kind = type === 'dir' ? 'd' : type === 'symlink' ? 'l' : '-';
  const rwx = (bits: number, special: boolean, letter: string) =>
    (bits & 4 ? 'r' : '-') + (bits & 2 ? 'w' : '-') + (special ? (bits & 1 ? letter : letter.toUpperCase()) : bits & 1 ? 'x' : '-');
  return kind + rwx((mode >> 6) & 7, (mode & 0o4000) !== 0, 's') + rwx((mode >> 3) & 7, (mode & 0o2000) !== 0, 's') + rwx(mode & 7, (mode & 0o1000) !== 0, 't');
}

/**
 * A table as restic prints one: a header row, a dashed rule, the rows, a rule.
 * A cell with newlines spans several lines (restic's one path per line).
 * Columns are left-aligned except those listed in `right`.
 * @throws never
 * @example renderTable(['ID', 'Host'], [['1a2b3c4d', 'alpha']]).join('\n')
 */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[], right: readonly number[] = []): string[] {
  const lines: string[][] = [];
  for (const row of rows) {
    const cells = headers.map((_, i) => (row[i] ?? '').split('\n'));
    const height = Math.max(...cells.map((c) => c.length));
    for (let k = 0; k < height; k++) lines.push(cells.map((c) => c[k] ?? ''));
  }
  const widths = headers.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: readonly string[]) =>
    cells
      .map((c, i) => (right.includes(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const rule = '-'.repeat(Math.max(1, widths.reduce((a, w) => a + w, 0) + 2 * (widths.length - 1)));
  return [fmt(headers), rule, ...lines.map(fmt), rule];
}

/**
 * `n thing` or `n things`.
 * @example plural(1, 'snapshot') // "1 snapshot"
 */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}
