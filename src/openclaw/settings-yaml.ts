/*
 * The YAML adapter of the settings file, and the only module that imports the
 * `yaml` package: parses text into a plain tree in which every key and value
 * knows its line (for messages that say where), and prints a plain object back
 * as YAML for `clawback config show`. Syntax errors, duplicate keys, several
 * documents and unknown tags become ClawbackError CONFIG naming file and line.
 */
import { createRequire } from 'node:module';
import type { Document, Node } from 'yaml';
import { ClawbackError } from '../core/errors.js';

/**
 * The `yaml` package, loaded on first use: most commands run without a settings
 * file, and loading the parser costs more than the rest of a command's start.
 */
let yamlLib: typeof import('yaml') | undefined;
function yaml(): typeof import('yaml') {
  yamlLib ??= createRequire(import.meta.url)('yaml') as typeof import('yaml');
  return yamlLib;
}

/** A YAML value with the 1-based line where it starts. Aliases are resolved; a missing value is a null scalar. */
export type LocatedNode =
  | { kind: 'map'; line: number; entries: LocatedEntry[] }
  | { kind: 'seq'; line: number; items: LocatedNode[] }
  | { kind: 'scalar'; line: number; value: string | number | boolean | null };

/** One `key: value` of a mapping; `line` is the key's line. */
export interface LocatedEntry {
  key: string;
  line: number;
  value: LocatedNode;
}

/** Deeper nesting than this is not a settings file (and guards against alias loops). */
const MAX_DEPTH = 32;

/**
 * Parses YAML text into a located tree; an empty document (or only comments) gives null.
 * @throws ClawbackError CONFIG `<file> line N: <what>` for a syntax error, a duplicate key,
 * several documents, an unknown tag, a non-string key or nesting deeper than 32
 * @example parseLocatedYaml('a: 1\n', 'config.yaml') // { kind: 'map', line: 1, entries: [{ key: 'a', line: 1, value: { kind: 'scalar', line: 1, value: 1 } }] }
 */
export function parseLocatedYaml(text: string, file: string): LocatedNode | null {
  const { LineCounter, parseDocument } = yaml();
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true, schema: 'core' });
  const lineOf = (offset: number | undefined) => (offset === undefined ? 1 : lc.linePos(offset).line);
  const fail = (offset: number | undefined, what: string): never => {
    throw new ClawbackError('CONFIG', `${file} line ${lineOf(offset)}: ${what}`);
  };
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem) {
    const what =
      problem.code === 'DUPLICATE_KEY'
        ? 'a key appears twice in the same mapping'
        : problem.code === 'MULTIPLE_DOCS'
          ? 'more than one YAML document (remove the second ---)'
          : `YAML ${problem.name === 'YAMLWarning' ? 'warning' : 'syntax error'}: ${firstLine(problem.message)}`;
    fail(problem.pos[0], what);
  }
  if (doc.contents === null) return null;
  return convert(doc, doc.contents, 0, lineOf, fail);
}

function firstLine(s: string): string {
  return (s.split('\n')[0] ?? s).replace(/[.:]\s*$/, '');
}

function convert(
  doc: Document,
  node: Node | null,
  depth: number,
  lineOf: (offset: number | undefined) => number,
  fail: (offset: number | undefined, what: string) => never,
): LocatedNode {
  if (node === null) return { kind: 'scalar', line: 1, value: null };
  const { isAlias, isMap, isScalar, isSeq } = yaml();
  const line = lineOf(node.range?.[0]);
  if (depth > MAX_DEPTH) fail(node.range?.[0], `nested more than ${MAX_DEPTH} levels deep`);
  if (isAlias(node)) {
    const target = node.resolve(doc);
    if (target === undefined) fail(node.range?.[0], `unknown alias *${node.source}`);
    const resolved = convert(doc, target as Node, depth + 1, lineOf, fail);
    return { ...resolved, line };
  }
  if (isScalar(node)) {
    const v = node.value;
    if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return { kind: 'scalar', line, value: v };
    return fail(node.range?.[0], `unsupported value ${JSON.stringify(node.source)}`);
  }
  if (isSeq(node)) {
    return { kind: 'seq', line, items: node.items.map((item) => convert(doc, item as Node | null, depth + 1, lineOf, fail)) };
  }
  if (isMap(node)) {
    const entries: LocatedEntry[] = [];
    for (const pair of node.items) {
      const key = pair.key as Node | null;
      if (!isScalar(key) || typeof key.value !== 'string') {
        fail(key?.range?.[0] ?? node.range?.[0], 'keys must be plain names (a mapping or list cannot be a key)');
      }
      const k = key as { value: string; range?: [number, number, number] | null };
      const value = pair.value as Node | null;
      const keyLine = lineOf(k.range?.[0]);
      entries.push({ key: k.value, line: keyLine, value: value === null ? { kind: 'scalar', line: keyLine, value: null } : convert(doc, value, depth + 1, lineOf, fail) });
    }
    return { kind: 'map', line, entries };
  }
  return fail((node as { range?: [number, number, number] | null }).range?.[0], 'unsupported YAML node');
}

/**
 * Prints a plain object (strings, numbers, booleans, arrays, objects) as block YAML.
 * @throws never for plain data
 * @example toYaml({ retention: { 'keep-daily': 7 } }) // 'retention:\n  keep-daily: 7\n'
 */
export function toYaml(value: unknown): string {
  return yaml().stringify(value, { indent: 2, lineWidth: 0 });
}
