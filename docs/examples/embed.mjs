// In-process use of clawback from a Node program (a Tauri app's Node sidecar, an
// Electron main process, a script): back up the OpenClaw state, list the backups,
// roll back to the one before, and undo that. Every call works with no arguments;
// here they get an AbortSignal and a progress callback, as a UI would pass them.
//
//   node embed.mjs            # uses $HOME/.openclaw and clawback's default repository
import { backup, listBackups, rollback } from 'clawback';

const controller = new AbortController();
process.once('SIGINT', () => controller.abort());
const signal = controller.signal;
const onProgress = (e) => {
  // A UI would update a progress bar here; this example prints one line per step.
  if (e.type === 'step') console.log(`step: ${e.message}`);
};

const made = await backup({ signal, onProgress, name: 'before-upgrade' });
console.log(`backup ${made.shortId} "${made.name}": ${made.files.total} files, ${made.sizeBytes} bytes, ${made.addedBytes} new, ${made.secrets} secret files`);

const all = await listBackups();
for (const b of all) console.log(`  ${b.createdAt}  ${b.shortId}  ${b.kind.padEnd(6)}  ${b.name}`);

if (all.length >= 2) {
  const back = await rollback({ backup: all[1].id, signal, onProgress });
  console.log(`rolled back to ${back.backup.shortId}: ${back.restored.filesWritten} files written, ${back.restored.deleted} deleted; safety backup ${back.safety.shortId}`);
  const undo = await rollback({ undo: true, signal, onProgress });
  console.log(`undone: back at ${undo.backup.shortId}`);
}
console.log(JSON.stringify({ done: true, backups: all.length }));
