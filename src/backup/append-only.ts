/*
 * Where to cut an append-only file (a JSONL transcript or log) that is being
 * written while it is read: at the last '\n' within the size seen when the
 * read started, so the stored version is a prefix of the file made of whole
 * lines. The scan for that '\n' reads backwards in bounded blocks, because a
 * single line can be larger than any buffer we want to hold.
 */
import type { BigIntStats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { throwIfAborted } from '../core/errors.js';

/** A file whose last line has no '\n' and whose mtime is this recent (or in the future) is taken to be in the middle of a write. */
export const WRITING_WINDOW_NS = 2_000_000_000n;

const NEWLINE = 0x0a;
const FIRST_BLOCK = 64 * 1024;
const MAX_BLOCK = 1 << 20;

/** True when `now` is the same file as `before` and longer: it was appended to. */
export function grew(before: BigIntStats, now: BigIntStats): boolean {
  return now.ino === before.ino && now.size > before.size;
}

/** True when the file's mtime is within {@link WRITING_WINDOW_NS} of `nowNs` or later. */
export function recentlyWritten(st: BigIntStats, nowNs: bigint = BigInt(Date.now()) * 1_000_000n): boolean {
  return nowNs - st.mtimeNs < WRITING_WINDOW_NS;
}

/**
 * Should an append-only file read as `before` be cut at its last line boundary, given the
 * stat `now` taken after (or during) the read? Yes when it grew; also when its read ends in a
 * partial line (`partialTail`) and it was written very recently, because a writer may be in
 * the middle of that line. A file that was replaced or shrank is never cut: it was rewritten,
 * and takes the normal re-read path.
 * @example if (shouldCut(walked, after, data.at(-1) !== 0x0a)) data = data.subarray(0, data.lastIndexOf(0x0a) + 1);
 */
export function shouldCut(before: BigIntStats, now: BigIntStats, partialTail: boolean): boolean {
  if (now.ino !== before.ino || now.size < before.size) return false;
  return now.size > before.size || (partialTail && recentlyWritten(now));
}

/**
 * The offset just after the last '\n' in the first `size` bytes of `h` (0 when there is none),
 * found by reading backwards in blocks of 64 KiB growing to 1 MiB. Undefined when the file is
 * shorter than `size` (it was truncated: not an append).
 * @throws NodeJS read errors; ClawbackError ABORTED
 * @example const cut = await lastLineEnd(handle, Number(walked.size));
 */
export async function lastLineEnd(h: FileHandle, size: number, signal?: AbortSignal): Promise<number | undefined> {
  let end = size;
  let block = FIRST_BLOCK;
  const buf = new Uint8Array(Math.min(MAX_BLOCK, Math.max(size, 1)));
  while (end > 0) {
    throwIfAborted(signal);
    const n = Math.min(block, end, buf.length);
    const start = end - n;
    let got = 0;
    while (got < n) {
      const { bytesRead } = await h.read(buf, got, n - got, start + got);
      if (bytesRead === 0) return undefined;
      got += bytesRead;
    }
    const i = buf.subarray(0, n).lastIndexOf(NEWLINE);
    if (i >= 0) return start + i + 1;
    end = start;
    block = Math.min(block * 2, MAX_BLOCK);
  }
  return 0;
}
