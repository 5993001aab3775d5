#!/usr/bin/env node
/*
 * One clawback rsync job as a whole process, the counterpart of one rdiff run:
 *   node bench/clawback-job.mjs signature BASIS SIG [--format native]
 *   node bench/clawback-job.mjs delta SIG NEW DELTA
 *   node bench/clawback-job.mjs patch BASIS DELTA OUT
 *   node bench/clawback-job.mjs startup          (loads the library and exits: the fixed cost)
 * Calls signatureFile/deltaFile/patchFile from the built library (or $CLAWBACK_DIST) and prints one JSON line.
 */
import { lib } from './lib/library.mjs';

const { deltaFile, patchFile, signatureFile } = lib;

const [op, ...rest] = process.argv.slice(2);
const args = rest.filter((a, i) => !a.startsWith('--') && !rest[i - 1]?.startsWith('--'));
const flag = (name) => {
  const i = rest.indexOf(`--${name}`);
  return i >= 0 ? rest[i + 1] : undefined;
};

async function main() {
  const opts = { overwrite: true };
  let result;
  if (op === 'signature' && args.length === 2) {
    const format = flag('format') ?? 'librsync';
    result = await signatureFile(args[0], args[1], { ...opts, format });
  } else if (op === 'delta' && args.length === 3) {
    result = await deltaFile(args[0], args[1], args[2], opts);
  } else if (op === 'patch' && args.length === 3) {
    result = await patchFile(args[0], args[1], args[2], opts);
  } else if (op === 'startup') {
    result = {};
  } else {
    process.stderr.write('usage: clawback-job.mjs signature BASIS SIG [--format native] | delta SIG NEW DELTA | patch BASIS DELTA OUT | startup\n');
    process.exit(2);
  }
  const ru = process.resourceUsage();
  process.stdout.write(`${JSON.stringify({ op, result, maxRssKiB: ru.maxRSS, userMs: ru.userCPUTime / 1000, systemMs: ru.systemCPUTime / 1000 })}\n`);
}

main().catch((e) => {
  process.stderr.write(`${e?.code ?? ''} ${e?.stack ?? e}\n`);
  process.exit(1);
});
