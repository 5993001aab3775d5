/*
 * `clawback cat config|snapshot|tree|index|pack|blob ID`: print one repository
 * object for debugging. config, snapshot, tree, index and pack (its header) as
 * JSON; a blob's raw bytes (decompressed and verified) to stdout, never to a
 * terminal. IDs may be unique prefixes; snapshots also take 'latest'.
 */
import { ClawbackError } from '../core/errors.js';
import type { Backend, ObjectType } from '../store/backend.js';
import { CONFIG_NAME } from '../store/backend.js';
import { verifyId } from '../store/ids.js';
import { decodeIndex } from '../store/index-file.js';
import { lookupPath } from '../store/ls.js';
import { packHeaderLength, parsePackHeader, PACK_TRAILER_LEN, type BlobType } from '../store/pack.js';
import { decodeRepoConfig } from '../store/repo-config.js';
import type { Repository } from '../store/repository.js';
import { writeStream } from './byte-streams.js';
import { parseCommandArgs, UsageError, type CliContext, type Command } from './command.js';
import { EXIT } from './exit-codes.js';
import { positionalCount, REPO_HELP, REPO_OPTIONS, repoArgs, withRepository } from './repo-arg.js';

const KINDS = ['config', 'snapshot', 'tree', 'index', 'pack', 'blob'] as const;
type Kind = (typeof KINDS)[number];

const HELP = `Usage: clawback cat [OPTIONS] config
       clawback cat [OPTIONS] snapshot|tree|index|pack|blob ID

Print one repository object, for debugging and scripts.

  config              the repository config (JSON)
  snapshot ID         a snapshot (JSON); ID may be a prefix or 'latest'
  tree ID             a tree blob (JSON); ID may also be SNAPSHOT or
                      SNAPSHOT:/path for the tree of a directory in a snapshot
  index ID            an index file (JSON: its packs and their blobs)
  pack ID             a pack's header (JSON: its blobs with offsets and lengths)
  blob ID             a data blob's bytes, decompressed and verified, to stdout
                      (refused when stdout is a terminal)

Every ID may be a unique prefix of at least 4 hex digits. JSON is printed
indented, or on one line with --json.
${REPO_HELP}`;

const PREFIX = /^[0-9a-f]{4,64}$/;

function pick(kind: string, ref: string, names: string[]): string {
  if (names.length === 1) return names[0]!;
  if (names.length === 0) throw new ClawbackError('NOT_FOUND', `no ${kind} matches ${ref}`);
  throw new ClawbackError('NOT_FOUND', `${kind} prefix ${ref} is ambiguous: ${names.slice(0, 5).map((n) => n.slice(0, 12)).join(', ')}${names.length > 5 ? ', ...' : ''}`);
}

function checkPrefix(kind: string, ref: string): void {
  if (!PREFIX.test(ref)) throw new ClawbackError('NOT_FOUND', `${JSON.stringify(ref)} is not a ${kind} id or an id prefix of at least 4 hex digits`);
}

/** The one object of `type` whose name starts with `ref`. */
async function resolveObject(backend: Backend, type: ObjectType, kind: string, ref: string): Promise<string> {
  checkPrefix(kind, ref);
  const names: string[] = [];
  for await (const { name } of backend.list(type)) if (name.startsWith(ref)) names.push(name);
  return pick(kind, ref, names);
}

/** The one indexed blob of `type` whose id starts with `ref`. */
function resolveBlob(repo: Repository, type: BlobType, ref: string): string {
  checkPrefix(`${type} blob`, ref);
  const ids: string[] = [];
  for (const b of repo.index.all()) if (b.type === type && b.id.startsWith(ref)) ids.push(b.id);
  return pick(`${type} blob`, ref, ids);
}

/** The tree id for `tree REF`: a tree blob id/prefix, or SNAPSHOT[:/path]. */
async function resolveTree(repo: Repository, ref: string): Promise<string> {
  const colon = ref.indexOf(':');
  if (colon < 0 && ref !== 'latest') return resolveBlob(repo, 'tree', ref);
  const snap = await repo.findSnapshot(colon < 0 ? ref : ref.slice(0, colon));
  const path = colon < 0 ? '/' : ref.slice(colon + 1) || '/';
  const { tree } = await lookupPath(repo, snap.snapshot.tree, path);
  if (!tree) throw new ClawbackError('NOT_FOUND', `${path} is not a directory in snapshot ${snap.id.slice(0, 8)}`);
  return tree;
}

async function packHeader(backend: Backend, id: string): Promise<object> {
  const { size } = await backend.stat('data', id);
  const hl = packHeaderLength(await backend.read('data', id, { offset: size - PACK_TRAILER_LEN, length: PACK_TRAILER_LEN }), size);
  const entries = parsePackHeader(await backend.read('data', id, { offset: size - PACK_TRAILER_LEN - hl, length: hl }), size);
  return { id, size, blobs: entries };
}

/** The JSON value for `kind ref`, or the blob bytes. */
async function load(repo: Repository, kind: Kind, ref: string | undefined): Promise<object | Uint8Array> {
  const backend = repo.backend;
  switch (kind) {
    case 'config':
      return decodeRepoConfig(await backend.read('config', CONFIG_NAME));
    case 'snapshot': {
      const { id, snapshot } = await repo.findSnapshot(ref!);
      return { id, ...snapshot };
    }
    case 'tree': {
      const id = await resolveTree(repo, ref!);
      return { id, ...(await repo.loadTree(id)) };
    }
    case 'index': {
      const id = await resolveObject(backend, 'index', 'index file', ref!);
      const bytes = await backend.read('index', id);
      verifyId(id, bytes, 'index file');
      return { id, packs: decodeIndex(bytes) };
    }
    case 'pack':
      return packHeader(backend, await resolveObject(backend, 'data', 'pack', ref!));
    case 'blob':
      return repo.loadBlob(resolveBlob(repo, 'data', ref!), 'data');
  }
}

async function* once(b: Uint8Array): AsyncGenerator<Uint8Array> {
  yield b;
}

/** `clawback cat`. */
export const catCommand: Command = {
  async run(args: string[], ctx: CliContext): Promise<number> {
    const { values, positionals } = parseCommandArgs(args, REPO_OPTIONS, 'cat');
    if (values.help) {
      ctx.io.stdout.write(HELP + '\n');
      return EXIT.OK;
    }
    const r = repoArgs(values, ctx, 'cat');
    positionalCount(positionals, 1, 2, 'cat', `an object type (${KINDS.join(', ')}) and, except for config, an ID`);
    const [kindText, ref] = positionals as [string, string?];
    if (!(KINDS as readonly string[]).includes(kindText)) throw new UsageError(`cat: unknown object type "${kindText}" (expected ${KINDS.join(', ')})`, "run 'clawback cat --help'");
    const kind = kindText as Kind;
    if (kind === 'config' && ref !== undefined) throw new UsageError('cat config takes no ID', "run 'clawback cat --help'");
    if (kind !== 'config' && ref === undefined) throw new UsageError(`cat ${kind} needs an ID`, "run 'clawback cat --help'");
    if (kind === 'blob') {
      if ((ctx.io.stdout as { isTTY?: boolean }).isTTY) throw new UsageError('refusing to write binary data to a terminal', 'redirect stdout to a file or a pipe');
      ctx.out.stdoutCarriesData();
    }
    const value = await withRepository(r, ctx, kind === 'config' ? 'none' : 'shared', (repo) => load(repo, kind, ref));
    if (value instanceof Uint8Array) {
      await writeStream(ctx.io.stdout, once(value), ctx.signal);
      ctx.out.event({ type: 'summary', command: 'cat', kind, bytes: value.length });
    } else if (ctx.out.json) {
      ctx.out.event(value);
    } else {
      ctx.io.stdout.write(JSON.stringify(value, null, 2) + '\n');
    }
    return EXIT.OK;
  },
};
