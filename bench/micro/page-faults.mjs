// What first-touch memory costs on this machine, and why backup and restore reuse buffers and
// fit deflate's window to the blob: touching fresh memory (a page fault per 4 KiB) against
// rewriting memory already touched, and deflateRawSync of 4 KiB pages with zlib's default
// 32 KiB window against a window the size of the page (same output).
// Run: node bench/micro/page-faults.mjs
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

const MB = 64;
const faults = () => process.resourceUsage().minorPageFault;
for (let rep = 0; rep < (process.argv[2] ? 0 : 3); rep++) {
  let f = faults();
  let t = performance.now();
  const fresh = new Uint8Array(MB << 20);
  fresh.fill(1);
  const freshMs = performance.now() - t;
  const freshFaults = faults() - f;
  f = faults();
  t = performance.now();
  fresh.fill(2);
  const againMs = performance.now() - t;
  console.log(
    `${MB} MiB: first touch ${freshMs.toFixed(1)} ms (${freshFaults} faults, ${((freshMs * 1000) / Math.max(1, freshFaults)).toFixed(1)} µs each), ` +
      `rewrite ${againMs.toFixed(1)} ms (${faults() - f} faults)`,
  );
}

// SQLite-like 4 KiB pages: mostly structured bytes with some text. Each window setting runs in
// a fresh child process, as in a backup (in a warm process malloc may have kept zlib's state).
const CASES = {
  default: ['deflate 4 KiB pages, window 15 bits (default)', { level: 3, memLevel: 7 }],
  fitted: ['deflate 4 KiB pages, window 12 bits (fitted)', { level: 3, memLevel: 7, windowBits: 12 }],
};
const which = process.argv[2];
if (which === undefined) {
  for (const c of Object.keys(CASES)) process.stdout.write(execFileSync(process.execPath, [fileURLToPath(import.meta.url), c], { encoding: 'utf8' }));
} else {
  const [name, opts] = CASES[which];
  const page = (i) => {
    const p = Buffer.alloc(4096);
    for (let o = 0; o < 4096; o += 64) p.write(`row ${i}:${o} {"k":"v${(i * 31 + o) % 997}","n":${o}}`, o);
    return p;
  };
  const pages = Array.from({ length: 2000 }, (_, i) => page(i));
  const f = faults();
  const t = performance.now();
  let out = 0;
  for (const p of pages) out += zlib.deflateRawSync(p, opts).length;
  console.log(`${name.padEnd(48)} ${(performance.now() - t).toFixed(1).padStart(6)} ms for ${pages.length} pages in a fresh process, ${faults() - f} faults, output ${out} bytes`);
}
