/*
 * Snapshots: the record of one backup (time, host, paths, tags, parent, root
 * tree, summary), stored as a JSON object named by the SHA-256 of its bytes.
 */
import { ClawbackError } from '../core/errors.js';
import { isId, type Id } from './ids.js';

/** Figures of one backup, as shown in `snapshots` and returned by the API. */
export interface SnapshotSummary {
  filesNew: number;
  filesChanged: number;
  filesUnchanged: number;
  dirs: number;
  /** Entries skipped with a warning (unreadable, vanished, FIFOs, sockets). */
  skipped: number;
  bytesRead: number;
  /** Plaintext bytes of new blobs. */
  bytesAdded: number;
  /** Bytes written to the repository for new blobs (after compression). */
  bytesStored: number;
  /** Total plaintext size of the files in the snapshot. */
  totalBytes: number;
  totalFiles: number;
  /** Files counted as secrets (issue 4). */
  secrets?: number;
  /** Entries deleted between the directory listing and their read: reported, counted in `skipped`, not partial (issue 4). */
  vanished?: number;
  /** True when an entry could not be read (a vanished one does not count): the backup is partial. */
  partial: boolean;
  durationMs: number;
}

/** A snapshot as stored. */
export interface Snapshot {
  version: 1;
  /** ISO 8601 time the backup started. */
  time: string;
  host: string;
  username?: string;
  /** Absolute source paths. */
  paths: string[];
  tags: string[];
  parent?: Id;
  tree: Id;
  programVersion: string;
  summary?: SnapshotSummary;
}

/** Canonical bytes of a snapshot. */
export function encodeSnapshot(s: Snapshot): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(s, null, 1) + '\n');
}

function bad(msg: string): never {
  throw new ClawbackError('CORRUPT', `snapshot: ${msg}`);
}

/**
 * Parses and validates a snapshot object (its id has been verified by the caller).
 * @throws ClawbackError CORRUPT, UNSUPPORTED
 */
export function decodeSnapshot(bytes: Uint8Array): Snapshot {
  let s: Record<string, unknown>;
  try {
    s = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as Record<string, unknown>;
  } catch {
    bad('not valid UTF-8 JSON');
  }
  if (typeof s !== 'object' || s === null) bad('not an object');
  if (s['version'] !== 1) throw new ClawbackError('UNSUPPORTED', `snapshot version ${String(s['version'])} is not supported`);
  if (typeof s['time'] !== 'string' || Number.isNaN(Date.parse(s['time']))) bad('no valid time');
  if (typeof s['host'] !== 'string') bad('no host');
  if (!Array.isArray(s['paths']) || !s['paths'].every((p) => typeof p === 'string')) bad('no paths');
  if (!Array.isArray(s['tags']) || !s['tags'].every((p) => typeof p === 'string')) bad('no tags');
  if (typeof s['tree'] !== 'string' || !isId(s['tree'])) bad('no valid tree id');
  if (s['parent'] !== undefined && (typeof s['parent'] !== 'string' || !isId(s['parent']))) bad('invalid parent id');
  if (typeof s['programVersion'] !== 'string') bad('no programVersion');
  return s as unknown as Snapshot;
}
