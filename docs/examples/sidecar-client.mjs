// The sidecar protocol from the app's side, as a Tauri app's Rust code speaks it
// (docs/integration-tauri.md shows the Rust): run `clawback <command> --json`,
// read one JSON object per stdout line, turn `progress` and `warning` lines into
// UI events, and finish with the last line: the result, or {"error": {...}}
// together with a non-zero exit status. This file is that loop in JavaScript,
// so the tests can run it against the real CLI.
//
//   import { runClawback } from './sidecar-client.mjs';
//   const r = await runClawback(['backup'], { onEvent: (e) => console.log(e) });
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/**
 * Runs one clawback command as a sidecar.
 * @param {string[]} args the command and its arguments; `--json` is added
 * @param {{ command?: string[], env?: NodeJS.ProcessEnv, onEvent?: (e: object) => void, signal?: AbortSignal }} [opts]
 *   command: how to start clawback (default ['clawback'], the sidecar binary)
 * @returns {Promise<object>} the result line
 * @throws {Error & { code: string, exitCode: number, hint?: string }} the error line, when the command failed
 */
export function runClawback(args, opts = {}) {
  const [program, ...pre] = opts.command ?? ['clawback'];
  return new Promise((resolve, reject) => {
    const child = spawn(program, [...pre, ...args, '--json'], { env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    // Cancelling: SIGINT makes clawback stop cleanly (exit 130, nothing half-written).
    const onAbort = () => child.kill('SIGINT');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    let last;
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (!line.startsWith('{') && !line.startsWith('[')) return; // one JSON value per line; nothing else is on stdout
      const msg = JSON.parse(line);
      if (msg.type === 'progress' || msg.type === 'warning' || msg.type === 'step') opts.onEvent?.(msg);
      last = msg;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      opts.signal?.removeEventListener('abort', onAbort);
      if (code === 0 && last && !last.error) return resolve(last);
      const e = last?.error ?? { code: 'INTERNAL', message: stderr.trim() || `clawback exited with ${code}` };
      // Exit 1 with a result line is a partial backup: a result, with warnings.
      if (code === 1 && last && !last.error) return resolve({ ...last, partial: true });
      reject(Object.assign(new Error(e.message), { code: e.code, exitCode: code, hint: e.hint }));
    });
  });
}
