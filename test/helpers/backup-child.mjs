// A backup in its own process, for the SIGKILL crash tests: node backup-child.mjs REPO SRC
// Uses the built library (dist/), which test/global-setup.ts builds before the tests.
import { LocalBackend, Repository } from '../../dist/src/store/index.js';
import { backup } from '../../dist/src/backup/index.js';

const [repoDir, src] = process.argv.slice(2);
const repo = await Repository.open(await LocalBackend.open(repoDir));
const r = await backup(repo, { paths: [src] });
process.stdout.write(JSON.stringify({ id: r.id, summary: r.summary }) + '\n');
