/*
 * The list of CLI commands. A new verb is a file `src/cli/<verb>.ts` that
 * exports a Command, plus one entry here; main.ts dispatches and lists them.
 * Commands load on demand, so `clawback --help` does not start the engine.
 */
import type { CommandEntry } from './command.js';

/** Every command, in the order `clawback --help` lists them. */
export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'init',
    summary: 'create a repository (--repo DIR, $CLAWBACK_REPO, the settings file, else the default)',
    load: async () => (await import('./init.js')).initCommand,
  },
  {
    name: 'backup',
    summary: 'back up files and directories into a new snapshot',
    load: async () => (await import('./backup.js')).backupCommand,
  },
  {
    name: 'snapshots',
    summary: 'list the snapshots',
    load: async () => (await import('./snapshots.js')).snapshotsCommand,
  },
  {
    name: 'ls',
    summary: 'list the files in a snapshot',
    load: async () => (await import('./ls.js')).lsCommand,
  },
  {
    name: 'diff',
    summary: 'show what changed between two snapshots',
    load: async () => (await import('./diff.js')).diffCommand,
  },
  {
    name: 'restore',
    summary: 'restore a snapshot into a directory, new or existing',
    load: async () => (await import('./restore.js')).restoreCommand,
  },
  {
    name: 'rollback',
    summary: 'put the OpenClaw state back as a snapshot has it, in place and undoably (--before 2h, --undo, --path)',
    load: async () => (await import('./rollback.js')).rollbackCommand,
  },
  {
    name: 'versions',
    summary: 'list the stored versions of one file or directory (e.g. openclaw.json)',
    load: async () => (await import('./versions.js')).versionsCommand,
  },
  {
    name: 'forget',
    summary: 'remove snapshots by a retention policy (--keep-daily 7 ...)',
    load: async () => (await import('./forget.js')).forgetCommand,
  },
  {
    name: 'prune',
    summary: 'delete data no snapshot references',
    load: async () => (await import('./prune.js')).pruneCommand,
  },
  {
    name: 'check',
    summary: 'verify the repository (--read-data: every byte)',
    load: async () => (await import('./check.js')).checkCommand,
  },
  {
    name: 'cat',
    summary: 'print a repository object (config, snapshot, tree, index, pack, blob)',
    load: async () => (await import('./cat.js')).catCommand,
  },
  {
    name: 'config',
    summary: 'show the effective settings (config show) or which settings file is read (config path)',
    load: async () => (await import('./config.js')).configCommand,
  },
  {
    name: 'rdiff',
    summary: "signature, delta and patch of single files, compatible with librsync's rdiff",
    load: async () => (await import('./rdiff.js')).rdiffCommand,
  },
  {
    name: 'demo',
    summary: 'back up a generated OpenClaw home, change it, break it, roll it back and verify it byte for byte',
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
