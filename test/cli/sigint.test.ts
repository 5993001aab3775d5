// SIGINT while a command runs: exit 130, one line, and no output or temp file left behind.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, editedPair, expectOneLineError, tempDir, writeFiles } from './harness.js';

let t: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  t = await tempDir();
});
afterAll(async () => {
  await t?.rmAll();
});

/** Starts clawback with stdin held open, feeds `first`, waits until `ready()` is true, then sends SIGINT. */
async function interrupt(args: string[], first: Uint8Array, ready: () => Promise<boolean>) {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: t.dir, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  let stdoutBytes = 0;
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdout.on('data', (c: Buffer) => (stdoutBytes += c.length));
  child.stdin.on('error', () => {});
  child.stdin.write(first); // and never end stdin: the command is left waiting for more
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  for (let i = 0; i < 600 && !(await ready()); i++) await new Promise((r) => setTimeout(r, 50));
  expect(await ready()).toBe(true);
  child.kill('SIGINT');
  const code = await exited;
  return { code, stderr, stdoutBytes };
}

describe('SIGINT', () => {
  it('during signature from a pipe to a file: exit 130, the temp file is removed, no output', async () => {
    const { oldData } = editedPair(200_000, 31);
    const tempExists = async () => (await t.list()).some((f) => f.startsWith('.sig.out.clawback-'));
    const r = await interrupt(['rdiff', 'signature', '-', 'sig.out'], oldData, tempExists);
    expect(r.code).toBe(130);
    expectOneLineError(r.stderr, /interrupted \(SIGINT\)/, /no partial output/);
    expect(await t.list()).toEqual([]);
  });

  it('during patch from a pipe to a file: exit 130, nothing left but the inputs', async () => {
    const { oldData, newData } = editedPair(200_000, 32);
    await writeFiles(t.dir, { old: oldData });
    const { signature, delta } = await import('../../src/rsync/buffers.js');
    const d = delta(signature(oldData), newData);
    const tempExists = async () => (await t.list()).some((f) => f.startsWith('.new.clawback-'));
    // feed all but the end of the delta, so patch has written some output and waits for the rest
    const r = await interrupt(['rdiff', 'patch', 'old', '-', 'new'], d.subarray(0, d.length - 10), tempExists);
    expect(r.code).toBe(130);
    expectOneLineError(r.stderr, /interrupted/);
    expect(await t.list()).toEqual(['old']);
  });
});
