/*
 * Rolling sums over 1 MiB: RabinKarp (rdiff's default weak sum, our native one)
 * and the old rsync rollsum, both as a whole-block sum and as the byte-by-byte
 * roll the delta matcher does at every offset; plus the same RabinKarp roll
 * written inline with int32 state, the best plain JS can do, for comparison.
 */
import { lib } from '../lib/library.mjs';
import { MiB, randomBytes, runTasks } from './common.mjs';

const { RK_ADJ, RK_MULT, rabinKarp, rabinKarpRotate, rkPower, rollsum, rollsumRotate } = lib;

const WINDOW = 2048;
let sink = 0;

/** Rolls a RabinKarp window of `w` bytes over all of `buf` with the library's rabinKarpRotate. */
function rollRabinKarp(buf, w, multN) {
  let h = rabinKarp(buf, 0, w);
  for (let i = 0; i + w < buf.length; i++) h = rabinKarpRotate(h, multN, buf[i], buf[i + w]);
  return h;
}

/** The same roll with the formula inline and the state kept as int32 (| 0), unsigned only at the end. */
function rollRabinKarpInt32(buf, w, multN) {
  let h = rabinKarp(buf, 0, w) | 0;
  for (let i = 0; i + w < buf.length; i++) h = (Math.imul(h, RK_MULT) + buf[i + w] - Math.imul(multN, buf[i] + RK_ADJ)) | 0;
  return h >>> 0;
}

/** Rolls a rollsum window of `w` bytes over all of `buf`. */
function rollRollsum(buf, w) {
  let h = rollsum(buf, 0, w);
  for (let i = 0; i + w < buf.length; i++) h = rollsumRotate(h, w, buf[i], buf[i + w]);
  return h;
}

export async function suite() {
  const buf = randomBytes(MiB, 'rolling');
  const multN = rkPower(WINDOW);
  if (rollRabinKarp(buf, WINDOW, multN) !== rollRabinKarpInt32(buf, WINDOW, multN)) throw new Error('inline RabinKarp roll disagrees with rabinKarpRotate');
  const rows = await runTasks('rolling', [
    { name: 'rabinKarp sum 1 MiB', bytes: MiB, fn: () => (sink = (sink + rabinKarp(buf)) | 0) },
    { name: 'rollsum sum 1 MiB', bytes: MiB, fn: () => (sink = (sink + rollsum(buf)) | 0) },
    { name: `rabinKarpRotate per byte, window ${WINDOW}`, bytes: MiB - WINDOW, fn: () => (sink = (sink + rollRabinKarp(buf, WINDOW, multN)) | 0) },
    { name: `RabinKarp roll inline int32, window ${WINDOW}`, bytes: MiB - WINDOW, fn: () => (sink = (sink + rollRabinKarpInt32(buf, WINDOW, multN)) | 0) },
    { name: `rollsumRotate per byte, window ${WINDOW}`, bytes: MiB - WINDOW, fn: () => (sink = (sink + rollRollsum(buf, WINDOW)) | 0) },
  ]);
  if (sink === 0.5) console.log(sink); // keeps the results alive
  return rows;
}
