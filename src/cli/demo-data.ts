/*
 * The demo's made-up agent state: a JSONL session transcript and a
 * SQLite-looking memory database with embedding vectors, from a seeded PRNG
 * (the same bytes on every run), and a "later" version of each with the edits
 * a day of agent use makes: turns appended, a line rewritten, pages changed.
 */

/** mulberry32: a small seeded PRNG; the demo needs repeatability, not quality. */
export class DemoRandom {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  /** A uniform 32-bit integer. */
  u32(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor((this.u32() / 0x1_0000_0000) * n);
  }
  /** Fills `out` with random bytes. */
  fill(out: Uint8Array): Uint8Array {
    const whole = out.length & ~3;
    const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
    for (let i = 0; i < whole; i += 4) view.setUint32(i, this.u32(), true);
    for (let i = whole; i < out.length; i++) out[i] = this.u32() & 0xff;
    return out;
  }
}

const WORDS = (
  'the a to of and in is it that for on with as this be are file test run build error fix ' +
  'config agent session memory tool call result user assistant should will can check read write ' +
  'update commit branch deploy server request response cache index query table row column value ' +
  'function return type string number array object promise await async import export module ' +
  'package version install script node path directory backup restore snapshot delta signature ' +
  'block hash checksum patch rollback state workspace channel message thread reply summary plan ' +
  'next step done failed retry timeout limit token model prompt context window compaction note'
).split(' ');

/** About 1 MB of random words, made once; text is cut from it at random word starts (fast, and no two cuts alike). */
class WordPool {
  readonly text: string;
  readonly bytes: Uint8Array;
  private readonly starts: Uint32Array;
  constructor(r: DemoRandom, size = 1 << 20) {
    const parts: string[] = [];
    const starts: number[] = [];
    let len = 0;
    while (len < size) {
      const w = WORDS[r.int(WORDS.length)]!;
      starts.push(len);
      parts.push(w);
      len += w.length + 1;
    }
    this.text = parts.join(' ') + ' ';
    this.bytes = new TextEncoder().encode(this.text);
    this.starts = Uint32Array.from(starts);
  }
  /** `n` characters starting at a random word. */
  cut(r: DemoRandom, n: number): string {
    const at = this.starts[r.int(this.starts.length)]!;
    const from = Math.min(at, this.text.length - n);
    return this.text.slice(from, from + n).trim();
  }
}

let pool: WordPool | undefined;
const words = (r: DemoRandom, n: number) => (pool ??= new WordPool(new DemoRandom(0x5eed))).cut(r, n * 6);

/** A fixed start instant, so timestamps look real without reading the clock. */
const EPOCH = Date.UTC(2026, 2, 1, 9, 0, 0);

function transcriptLine(r: DemoRandom, turn: number): string {
  const roles = ['user', 'assistant', 'assistant', 'toolResult'] as const;
  const role = roles[turn % roles.length]!;
  const ts = new Date(EPOCH + turn * 17_000 + r.int(9_000)).toISOString();
  const text = words(r, role === 'toolResult' ? 40 + r.int(400) : 8 + r.int(120));
  const content = role === 'assistant' && r.int(3) === 0 ? [{ type: 'toolCall', id: `call_${turn.toString(36)}`, name: 'exec', arguments: { command: words(r, 4) } }] : [{ type: 'text', text }];
  const usage = role === 'assistant' ? { input: 1000 + r.int(90_000), output: 20 + r.int(2_000), cacheRead: r.int(80_000) } : undefined;
  return JSON.stringify({ type: 'message', id: `m${turn.toString(16).padStart(8, '0')}`, parentId: turn > 0 ? `m${(turn - 1).toString(16).padStart(8, '0')}` : null, timestamp: ts, message: { role, content, ...(usage ? { usage } : {}) } });
}

/**
 * A session transcript of about `bytes` bytes; returns the text and the number of turns.
 * @example const { data, turns } = makeTranscript(1, 8_000_000);
 */
export function makeTranscript(seed: number, bytes: number): { data: Uint8Array; turns: number } {
  const r = new DemoRandom(seed);
  const lines: string[] = [JSON.stringify({ type: 'session', version: 3, id: 'c0ffee00-demo-4a1b-9d2e-5e55f0aa0001', timestamp: new Date(EPOCH).toISOString(), cwd: '/home/agent/.openclaw/workspace' })];
  let size = lines[0]!.length + 1;
  let turn = 0;
  while (size < bytes) {
    const line = transcriptLine(r, turn++);
    lines.push(line);
    size += line.length + 1;
  }
  return { data: new TextEncoder().encode(lines.join('\n') + '\n'), turns: turn };
}

/**
 * The transcript a day later: `appendTurns` more turns, and one earlier line rewritten (a compaction note).
 * @example const later = editTranscript(data, turns, 3, 200);
 */
export function editTranscript(old: Uint8Array, turns: number, seed: number, appendTurns: number): Uint8Array {
  const r = new DemoRandom(seed);
  const enc = new TextEncoder();
  const start = old.indexOf(0x0a, Math.floor(old.length / 3)) + 1; // the line after the first third
  const end = old.indexOf(0x0a, start);
  const line = new TextDecoder().decode(old.subarray(start, end));
  const edited = enc.encode(line.replace('"type":"message"', `"type":"message","compacted":true,"summary":${JSON.stringify(words(r, 30))}`));
  const more: string[] = [];
  for (let t = turns; t < turns + appendTurns; t++) more.push(transcriptLine(r, t));
  const tail = enc.encode(more.join('\n') + '\n');
  const out = new Uint8Array(start + edited.length + (old.length - end) + tail.length);
  out.set(old.subarray(0, start), 0);
  out.set(edited, start);
  out.set(old.subarray(end), start + edited.length);
  out.set(tail, start + edited.length + old.length - end);
  return out;
}

/** Database page size, as SQLite's default. */
export const PAGE = 4096;

function writePage(r: DemoRandom, page: Uint8Array, n: number): void {
  page.fill(0);
  const view = new DataView(page.buffer, page.byteOffset, page.byteLength);
  const header = n === 0 ? 100 : 0;
  if (n === 0) page.set(new TextEncoder().encode('SQLite format 3\0'), 0);
  view.setUint8(header, n % 7 === 0 ? 0x05 : 0x0d); // interior or leaf table page
  if (n % 3 === 0) {
    // An embedding row: a 384-dim float32 vector, the rest of the page free.
    for (let i = 0; i < 384; i++) view.setFloat32(header + 64 + i * 4, (r.u32() / 0x1_0000_0000 - 0.5) * 0.2, true);
  } else {
    // Text rows: memory notes, from the end of the page backwards like SQLite cells.
    const p = (pool ??= new WordPool(new DemoRandom(0x5eed))).bytes;
    const len = Math.min(900 + r.int(1500), PAGE - header - 64);
    const from = r.int(p.length - len);
    page.set(p.subarray(from, from + len), PAGE - len);
    view.setUint16(header + 5, PAGE - len);
  }
}

/**
 * A SQLite-looking database of `pages` pages.
 * @example const db = makeDatabase(2, 3000); // 12.3 MB
 */
export function makeDatabase(seed: number, pages: number): Uint8Array {
  const r = new DemoRandom(seed);
  const db = new Uint8Array(pages * PAGE);
  for (let n = 0; n < pages; n++) writePage(r, db.subarray(n * PAGE, (n + 1) * PAGE), n);
  return db;
}

/**
 * The database a day later: `changed` pages rewritten in place, `added` pages appended, the header's change counter bumped.
 * @example const later = editDatabase(db, 4, 60, 100);
 */
export function editDatabase(old: Uint8Array, seed: number, changed: number, added: number): Uint8Array {
  const r = new DemoRandom(seed);
  const pages = old.length / PAGE;
  const db = new Uint8Array(old.length + added * PAGE);
  db.set(old);
  for (let i = 0; i < changed; i++) {
    const n = 1 + r.int(pages - 1);
    writePage(r, db.subarray(n * PAGE, (n + 1) * PAGE), n);
  }
  for (let n = pages; n < pages + added; n++) writePage(r, db.subarray(n * PAGE, (n + 1) * PAGE), n);
  new DataView(db.buffer).setUint32(24, new DataView(db.buffer).getUint32(24) + 1); // file change counter
  return db;
}
