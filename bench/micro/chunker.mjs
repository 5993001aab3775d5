/*
 * FastCDC chunker: throughput (tinybench, `suite()` for bench/micro/index.mjs) and,
 * run directly, the chunk-size study of docs/chunking.md: for seeded agent-like data
 * (append-only JSONL, rewritten pretty JSON, SQLite-like pages, media) and avg 8-64 KiB,
 * the bytes of new chunks a change needs and the chunk count.
 *   npm run build && node bench/micro/chunker.mjs [throughput] [sizes]
 */
import { createHash } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import { Chunker, chunkBuffer, chunkStream, keyedGear } from '../../dist/src/chunker/index.js';
import { keystream, prng } from '../lib/gen-data.mjs';
import { fix, markdownTable } from '../lib/measure.mjs';
import { MiB, randomBytes, runTasks } from './common.mjs';

const KiB = 1024;

/** Seeded pseudo-English JSON-ish text of `n` bytes (compressible, like transcripts). */
function textBytes(n, seed) {
  const rnd = prng(seed);
  const words = ['the', 'agent', 'tool', 'call', 'result', 'memory', 'file', 'path', 'error', 'ok', 'user', 'assistant', 'session', 'read', 'write', 'search', 'config', 'value', 'and', 'of'];
  let s = '';
  while (s.length < n) s += words[rnd() % words.length] + (rnd() % 9 === 0 ? '\n' : ' ');
  return new TextEncoder().encode(s.slice(0, n));
}

export async function suite() {
  const rnd = randomBytes(16 * MiB, 'chunker');
  const text = textBytes(16 * MiB, 7);
  const gear = keyedGear(new Uint8Array(32).fill(1));
  let sink = 0;
  return runTasks('chunker', [
    { name: 'chunkBuffer 16 MiB random, avg 16 KiB', bytes: rnd.length, fn: () => (sink ^= chunkBuffer(rnd).length) },
    { name: 'chunkBuffer 16 MiB text, avg 16 KiB', bytes: text.length, fn: () => (sink ^= chunkBuffer(text).length) },
    { name: 'chunkBuffer 16 MiB random, avg 8 KiB, keyed', bytes: rnd.length, fn: () => (sink ^= chunkBuffer(rnd, { avgSize: 8192, gear }).length) },
    { name: 'chunkBuffer 16 MiB random, avg 64 KiB', bytes: rnd.length, fn: () => (sink ^= chunkBuffer(rnd, { avgSize: 65536 }).length) },
    {
      name: 'Chunker.push 64 KiB pieces, 16 MiB random',
      bytes: rnd.length,
      fn: () => {
        const c = new Chunker();
        for (let at = 0; at < rnd.length; at += 64 * KiB) sink ^= c.push(rnd.subarray(at, at + 64 * KiB)).length;
        sink ^= c.finish().length;
      },
    },
    {
      name: 'chunkStream 64 KiB pieces, 16 MiB random (with copies)',
      bytes: rnd.length,
      fn: async () => {
        const pieces = function* () {
          for (let at = 0; at < rnd.length; at += 64 * KiB) yield rnd.subarray(at, at + 64 * KiB);
        };
        for await (const c of chunkStream(pieces())) sink ^= c.data.length;
      },
    },
  ]);
}

// ---------------------------------------------------------------------------------
// The chunk-size study: seeded histories of agent-like files. Each case is a list of
// versions; a version's cost is the bytes of its chunks not stored by any earlier
// version (what a backup after that change must add).

const enc = new TextEncoder();
const dec = new TextDecoder();
const STEPS = 5;

/** Append-only JSONL: ~15 MB of transcript lines, then 5 times 200 more lines. */
function jsonlCase() {
  const rnd = prng(0x15);
  let i = 0;
  const line = () => {
    const role = ['user', 'assistant', 'tool'][rnd() % 3];
    const body = dec.decode(textBytes(80 + (rnd() % 400), rnd()));
    i++;
    return `${JSON.stringify({ type: 'message', id: `m${i.toString(36)}`, ts: 1_700_000_000_000 + i * 1379, role, content: body, usage: { in: rnd() % 5000, out: rnd() % 900 } })}\n`;
  };
  let text = '';
  const parts = [];
  let size = 0;
  while (size < 15_000_000) {
    const l = line();
    parts.push(l);
    size += l.length;
  }
  text = parts.join('');
  const versions = [enc.encode(text)];
  const changed = [];
  for (let s = 0; s < STEPS; s++) {
    const added = Array.from({ length: 200 }, line).join('');
    text += added;
    versions.push(enc.encode(text));
    changed.push(enc.encode(added));
  }
  return { name: 'JSONL 15 MB, +200 lines', versions, changed };
}

/**
 * Pretty JSON (~1.1 MB, 3,000 sessions) re-serialized after each change: 4 same-length
 * value edits, 1 label rewritten (length changes), 1 session inserted mid-file.
 */
function prettyJsonCase() {
  const rnd = prng(0x25);
  const sessions = {};
  const entry = (k) => ({
    sessionId: createHash('sha256').update(`s${k}`).digest('hex').slice(0, 32),
    updatedAt: 1_700_000_000_000 + rnd() * 10,
    model: ['claude-sonnet', 'gpt-5', 'gemini-pro'][rnd() % 3],
    inputTokens: rnd() % 200000,
    outputTokens: rnd() % 30000,
    label: dec.decode(textBytes(20 + (rnd() % 60), rnd())),
    origin: { channel: ['cli', 'telegram', 'slack'][rnd() % 3], from: `user${rnd() % 100}` },
  });
  for (let k = 0; k < 3000; k++) sessions[`agent:main:session-${k.toString(16).padStart(5, '0')}`] = entry(k);
  let text = JSON.stringify({ version: 3, sessions }, null, 2);
  const versions = [enc.encode(text)];
  const changed = [];
  for (let st = 0; st < STEPS; st++) {
    const keys = Object.keys(sessions);
    for (let c = 0; c < 4; c++) {
      const s = sessions[keys[rnd() % keys.length]];
      s.updatedAt += 86_400_000 + (rnd() % 1000);
      s.inputTokens += 12345;
    }
    sessions[keys[rnd() % keys.length]].label = dec.decode(textBytes(20 + (rnd() % 60), rnd()));
    // A sorted-key writer puts the new session in the middle, not at the end.
    const at = rnd() % keys.length;
    const reordered = {};
    keys.forEach((k, j) => {
      if (j === at) reordered[`agent:main:session-${at.toString(16).padStart(5, '0')}a`] = entry(10_000 + st);
      reordered[k] = sessions[k];
    });
    for (const k of keys) delete sessions[k];
    Object.assign(sessions, reordered);
    const next = JSON.stringify({ version: 3, sessions }, null, 2);
    // Really changed: the bytes of the lines that are new in this version.
    const old = new Set(text.split('\n'));
    changed.push(enc.encode(next.split('\n').filter((l) => !old.has(l)).map((l) => `${l}\n`).join('')));
    text = next;
    versions.push(enc.encode(text));
  }
  return { name: 'pretty JSON 1.1 MB, 5 values + 1 key', versions, changed };
}

/** SQLite-like file: 2,048 pages of 4 KiB (8 MiB); each commit rewrites 40 scattered pages and adds 8. */
function sqliteCase() {
  const rnd = prng(0x35);
  const PAGE = 4096;
  const page = (k) => {
    const p = new Uint8Array(PAGE);
    p.set([0x0d, 0, 0, 0, (k >> 8) & 0xff, k & 0xff]); // b-tree leaf header-ish
    p.set(textBytes(PAGE - 400, rnd()), 400); // cells at the end, free space before them
    return p;
  };
  let pages = 2048;
  let cur = new Uint8Array(pages * PAGE);
  for (let k = 0; k < pages; k++) cur.set(page(k), k * PAGE);
  const versions = [cur];
  const changed = [];
  for (let st = 0; st < STEPS; st++) {
    const next = new Uint8Array((pages + 8) * PAGE);
    next.set(cur);
    const touched = new Set([0]); // the header page changes on every commit
    while (touched.size < 40) touched.add(rnd() % pages);
    const diff = [];
    for (const k of touched) diff.push(page(k));
    for (let k = pages; k < pages + 8; k++) diff.push(page(k));
    [...touched, ...Array.from({ length: 8 }, (_, j) => pages + j)].forEach((k, j) => next.set(diff[j], k * PAGE));
    pages += 8;
    changed.push(Buffer.concat(diff));
    cur = next;
    versions.push(cur);
  }
  return { name: 'SQLite 8 MiB, 40 pages + 8 new', versions, changed };
}

/** Media: 12 MB of incompressible bytes; each version inserts a 300-byte metadata block near the start. */
function mediaCase() {
  let cur = new Uint8Array(keystream('media').next(12_000_000));
  const versions = [cur];
  const changed = [];
  for (let st = 0; st < STEPS; st++) {
    const insert = new Uint8Array(keystream(`media-exif-${st}`).next(300));
    const at = 2000 + st * 50_000;
    const next = new Uint8Array(cur.length + insert.length);
    next.set(cur.subarray(0, at));
    next.set(insert, at);
    next.set(cur.subarray(at), at + insert.length);
    changed.push(insert);
    cur = next;
    versions.push(cur);
  }
  return { name: 'media 12 MB, 300 B inserted', versions, changed };
}

const sha = (b) => createHash('sha256').update(b).digest('base64');

/** Cost of each version after the first: new bytes and chunks for `lengthsOf`, plus the chunk count. */
function historyCost(versions, lengthsOf, withStored) {
  const known = new Set();
  let newBytes = 0;
  let newChunks = 0;
  let chunks = 0;
  let stored = 0; // new chunks compressed one by one (raw DEFLATE level 3, kept only if smaller)
  let firstRaw = 0;
  let firstStored = 0;
  const deflated = (b) => Math.min(b.length, deflateRawSync(b, { level: 3 }).length);
  versions.forEach((v, k) => {
    const lengths = lengthsOf(v);
    let at = 0;
    for (const len of lengths) {
      const id = sha(v.subarray(at, at + len));
      if (k > 0 && !known.has(id)) {
        newBytes += len;
        newChunks++;
        if (withStored) stored += deflated(v.subarray(at, at + len));
      }
      if (k === 0 && withStored) {
        firstRaw += len;
        firstStored += deflated(v.subarray(at, at + len));
      }
      known.add(id);
      at += len;
    }
    if (k > 0) chunks += lengths.length;
  });
  return { newBytes, newChunks, chunks, stored, ratio: firstStored / firstRaw };
}

const fixedLengths = (size) => (v) => Array.from({ length: Math.ceil(v.length / size) }, (_, i) => Math.min(size, v.length - i * size));

function study(cases, sizes) {
  const rows = [];
  for (const c of cases) {
    const steps = c.changed.length;
    const changed = c.changed.reduce((a, b) => a + b.length, 0);
    const changedStored = c.changed.reduce((a, b) => a + Math.min(b.length, deflateRawSync(b, { level: 3 }).length), 0);
    for (const avg of sizes) {
      const opts = { avgSize: avg, minSize: avg / 4, maxSize: avg * 4 };
      const cdc = historyCost(c.versions, (v) => chunkBuffer(v, opts), true);
      const fixed = historyCost(c.versions, fixedLengths(avg), false);
      // Metadata, two models. "list rewritten": each version stores the file's whole blob
      // list (32 B per chunk) plus an index entry per new chunk (~48 B). "list deduplicated":
      // the list is itself stored incrementally, so a change costs ~80 B per new chunk.
      const metaFull = 32 * cdc.chunks + 48 * cdc.newChunks;
      const metaDelta = 80 * cdc.newChunks;
      rows.push({ case: c.name, steps, changed, changedStored, avg, ...cdc, metaFull, metaDelta, fixedNew: fixed.newBytes });
    }
  }
  return rows;
}

async function main() {
  const args = process.argv.slice(2);
  if (args.length === 0 || args.includes('throughput')) {
    // tinybench reports wall time; on a loaded machine CPU time (best of 5) is the steadier figure.
    const rows = await suite();
    const rnd = randomBytes(32 * MiB, 'chunker-cpu');
    const text = textBytes(32 * MiB, 8);
    const cpuBest = (data, opts) => {
      let best = Infinity;
      for (let r = 0; r < 5; r++) {
        const c0 = process.cpuUsage();
        chunkBuffer(data, opts);
        const c = process.cpuUsage(c0);
        best = Math.min(best, (c.user + c.system) / 1e6);
      }
      return data.length / 1e6 / best;
    };
    const cpu = [
      ['chunkBuffer 32 MiB random, avg 16 KiB', cpuBest(rnd, {})],
      ['chunkBuffer 32 MiB text, avg 16 KiB', cpuBest(text, {})],
      ['chunkBuffer 32 MiB random, avg 8 KiB, keyed', cpuBest(rnd, { avgSize: 8192, gear: keyedGear(new Uint8Array(32).fill(1)) })],
      ['chunkBuffer 32 MiB random, avg 64 KiB', cpuBest(rnd, { avgSize: 65536 })],
    ];
    const header = ['task', 'MB/s (wall, tinybench mean)', '±%'];
    process.stdout.write(`\n${markdownTable(header, rows.map((r) => [r.name, fix(r.mbps, 0), fix(r.rmePct, 1)]))}\n`);
    process.stdout.write(`\n${markdownTable(['task', 'MB/s (CPU time, best of 5)'], cpu.map(([n, v]) => [n, fix(v, 0)]))}\n`);
  }
  if (args.length === 0 || args.includes('sizes')) {
    const sizes = [8 * KiB, 16 * KiB, 32 * KiB, 64 * KiB];
    const sqlite = sqliteCase();
    const rows = study([jsonlCase(), prettyJsonCase(), sqlite, mediaCase()], sizes);
    const page = historyCost(sqlite.versions, fixedLengths(4096), true);
    const sqliteChanged = sqlite.changed.reduce((a, b) => a + b.length, 0);
    const header = [
      'case (per change, mean of 5)',
      'avg',
      'changed B (deflated)',
      'new chunk B (x changed)',
      'new chunks',
      'chunks in file',
      'stored B (deflate-3)',
      'growth, list rewritten (x deflated changed)',
      'growth, list deduplicated (x)',
      'fixed-size blocks: new B (x changed)',
    ];
    const per = (n, r) => Math.round(n / r.steps).toLocaleString('en');
    const body = rows.map((r) => [
      r.case,
      `${r.avg / KiB} KiB`,
      `${per(r.changed, r)} (${per(r.changedStored, r)})`,
      `${per(r.newBytes, r)} (${fix(r.newBytes / r.changed, 2)})`,
      fix(r.newChunks / r.steps, 1),
      per(r.chunks, r),
      per(r.stored, r),
      `${per(r.stored + r.metaFull, r)} (${fix((r.stored + r.metaFull) / r.changedStored, 2)})`,
      `${per(r.stored + r.metaDelta, r)} (${fix((r.stored + r.metaDelta) / r.changedStored, 2)})`,
      `${per(r.fixedNew, r)} (${fix(r.fixedNew / r.changed, 2)})`,
    ]);
    const ratios = rows.map((r) => `${r.case} ${r.avg / KiB} KiB: ${fix(r.ratio, 3)}`);
    process.stdout.write(`\ndeflate-3 ratio of the first version, chunk by chunk:\n${ratios.join('\n')}\n`);
    process.stdout.write(`\n${markdownTable(header, body)}\n`);
    process.stdout.write(`\nSQLite with page-aligned fixed 4 KiB blocks: new ${Math.round(page.newBytes / STEPS)} B per change (${fix(page.newBytes / sqliteChanged, 2)} x changed), ${Math.round(page.newChunks / STEPS)} new chunks, ${Math.round(page.chunks / STEPS)} chunks in file, stored ${Math.round(page.stored / STEPS)} B\n`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
