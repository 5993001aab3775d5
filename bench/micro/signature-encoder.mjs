/*
 * SignatureEncoder throughput by input size, rdiff-compatible (RabinKarp +
 * BLAKE2b) and native (RabinKarp + XXH64), fed in 1 MiB pushes with the
 * recommended block length for the size.
 */
import { lib } from '../lib/library.mjs';
import { MiB, SIZES, bytesLabel, randomBytes, runTasks } from './common.mjs';

const { SignatureEncoder } = lib;

/** Pushes `data` in 1 MiB chunks and returns the output length. */
export function feed(enc, data) {
  let n = 0;
  for (let o = 0; o < data.length; o += MiB) n += enc.push(data.subarray(o, o + MiB)).length;
  return n + enc.finish().length;
}

export async function suite() {
  const tasks = [];
  for (const size of SIZES) {
    const data = randomBytes(size, `sig:${size}`);
    for (const format of ['librsync', 'native']) {
      tasks.push({
        name: `${format === 'native' ? 'native xxh64' : 'librsync blake2'} ${bytesLabel(size)}`,
        bytes: size,
        fn: () => feed(new SignatureEncoder({ format, basisLength: size }), data),
      });
    }
  }
  return runTasks('SignatureEncoder', tasks);
}
