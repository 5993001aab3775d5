// A backup in its own process, for the SIGKILL crash tests: node backup-child.mjs BUILD REPO SRC
// BUILD is the private build test/global-setup.ts makes (never dist/, which others rebuild).
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [build, repoDir, src] = process.argv.slice(2);
const { LocalBackend, Repository } = await import(pathToFileURL(join(build, 'src/store/index.js')).href);
const { backup } = await import(pathToFileURL(join(build, 'src/backup/index.js')).href);
const repo = await Repository.open(await LocalBackend.open(repoDir));
const r = await backup(repo, { paths: [src] });
process.stdout.write(JSON.stringify({ id: r.id, summary: r.summary }) + '\n');
