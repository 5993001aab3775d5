// Why compress.ts calls zlib with memLevel 7: per-call cost of deflateRawSync on 16 KiB
// chunks of JSONL-like text at several settings. Run: node bench/micro/zlib-memlevel.mjs
import zlib from 'node:zlib';

const text = Buffer.from(Array.from({ length: 200_000 }, (_, i) => `{"type":"message","id":"${(i * 7919).toString(16)}","content":"word ${i % 97} another ${i % 13} ${(i * 31) % 1000}"}\n`).join(''));
const chunks = [];
for (let o = 0; o + 16384 <= text.length; o += 16384) chunks.push(text.subarray(o, o + 16384));
const cases = [
  ['level 3, defaults (memLevel 8, windowBits 15)', { level: 3 }],
  ['level 3, memLevel 7', { level: 3, memLevel: 7 }],
  ['level 3, memLevel 7, windowBits 14', { level: 3, memLevel: 7, windowBits: 14 }],
  ['level 1, memLevel 7', { level: 1, memLevel: 7 }],
];
for (const [name, opts] of cases) {
  let best = Infinity;
  let out = 0;
  for (let rep = 0; rep < 3; rep++) {
    const t = performance.now();
    out = 0;
    for (const c of chunks) out += zlib.deflateRawSync(c, opts).length;
    best = Math.min(best, performance.now() - t);
  }
  console.log(`${name.padEnd(46)} ${((chunks.length * 16384) / best / 1000).toFixed(0).padStart(5)} MB/s  ratio ${(out / (chunks.length * 16384)).toFixed(3)}`);
}
