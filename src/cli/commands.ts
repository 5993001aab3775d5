/*
 * The list of CLI commands. A new verb is a file `src/cli/<verb>.ts` that
 * exports a Command, plus one entry here; main.ts dispatches and lists them.
 * Commands load on demand, so `clawback --help` does not start the engine.
 */
import type { CommandEntry } from './command.js';

/** Every command, in the order `clawback --help` lists them. */
export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'rdiff',
    summary: "signature, delta and patch of single files, compatible with librsync's rdiff",
    load: async () => (await import('./rdiff.js')).rdiffCommand,
  },
  {
    name: 'demo',
    summary: 'run the engine on a generated 20 MB agent state and check it against rdiff',
    load: async () => (await import('./demo.js')).demoCommand,
  },
];

/**
 * The command called `name`, or undefined.
 * @example const cmd = await findCommand('rdiff')?.load();
 */
export function findCommand(name: string): CommandEntry | undefined {
  return COMMANDS.find((c) => c.name === name);
}
