/*
 * Strong sums per block, as the signature and the matcher call them: BLAKE2b-256
 * and MD4 (librsync signatures), XXH64 (native), over 1 MiB in blocks of 2 KiB
 * and 32 KiB; plus SHA-256 of the whole 1 MiB (the native delta trailer).
 */
import { lib } from '../lib/library.mjs';
import { KiB, MiB, randomBytes, runTasks } from './common.mjs';

const { blake2b256, md4, sha256, xxh64Raw } = lib;

export async function suite() {
  const buf = randomBytes(MiB, 'strong');
  const tasks = [];
  const perBlock = (name, bs, hash) => ({
    name: `${name} per ${bs / KiB} KiB block`,
    bytes: MiB,
    fn: () => {
      for (let o = 0; o < MiB; o += bs) hash(buf.subarray(o, o + bs));
    },
  });
  for (const bs of [2 * KiB, 32 * KiB]) {
    tasks.push(perBlock('blake2b256', bs, blake2b256), perBlock('md4', bs, md4), perBlock('xxh64', bs, xxh64Raw));
  }
  tasks.push({ name: 'sha256 (node:crypto) whole 1 MiB', bytes: MiB, fn: () => sha256(buf) });
  return runTasks('strong sums', tasks);
}
