/*
 * applyDelta (whole-buffer patch) throughput by output size: a mostly-COPY delta
 * (lightly edited data) in both formats, and an all-LITERAL delta (unrelated
 * data). Native deltas include verifying the SHA-256 trailer.
 */
import { lib } from '../lib/library.mjs';
import { SIZES, bytesLabel, lightlyEdited, randomBytes, runTasks } from './common.mjs';
import { signatureOf } from './delta-encoder.mjs';

const { applyDelta, delta, readSignature } = lib;

export async function suite() {
  const tasks = [];
  for (const size of SIZES) {
    const basis = randomBytes(size, `apply:${size}`);
    const edited = lightlyEdited(basis, `apply:${size}`);
    const unrelated = randomBytes(size, `apply-other:${size}`);
    const cases = [
      ['mostly-copy native', edited, 'native'],
      ['mostly-copy librsync', edited, 'librsync'],
      ['all-literal native', unrelated, 'native'],
    ];
    for (const [name, data, format] of cases) {
      const d = delta(readSignature(signatureOf(basis, format)), data);
      const check = applyDelta(basis, d);
      if (Buffer.compare(Buffer.from(check), Buffer.from(data)) !== 0) throw new Error(`applyDelta ${name} ${size}: wrong output`);
      tasks.push({ name: `${name} ${bytesLabel(size)}`, bytes: size, fn: () => applyDelta(basis, d) });
    }
  }
  return runTasks('applyDelta', tasks);
}
