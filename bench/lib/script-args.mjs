/*
 * The command line of the whole-job comparison scripts: `--name value`,
 * `--name=value` and the boolean flags, into an options object; and running a
 * script's main function with one-line reports of option errors.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const FLAGS = ['profile', 'profile-only', 'keep'];

/**
 * Parses `argv` (after the script name) into `{ name: value }`; the flags are true when present.
 * @throws RangeError for an argument that is not an option
 */
export function parseScriptArgs(argv) {
  const opts = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new RangeError(`unexpected argument "${a}"`);
    const [k, v] = a.includes('=') ? a.slice(2).split('=', 2) : [a.slice(2), FLAGS.includes(a.slice(2)) ? true : argv[++i]];
    opts[k] = v;
  }
  return opts;
}

/** Runs `main(parse(options))` when the module `url` is the script node was started with. */
export function runScript(url, parse, main) {
  if (!process.argv[1] || resolve(process.argv[1]) !== fileURLToPath(url)) return;
  Promise.resolve()
    .then(() => main(parse(parseScriptArgs(process.argv.slice(2)))))
    .catch((e) => {
      process.stderr.write(`${e instanceof RangeError ? e.message : (e?.stack ?? e)}\n`);
      process.exit(1);
    });
}
