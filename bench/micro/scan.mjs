/*
 * The two WebAssembly loops against their JavaScript references, over 1 MiB:
 * the RabinKarp sum of 16 KiB blocks (rabinKarpBlock against rabinKarp) and
 * the candidate scan against an unrelated signature of 512 blocks of 2 KiB
 * (scanCandidatesWasm against scanCandidates: every offset rolled, under 1% of
 * them reaching the hash chains). Each pair is checked to agree first.
 */
import { lib } from '../lib/library.mjs';
import { MiB, randomBytes, runTasks } from './common.mjs';

const { rabinKarp, rabinKarpBlock, rabinKarpWasm, scanCandidates, scanCandidatesWasm, createWasmScanner, scanModuleBytes, scanSetup, readSignature, signature, SignatureIndex, WASM_LEAVE, WASM_FILTER } = lib;

const BLOCK = 16 << 10;
const SCAN_BLOCK = 2048;
let sink = 0;

function blocks(f, buf) {
  let x = 0;
  for (let i = 0; i + BLOCK <= buf.length; i += BLOCK) x ^= f(buf, i, i + BLOCK);
  return x;
}

export async function suite() {
  if (!rabinKarpWasm) throw new Error('WebAssembly is not available here');
  const buf = randomBytes(MiB, 'scan');
  if (blocks(rabinKarp, buf) !== blocks(rabinKarpBlock, buf)) throw new Error('rabinKarpBlock disagrees with rabinKarp');
  const index = new SignatureIndex(readSignature(signature(randomBytes(SCAN_BLOCK * 512, 'scan-basis'), { format: 'native', blockLen: SCAN_BLOCK })));
  const setup = scanSetup(index);
  const to = buf.length - SCAN_BLOCK + 1;
  const w = createWasmScanner(scanModuleBytes());
  const a = scanCandidates(buf, 0, to, setup);
  const b = scanCandidatesWasm(w, buf, 0, to, setup, WASM_LEAVE, WASM_FILTER);
  if (a.count !== b.count || a.pos.subarray(0, a.count).some((p, i) => p !== b.pos[i])) throw new Error('scanCandidatesWasm disagrees with scanCandidates');
  const rows = await runTasks('WebAssembly loops', [
    { name: 'rabinKarp, 16 KiB blocks (JavaScript)', bytes: MiB, fn: () => (sink ^= blocks(rabinKarp, buf)) },
    { name: 'rabinKarpBlock, 16 KiB blocks (WebAssembly)', bytes: MiB, fn: () => (sink ^= blocks(rabinKarpBlock, buf)) },
    { name: 'scanCandidates (JavaScript)', bytes: to, fn: () => (sink ^= scanCandidates(buf, 0, to, setup).count) },
    { name: 'scanCandidatesWasm (WebAssembly)', bytes: to, fn: () => (sink ^= scanCandidatesWasm(w, buf, 0, to, setup, WASM_LEAVE, WASM_FILTER).count) },
  ]);
  if (sink === 0.5) console.log(sink); // keeps the results alive
  return rows;
}
