// A backup in its own process, for the SIGKILL crash tests:
//   node backup-child.mjs BUILD REPO SRC [TYPE:K]
// BUILD is the private build test/global-setup.ts makes (never dist/, which others rebuild).
// With TYPE:K the process SIGKILLs itself right after its K-th completed write of an
// object of TYPE (`any` for every type): a kill at a known point between writes, which
// does not depend on how fast this machine is. Without it the parent kills on a timer.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [build, repoDir, src, killSpec] = process.argv.slice(2);
const { LocalBackend, Repository } = await import(pathToFileURL(join(build, 'src/store/index.js')).href);
const { backup } = await import(pathToFileURL(join(build, 'src/backup/index.js')).href);
const backend = await LocalBackend.open(repoDir);
if (killSpec) {
  const [type, k] = killSpec.split(':');
  let left = Number(k);
  const write = backend.write.bind(backend);
  backend.write = async (t, name, data, opts) => {
    await write(t, name, data, opts);
    if ((type === 'any' || t === type) && --left === 0) process.kill(process.pid, 'SIGKILL');
  };
}
const repo = await Repository.open(backend);
const r = await backup(repo, { paths: [src] });
process.stdout.write(JSON.stringify({ id: r.id, summary: r.summary }) + '\n');
