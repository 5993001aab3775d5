/*
 * Trees: one directory's entries, sorted by name, stored as a JSON blob of
 * type 'tree'. Files list their content blobs, directories name their subtree
 * blob, symlinks keep their target (never followed). decodeTree validates every
 * name so no entry can point outside its directory.
 */
import { ClawbackError } from '../core/errors.js';
import { isId, type Id } from './ids.js';

/** Kinds of entry a tree holds. */
export type NodeType = 'file' | 'dir' | 'symlink';

/** One directory entry. Times are nanoseconds since the epoch as decimal strings. */
export interface TreeNode {
  name: string;
  type: NodeType;
  /** Permission bits (0o7777). */
  mode: number;
  mtimeNs: string;
  uid?: number;
  gid?: number;
  /** file: content length; content: its blobs in order. */
  size?: number;
  content?: Id[];
  /** dir: the tree blob of its entries. */
  subtree?: Id;
  /** symlink: the link text. */
  target?: string;
  /** Change detection for the next backup (not restored). */
  inode?: string;
  ctimeNs?: string;
}

/** A directory's entries. */
export interface Tree {
  nodes: TreeNode[];
}

const NS = /^\d{1,30}$/;

/** Why `name` is not a safe single path component, or undefined when it is. */
export function unsafeName(name: string): string | undefined {
  if (name.length === 0) return 'empty name';
  if (name === '.' || name === '..') return `name ${JSON.stringify(name)}`;
  if (name.includes('/') || name.includes('\\') || name.includes('\0')) return `name with a separator or NUL: ${JSON.stringify(name)}`;
  return undefined;
}

/**
 * Byte-order comparison of names as UTF-8. UTF-16 code unit order is UTF-8 byte order except
 * where a surrogate (an astral character) meets a unit from U+E000 up, so the first differing
 * unit decides unless one of them is a surrogate; only then are the names encoded.
 */
export function compareNames(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if ((x & 0xf800) === 0xd800 || (y & 0xf800) === 0xd800) return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
    return x < y ? -1 : 1;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

/** Canonical bytes of a tree: nodes sorted by name, fixed key order. */
export function encodeTree(tree: Tree): Uint8Array {
  const nodes = [...tree.nodes].sort((x, y) => compareNames(x.name, y.name));
  const ordered = nodes.map((n) => {
    const o: Record<string, unknown> = { name: n.name, type: n.type, mode: n.mode, mtimeNs: n.mtimeNs };
    for (const k of ['uid', 'gid', 'size', 'content', 'subtree', 'target', 'inode', 'ctimeNs'] as const) {
      if (n[k] !== undefined) o[k] = n[k];
    }
    return o;
  });
  return new TextEncoder().encode(JSON.stringify({ nodes: ordered }));
}

/**
 * True when two nodes encode alike: every field equal (content lists element by
 * element). A directory whose nodes all equal its parent tree's is that tree.
 * @example sameNode(walked, parentNodes.get(walked.name))
 */
export function sameNode(a: TreeNode, b: TreeNode | undefined): boolean {
  if (b === undefined || a.name !== b.name || a.type !== b.type || a.mode !== b.mode || a.mtimeNs !== b.mtimeNs) return false;
  if (a.uid !== b.uid || a.gid !== b.gid || a.size !== b.size || a.subtree !== b.subtree || a.target !== b.target || a.inode !== b.inode || a.ctimeNs !== b.ctimeNs) return false;
  const x = a.content;
  const y = b.content;
  if (x === y) return true;
  if (x === undefined || y === undefined || x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

function bad(msg: string): never {
  throw new ClawbackError('CORRUPT', `tree: ${msg}`);
}

/**
 * Parses and validates a tree blob.
 * @throws ClawbackError CORRUPT for malformed JSON, unsafe names, duplicates or missing fields
 */
export function decodeTree(bytes: Uint8Array): Tree {
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    bad('not valid UTF-8 JSON');
  }
  const nodes = (raw as { nodes?: unknown })?.nodes;
  if (!Array.isArray(nodes)) bad('no nodes array');
  const seen = new Set<string>();
  const out: TreeNode[] = [];
  for (const n of nodes as Record<string, unknown>[]) {
    if (typeof n !== 'object' || n === null) bad('node is not an object');
    const { name, type, mode, mtimeNs } = n;
    if (typeof name !== 'string') bad('node without a name');
    const why = unsafeName(name);
    if (why) throw new ClawbackError('UNSAFE_PATH', `tree: ${why}`);
    if (seen.has(name)) bad(`duplicate name ${JSON.stringify(name)}`);
    seen.add(name);
    if (type !== 'file' && type !== 'dir' && type !== 'symlink') bad(`node ${JSON.stringify(name)} has type ${String(type)}`);
    if (typeof mode !== 'number' || !Number.isInteger(mode) || mode < 0 || mode > 0o7777) bad(`node ${JSON.stringify(name)} has mode ${String(mode)}`);
    if (typeof mtimeNs !== 'string' || !NS.test(mtimeNs)) bad(`node ${JSON.stringify(name)} has no valid mtime`);
    const node: TreeNode = { name, type, mode, mtimeNs };
    for (const k of ['uid', 'gid', 'size'] as const) {
      const v = n[k];
      if (v !== undefined) {
        if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) bad(`node ${JSON.stringify(name)} has ${k} ${String(v)}`);
        node[k] = v;
      }
    }
    for (const k of ['inode', 'ctimeNs'] as const) {
      const v = n[k];
      if (v !== undefined) {
        if (typeof v !== 'string' || !NS.test(v)) bad(`node ${JSON.stringify(name)} has ${k} ${String(v)}`);
        node[k] = v;
      }
    }
    if (type === 'file') {
      const c = n['content'];
      if (!Array.isArray(c) || !c.every((x) => typeof x === 'string' && isId(x))) bad(`file ${JSON.stringify(name)} has no valid content list`);
      if (node.size === undefined) bad(`file ${JSON.stringify(name)} has no size`);
      node.content = c as Id[];
    } else if (type === 'dir') {
      const s = n['subtree'];
      if (typeof s !== 'string' || !isId(s)) bad(`dir ${JSON.stringify(name)} has no valid subtree`);
      node.subtree = s;
    } else {
      const t = n['target'];
      if (typeof t !== 'string') bad(`symlink ${JSON.stringify(name)} has no target`);
      node.target = t;
    }
    out.push(node);
  }
  return { nodes: out };
}
