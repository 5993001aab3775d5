/*
 * What machine a benchmark ran on: CPU model and count, RAM, Node and rdiff
 * versions, the file system of the work directory. Printed with every result
 * so figures are never quoted without their machine.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { cpus, getPriority, loadavg, totalmem } from 'node:os';

const sh = (cmd) => spawnSync('sh', ['-c', cmd], { encoding: 'utf8' }).stdout?.trim() ?? '';

/** Facts about this machine, for the record. */
export function machineInfo(workDir = '.') {
  let cpuModel = cpus()[0]?.model ?? 'unknown';
  try {
    const m = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) cpuModel = m[1].trim();
  } catch {
    // not Linux
  }
  return {
    date: new Date().toISOString(),
    nproc: Number(sh('nproc')) || cpus().length,
    cpuModel,
    ramGiB: +(totalmem() / 2 ** 30).toFixed(1),
    node: process.version,
    rdiff: sh('rdiff --version 2>&1 | head -1'),
    kernel: sh('uname -r'),
    fs: sh(`df -hT ${JSON.stringify(workDir)} | tail -1`),
    nice: getPriority(),
    load1: +loadavg()[0].toFixed(2),
  };
}

/** The machine as markdown bullet lines. */
export function machineMarkdown(m) {
  return [
    `- date: ${m.date}`,
    `- CPU: ${m.cpuModel}, nproc ${m.nproc}`,
    `- RAM: ${m.ramGiB} GiB`,
    `- Node ${m.node}; ${m.rdiff}; Linux ${m.kernel}`,
    `- work dir file system: \`${m.fs}\``,
    `- run at nice ${m.nice}; 1-minute load average at the end: ${m.load1}`,
  ].join('\n');
}

/**
 * Copies the built dist/ to bench/out/dist-snapshot (inside the repo, so node_modules still
 * resolves) and returns the path of its index.js, so that child jobs run one fixed build even
 * when someone rebuilds dist/ during a long run.
 */
export function snapshotDist(repoDir) {
  const to = join(repoDir, 'bench', 'out', 'dist-snapshot');
  rmSync(to, { recursive: true, force: true });
  cpSync(join(repoDir, 'dist'), to, { recursive: true });
  return join(to, 'src', 'index.js');
}

/** Which code was measured: the commit, whether src/ differs from it, a hash of the measured dist/src. */
export function codeInfo(repoDir, distSrc = join(repoDir, 'dist', 'src')) {
  const commit = sh(`git -C ${JSON.stringify(repoDir)} rev-parse --short HEAD 2>/dev/null`);
  const dirty = sh(`git -C ${JSON.stringify(repoDir)} status --porcelain -- src 2>/dev/null | wc -l`);
  const dist = sh(`cd ${JSON.stringify(distSrc)} && find . -name '*.js' | sort | xargs cat | sha256sum | cut -c1-12`);
  return { commit, srcFilesChanged: Number(dirty) || 0, distHash: dist };
}
