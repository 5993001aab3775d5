/*
 * DeltaEncoder throughput by input size on (i) identical data, (ii) unrelated
 * data where nothing matches (the per-byte rolling search), (iii) lightly edited
 * data (one 1 KiB edit per MiB), in both formats. The signature is read once
 * outside the timing; building the index is inside (it is part of every delta).
 */
import { lib } from '../lib/library.mjs';
import { SIZES, bytesLabel, lightlyEdited, randomBytes, runTasks } from './common.mjs';
import { feed } from './signature-encoder.mjs';

const { DeltaEncoder, SignatureEncoder, readSignature } = lib;

/** Signature bytes of `data` in `format`, collected whole. */
export function signatureOf(data, format) {
  const enc = new SignatureEncoder({ format, basisLength: data.length });
  const parts = [];
  for (let o = 0; o < data.length; o += 1 << 20) parts.push(enc.push(data.subarray(o, o + (1 << 20))));
  parts.push(enc.finish());
  return Buffer.concat(parts);
}

export async function suite() {
  const tasks = [];
  for (const size of SIZES) {
    const basis = randomBytes(size, `delta:${size}`);
    const inputs = {
      identical: basis,
      unrelated: randomBytes(size, `delta-other:${size}`),
      edited: lightlyEdited(basis, `delta:${size}`),
    };
    for (const format of ['native', 'librsync']) {
      const sig = readSignature(signatureOf(basis, format));
      for (const [kind, data] of Object.entries(inputs)) {
        tasks.push({
          name: `${kind} ${format} ${bytesLabel(size)}`,
          bytes: size,
          fn: () => feed(new DeltaEncoder(sig), data),
        });
      }
    }
  }
  return runTasks('DeltaEncoder', tasks);
}
